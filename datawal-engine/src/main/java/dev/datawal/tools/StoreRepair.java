package dev.datawal.tools;

import dev.datawal.CorruptionKind;
import dev.datawal.DatawalException;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.io.DirectoryLock;
import dev.datawal.internal.io.DurableFiles;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.kv.KeyDirectorySnapshot;
import dev.datawal.internal.log.StoreManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Repairs a store that {@link dev.datawal.RecordLog#open} refuses because of damage, by moving each
 * damaged region out of its segment into a quarantine file, so that the store opens again with
 * every valid frame it had, before and after the damage.
 *
 * <p>What it repairs is exactly what makes recovery refuse a store (see {@link
 * SegmentWalker.Damage#tornTail(boolean)}): any damage in a sealed segment; damage in the last
 * segment that a valid frame follows (mid-stream corruption, such as a store the reference
 * implementation appended to after a torn tail); and frames of an unsupported (newer) version
 * anywhere. A torn tail of the last segment is left alone: the writer's open already keeps it as
 * evidence and cuts it. A record group (an atomic write) cut short where that is not a torn tail is
 * quarantined whole, marker and members, so that it stays all or nothing; a group marker that
 * disagrees with the valid frames after it is quarantined alone, and those frames stay as plain
 * records, as the reference implementation reads them (see {@code docs/format.md}, "Record
 * groups").
 *
 * <p>It is also the one explicit way to accept that durable data is gone, when a store's segment
 * files are not what its manifest ({@code datawal.manifest}) records: a segment the manifest does
 * not know (copied in, moved into a gap, a stray file) is quarantined whole; records whose txids do
 * not go up are quarantined; a missing, shorter or changed segment is accepted as it is ({@link
 * Plan#losses()}). The repair then writes a new manifest of what is left, keeping the txid floor so
 * that no txid is handed out twice, and says which keys the loss took away, set back to an older
 * value or brought back ({@link Plan#keys()}), as far as the key-directory snapshot, the only
 * record of the keys a store had, tells.
 *
 * <p>Quarantine files: {@code <segment file>.quarantine-at-<offset>} (with {@code .2}, {@code .3}
 * ... if that name is taken) holds exactly the bytes of the region, as they were at {@code
 * <offset>} of the segment; a segment quarantined whole is renamed to {@code <segment
 * file>.quarantine-at-0}. The name never matches the segment pattern, so recovery ignores it;
 * nothing is ever deleted but the segment bytes that a quarantine file already holds durably.
 *
 * <p>Usage: {@link #plan(Path)} shows what a repair would do without a lock and without changing
 * anything. {@link #lock(Path)} takes the store's exclusive writer lock (failing at once if a
 * writer has it open); {@link #plan()} then plans under the lock, and {@link #apply(Plan)} carries
 * out that plan.
 *
 * <p>Thread-safety: not thread-safe; use an instance from one thread.
 */
public final class StoreRepair implements AutoCloseable {
  /*
   * RepairPlanner works out the plan; this class takes the lock, applies only the plan made under
   * it, and carries it out.
   *
   * Durable steps of apply(), each finished before the next begins:
   *
   *   1. keydir.snapshot, if present, is deleted and the directory synced: it describes segment
   *      bytes that are about to move (as compaction does). (What it said of the keys was read
   *      by plan(), for Plan.keys().) Segments quarantined whole are renamed to their quarantine
   *      name, and the directory synced.
   *   2. For each damaged segment, ascending, each region is copied into <quarantine>.tmp, which is
   *      forced, renamed to its quarantine name, and the directory synced: the bytes now survive a
   *      power cut outside the segment.
   *   3. The segment's kept bytes (everything but its regions, in order) are copied into
   *      <segment>.repairing, which is forced, walked to check that it now decodes as recovery
   *      requires, renamed over the segment, and the directory synced.
   *
   *   4. datawal.manifest is replaced (temp file, force, rename, directory sync) by one that
   *      records the segments as they now are, with the old txid floor or more.
   *
   * A crash leaves each segment either as it was or repaired, and each removed byte in a
   * quarantine file; at worst a region is quarantined twice (a rerun picks a new name); until step
   * 4, the old manifest still makes the open refuse the store, so a rerun finishes it. A leftover
   * <quarantine>.tmp or <segment>.repairing was never renamed, so its segment still holds those
   * bytes: the next apply() deletes them (and reports them).
   */

  static final String QUARANTINE_MARKER = ".quarantine-at-";
  static final String TMP = DurableFiles.TMP;
  static final String REPAIRING = ".repairing";
  private static final int CHUNK = 1 << 20;

  /**
   * One damaged region to move out of its segment.
   *
   * @param segment the segment id
   * @param offset where the region starts in the segment
   * @param length how many bytes it spans
   * @param kind what is wrong at {@code offset}
   * @param detail what exactly is wrong there
   * @param file the quarantine file that gets exactly these bytes
   * @param wholeFile whether the whole segment file is moved out (renamed): a segment the store
   *     must not have at all
   */
  public record Quarantine(
      long segment,
      long offset,
      long length,
      CorruptionKind kind,
      String detail,
      Path file,
      boolean wholeFile) {

    /**
     * A region inside a segment, which keeps the rest of its bytes.
     *
     * @param segment the segment id
     * @param offset where the region starts in the segment
     * @param length how many bytes it spans
     * @param kind what is wrong at {@code offset}
     * @param detail what exactly is wrong there
     * @param file the quarantine file that gets exactly these bytes
     */
    public Quarantine(
        long segment, long offset, long length, CorruptionKind kind, String detail, Path file) {
      this(segment, offset, length, kind, detail, file, false);
    }
  }

  /**
   * Durable data that is gone, which a repair accepts: nothing is left to move, only the manifest
   * to replace.
   *
   * @param kind what is wrong
   * @param segment the segment, or -1 for the manifest itself
   * @param detail what is gone, as the open's error said
   */
  public record Loss(CorruptionKind kind, long segment, String detail) {}

  /**
   * The keys whose state a repair changes, compared with what the key-directory snapshot says the
   * store held (and the records after it): each list holds copies of keys, in unsigned byte order.
   *
   * @param evidence what the comparison is based on, or {@code null} when there is nothing to
   *     compare with (no snapshot, or a damaged one): the keys cannot be named
   * @param lost keys that were live and are gone
   * @param reverted keys that are still live but whose value is an older (or other) one
   * @param cameBack keys that were deleted or never written and are live again
   */
  public record KeyChanges(
      @Nullable String evidence, List<byte[]> lost, List<byte[]> reverted, List<byte[]> cameBack) {
    /**
     * Copies the lists.
     *
     * @param evidence what the comparison is based on, or {@code null} when there is nothing to
     *     compare with
     * @param lost keys that were live and are gone; copied
     * @param reverted keys still live with an older (or other) value; copied
     * @param cameBack keys live again; copied
     */
    public KeyChanges {
      lost = List.copyOf(lost);
      reverted = List.copyOf(reverted);
      cameBack = List.copyOf(cameBack);
    }

    /** Nothing known: no evidence to compare with. */
    static KeyChanges unknown() {
      return new KeyChanges(null, List.of(), List.of(), List.of());
    }

    /** {@return whether any key changed} */
    public boolean any() {
      return !lost.isEmpty() || !reverted.isEmpty() || !cameBack.isEmpty();
    }
  }

  /**
   * What a repair does.
   *
   * @param dir the store directory
   * @param sizes every segment's size when planned, by id; {@link #apply} refuses a segment that
   *     changed since
   * @param quarantines the regions and whole segments to move out, in log order
   * @param tornTails damage at the end of the last segment that is left for the writer's open,
   *     which keeps it as evidence and cuts it
   * @param snapshotPresent whether a key-directory snapshot is present; a repair deletes it
   * @param losses durable data that is gone and that the repair accepts as gone
   * @param keys the keys whose state changes with the damage and the repair
   * @param rewritesManifest whether the repair writes a new manifest: there is damage, a loss, a
   *     damaged manifest, or damage recorded in it
   * @param txidFloor the highest txid the store is known to have handed out (its manifest's floor,
   *     any txid it recorded, the key-directory snapshot's last txid): the new manifest keeps it,
   *     so that no txid is handed out twice
   */
  public record Plan(
      Path dir,
      SortedMap<Long, Long> sizes,
      List<Quarantine> quarantines,
      List<SegmentWalker.Damage> tornTails,
      boolean snapshotPresent,
      List<Loss> losses,
      KeyChanges keys,
      boolean rewritesManifest,
      long txidFloor) {

    /**
     * Copies the collections so the plan is immutable.
     *
     * @param dir the store directory
     * @param sizes every segment's size when planned, by id; copied
     * @param quarantines the regions and whole segments to move out, in log order; copied
     * @param tornTails damage at the end of the last segment, left for the writer's open; copied
     * @param snapshotPresent whether a key-directory snapshot is present
     * @param losses durable data that is gone and that the repair accepts; copied
     * @param keys the keys whose state changes
     * @param rewritesManifest whether the repair writes a new manifest
     * @param txidFloor the highest txid the store is known to have handed out
     */
    public Plan {
      sizes = Collections.unmodifiableSortedMap(new TreeMap<>(sizes));
      quarantines = List.copyOf(quarantines);
      tornTails = List.copyOf(tornTails);
      losses = List.copyOf(losses);
    }

    /** {@return whether anything blocks opening the store, so that a repair has something to do} */
    public boolean needed() {
      return !quarantines.isEmpty() || !losses.isEmpty() || rewritesManifest;
    }

    /** {@return the bytes the repair moves into quarantine files} */
    public long quarantinedBytes() {
      return quarantines.stream().mapToLong(Quarantine::length).sum();
    }
  }

  /**
   * What {@link #apply} did.
   *
   * @param plan the plan it carried out
   * @param leftoversRemoved files an interrupted earlier repair left, which it deleted first
   * @param snapshotDeleted whether it deleted the key-directory snapshot
   */
  public record Result(Plan plan, List<Path> leftoversRemoved, boolean snapshotDeleted) {
    /**
     * Copies the list so the result is immutable.
     *
     * @param plan the plan it carried out
     * @param leftoversRemoved files an interrupted earlier repair left, which it deleted; copied
     * @param snapshotDeleted whether it deleted the key-directory snapshot
     */
    public Result {
      leftoversRemoved = List.copyOf(leftoversRemoved);
    }
  }

  private final FileIo io;
  private final Path dir;
  private final DirectoryLock lock;
  private @Nullable Plan planned;
  private boolean closed;

  private StoreRepair(FileIo io, Path dir, DirectoryLock lock) {
    this.io = io;
    this.dir = dir;
    this.lock = lock;
  }

  /**
   * What a repair of the store in {@code dir} would do now. Takes no lock and changes nothing; with
   * a live writer, a frame it is appending may show as a torn tail.
   *
   * @param dir the store directory
   * @return the plan, for showing only: {@link #apply} takes a plan made under the lock
   * @throws DatawalException if {@code dir} is not a store directory or cannot be read
   */
  public static Plan plan(Path dir) {
    return plan(FileIo.system(), dir);
  }

  static Plan plan(FileIo io, Path dir) {
    requireStore(io, dir);
    try {
      return RepairPlanner.compute(io, dir);
    } catch (IOException e) {
      throw Errors.readFailed(dir, e);
    }
  }

  /**
   * Takes the exclusive writer lock of the store in {@code dir} for a repair. Never creates the
   * directory.
   *
   * @param dir the store directory
   * @return the repair, holding the lock until closed
   * @throws dev.datawal.StoreLockedException if a writer, in this process or another, has the store
   *     open
   * @throws DatawalException if {@code dir} is not a directory, or the lock cannot be taken
   */
  public static StoreRepair lock(Path dir) {
    return lock(FileIo.system(), dir);
  }

  static StoreRepair lock(FileIo io, Path dir) {
    Objects.requireNonNull(dir, "dir");
    requireStore(io, dir);
    return new StoreRepair(io, dir, DirectoryLock.acquire(io, dir));
  }

  /**
   * Plans the repair under the lock: nothing can change the store until {@link #apply} or {@link
   * #close}. Changes nothing.
   *
   * @return the plan, to show and then to give to {@link #apply}
   * @throws IllegalStateException if closed
   * @throws DatawalException if the store cannot be read
   */
  public Plan plan() {
    ensureOpen();
    try {
      planned = RepairPlanner.compute(io, dir);
      return planned;
    } catch (IOException e) {
      throw Errors.readFailed(dir, e);
    }
  }

  /**
   * Carries out {@code plan}, durably (see the class comment), and returns what it did. Does
   * nothing to the segments if the plan is not {@linkplain Plan#needed() needed}.
   *
   * @param plan the plan the last {@link #plan()} call of this instance returned; it can be applied
   *     once
   * @return what was done
   * @throws IllegalArgumentException if {@code plan} is not that plan, or was applied already
   * @throws IllegalStateException if closed
   * @throws DatawalException if a damaged segment changed since it was planned (nothing of that
   *     segment was changed then), if a repaired segment would still not decode (it is left as it
   *     was; quarantine files already written are kept), or if a file cannot be written
   */
  public Result apply(Plan plan) {
    ensureOpen();
    if (plan == null || plan != planned) {
      throw new IllegalArgumentException(
          "apply the plan this repair made under its lock (call plan() first)");
    }
    planned = null; // used up, even if this fails part way: anything more needs a new plan
    try {
      List<Path> leftovers = deleteLeftovers();
      if (!plan.needed()) {
        return new Result(plan, leftovers, false);
      }
      Map<Long, List<Quarantine>> bySegment = new TreeMap<>();
      List<Quarantine> wholeFiles = new ArrayList<>();
      for (Quarantine q : plan.quarantines()) {
        if (q.wholeFile()) {
          wholeFiles.add(q);
        } else {
          bySegment.computeIfAbsent(q.segment(), id -> new ArrayList<>()).add(q);
        }
      }
      boolean snapshotDeleted = KeyDirectorySnapshot.delete(io, dir); // step 1
      for (Quarantine q : wholeFiles) {
        moveOut(q);
      }
      long lastSegment = -1; // the last segment the store keeps
      for (long id : plan.sizes().keySet()) {
        if (wholeFiles.stream().noneMatch(q -> q.segment() == id)) {
          lastSegment = id;
        }
      }
      for (Map.Entry<Long, List<Quarantine>> segment : bySegment.entrySet()) {
        long id = segment.getKey();
        long size = Objects.requireNonNull(plan.sizes().get(id), "a planned segment has a size");
        repairSegment(id, size, segment.getValue(), id == lastSegment);
      }
      if (plan.rewritesManifest()) {
        StoreManifest.ofStore(io, dir, plan.txidFloor()).write(io, dir); // step 4
      }
      return new Result(plan, leftovers, snapshotDeleted);
    } catch (IOException e) {
      throw new DatawalException(
          "datawal: repair of store " + dir + " failed: " + Errors.describe(e), e);
    }
  }

  /** Releases the lock. Idempotent. */
  @Override
  public void close() {
    closed = true;
    try {
      lock.close();
    } catch (IOException e) {
      throw new DatawalException(
          "datawal: failed to release the lock of " + dir + ": " + Errors.describe(e), e);
    }
  }

  private void repairSegment(long id, long plannedSize, List<Quarantine> regions, boolean last)
      throws IOException {
    Path path = SegmentFiles.path(dir, id);
    try (FileHandle source = io.openRead(path)) {
      long size = source.size();
      if (size != plannedSize) {
        throw new DatawalException(
            "datawal: segment "
                + id
                + " ("
                + path
                + ") is "
                + size
                + " bytes, not the "
                + plannedSize
                + " planned: it changed since the plan; plan again");
      }
      for (Quarantine q : regions) {
        quarantine(source, q); // step 2
      }
      replace(source, id, path, size, regions, last); // step 3
    }
  }

  /** Renames a segment the store must not have to its quarantine name, durably. */
  private void moveOut(Quarantine q) throws IOException {
    Path path = SegmentFiles.path(dir, q.segment());
    try (FileHandle file = io.openRead(path)) {
      if (file.size() != q.length()) {
        throw new DatawalException(
            "datawal: segment "
                + q.segment()
                + " ("
                + path
                + ") is "
                + file.size()
                + " bytes, not the "
                + q.length()
                + " planned: it changed since the plan; plan again");
      }
    }
    io.atomicMove(path, q.file());
    io.syncDirectory(dir); // the store no longer has the segment, across a power cut
  }

  /** Copies one region into its quarantine file, durably. */
  private void quarantine(FileHandle source, Quarantine q) throws IOException {
    // Once renamed and the directory synced, the bytes survive outside the segment.
    DurableFiles.replace(io, q.file(), out -> copy(source, q.offset(), q.length(), out, 0));
  }

  /** Writes the segment without its regions beside it, checks it, and renames it into place. */
  private void replace(
      FileHandle source, long id, Path path, long size, List<Quarantine> regions, boolean last)
      throws IOException {
    // The repaired segment replaces the damaged one across a power cut, if it would open.
    DurableFiles.replace(
        io,
        path,
        dir.resolve(path.getFileName() + REPAIRING),
        out -> {
          long from = 0;
          long written = 0;
          for (Quarantine q : regions) { // in offset order
            written += copy(source, from, q.offset() - from, out, written);
            from = q.offset() + q.length();
          }
          copy(source, from, size - from, out, written);
        },
        written -> {
          String problem = stillDamaged(written, id, last);
          if (problem != null) {
            throw new DatawalException(
                "datawal: repair of segment "
                    + id
                    + " ("
                    + path
                    + ") stopped: without its damaged regions it would still not open ("
                    + problem
                    + "); the segment is unchanged, the quarantine files written are kept");
          }
        });
  }

  /** Why {@code file} would still make recovery refuse the store, or {@code null}. */
  private @Nullable String stillDamaged(Path file, long id, boolean last) {
    try (SegmentWalker walker = SegmentWalker.open(io, file, id, false)) {
      for (SegmentWalker.Item item = walker.next(); item != null; item = walker.next()) {
        if (item instanceof SegmentWalker.Damage d && !d.tornTail(last)) {
          return d.kindPhrase() + " at offset " + d.offset() + ": " + d.detail();
        }
      }
      return null;
    }
  }

  /** Copies {@code length} bytes from {@code from} of {@code in} to {@code at} of {@code out}. */
  private static long copy(FileHandle in, long from, long length, FileHandle out, long at)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.max(1, Math.min(CHUNK, length)));
    long done = 0;
    while (done < length) {
      buf.clear().limit((int) Math.min(buf.capacity(), length - done));
      int n = in.read(buf, from + done);
      if (n < 0) {
        throw new IOException("segment ended at " + (from + done) + ", before " + (from + length));
      }
      out.write(buf.flip(), at + done);
      done += n;
    }
    return length;
  }

  /** Deletes what an interrupted repair left: copies never renamed into place. */
  private List<Path> deleteLeftovers() throws IOException {
    List<Path> deleted = new ArrayList<>();
    for (String name : io.list(dir)) {
      boolean quarantineCopy = name.contains(".dwal" + QUARANTINE_MARKER) && name.endsWith(TMP);
      boolean segmentCopy =
          name.endsWith(REPAIRING)
              && SegmentFiles.parseId(name.substring(0, name.length() - REPAIRING.length())) >= 0;
      if (quarantineCopy || segmentCopy) {
        io.deleteIfExists(dir.resolve(name));
        deleted.add(dir.resolve(name));
      }
    }
    if (!deleted.isEmpty()) {
      io.syncDirectory(dir);
    }
    return deleted;
  }

  private static void requireStore(FileIo io, Path dir) {
    Objects.requireNonNull(dir, "dir");
    try {
      SegmentFiles.requireStoreDirectory(io, dir);
    } catch (IOException e) {
      throw Errors.readFailed(dir, e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
  }
}
