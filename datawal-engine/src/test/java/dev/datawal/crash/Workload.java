package dev.datawal.crash;

import dev.datawal.DatawalOptions;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A scripted, seeded sequence of operations on a store, run through a {@link CrashFs} by the crash
 * sweep, which cuts the power at each of its I/O steps and checks the reopened store against the
 * {@link Oracle} the {@link Session} keeps.
 *
 * <p><b>Adding a workload</b> is one class: extend this, choose the store kind and options, and
 * return the script as a list of {@link Op}s that call the {@link Session}'s oracle-aware methods
 * ({@link Session#put}, {@link Session#fsync}, {@link Session#exportJsonl}, ...); then list it in
 * {@link Workloads#all()}. For example, once {@code DataWal.compact()} (in-place compaction)
 * exists:
 *
 * <pre>{@code
 * final class InPlaceCompaction extends Workload {
 *   InPlaceCompaction() {
 *     super("kv-compact-in-place", StoreKind.KV, Workloads.options(FsyncPolicy.ALWAYS, 400));
 *   }
 *
 *   protected List<Op> script(SplittableRandom rnd) {
 *     List<Op> ops = new ArrayList<>();
 *     ops.add(Op.of("open", Session::open));
 *     Workloads.kvWrites(ops, rnd, 20);
 *     ops.add(Op.of("compact", s -> s.preservingState("compact", kv -> kv.compact())));
 *     Workloads.kvWrites(ops, rnd, 5);
 *     ops.add(Op.of("close", Session::close));
 *     return ops;
 *   }
 *
 *   protected boolean rewritesLog() {
 *     return true; // the checks compare key/value states, not record sequences
 *   }
 * }
 * }</pre>
 *
 * <p>A script must be deterministic (the same ops from the same seed) and single-threaded, so that
 * step {@code n} is the same I/O call in every run.
 */
public abstract class Workload {

  /** Which API the workload drives, and so how the reopened store is checked. */
  public enum StoreKind {
    /** {@code RecordLog}: records checked in order, with payloads and txids. */
    LOG,
    /** {@code DataWal}: records checked as for a log, and the key/value state too. */
    KV
  }

  /**
   * One step of a script.
   *
   * @param name shown in failure messages, e.g. {@code "append 57 B"}
   * @param action what it does
   * @param leavesStoreAlone whether none of its I/O may touch the store directory (checked on the
   *     run without a cut): export and compaction must only read the source
   */
  public record Op(String name, Consumer<Session> action, boolean leavesStoreAlone) {
    /** An op that may write the store. */
    public static Op of(String name, Consumer<Session> action) {
      return new Op(name, action, false);
    }

    /** An op that must only read the store (its writes go elsewhere). */
    public static Op readingStore(String name, Consumer<Session> action) {
      return new Op(name, action, true);
    }
  }

  private final String name;
  private final StoreKind kind;
  private final DatawalOptions options;

  protected Workload(String name, StoreKind kind, DatawalOptions options) {
    this.name = name;
    this.kind = kind;
    this.options = options;
  }

  /** The workload's name, in failure messages and in {@code -Ddatawal.crash.only}. */
  public final String name() {
    return name;
  }

  public final StoreKind kind() {
    return kind;
  }

  /** The options the workload opens the store with (the checks reopen it with ALWAYS). */
  public final DatawalOptions options() {
    return options;
  }

  /**
   * Builds the starting state through the session before the steps are counted: nothing here is a
   * crash point. By default nothing: the script opens a new store.
   */
  protected void setUp(Session s) {}

  /** The script, drawn from {@code rnd}. */
  protected abstract List<Op> script(SplittableRandom rnd);

  /**
   * Whether the workload rewrites the log (in-place compaction): then the reopened store is checked
   * by its key/value state (equal to the state after some issued prefix that includes every
   * acknowledged write) and increasing txids, not record by record.
   */
  protected boolean rewritesLog() {
    return false;
  }

  @Override
  public String toString() {
    return name;
  }
}
