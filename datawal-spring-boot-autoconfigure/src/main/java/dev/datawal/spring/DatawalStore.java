package dev.datawal.spring;

import dev.datawal.CompactionStats;
import dev.datawal.DataWal;
import dev.datawal.DatawalObserver;
import dev.datawal.DatawalOptions;
import dev.datawal.GarbageStats;
import dev.datawal.IntegrityStatus;
import dev.datawal.RecordLog;
import dev.datawal.RecordLogReader;
import dev.datawal.RecoveryReport;
import dev.datawal.RetentionStats;
import dev.datawal.VerificationReport;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The application's datawal store, whichever kind it is ({@link DataWal}, {@link RecordLog} or a
 * read-only {@link RecordLogReader}), as the Actuator endpoint, health indicator, metrics and
 * background maintenance see it: its state, its startup recovery, and what happened to it since.
 *
 * <p>It observes the store (see {@link DatawalObserver}) to remember the last fsync, compaction and
 * retention, whoever ran them. It never reads values or keys. Its integrity (damage found while it
 * is open, verifications) is the writer's: a read-only view has none, see {@link #integrity()}.
 *
 * <p>Thread-safe.
 */
public final class DatawalStore {
  private static final Log logger = LogFactory.getLog(DatawalStore.class);

  /** What kind of store it is. */
  public enum Mode {
    /** A key/value {@link DataWal}. */
    KV,
    /** A plain {@link RecordLog}. */
    LOG,
    /** A lockless {@link RecordLogReader}: no writer. */
    READ_ONLY;

    /**
     * {@return the mode as the Actuator endpoint, the health details and the {@code mode} metric
     * tag show it: {@code kv}, {@code log} or {@code read-only}}
     */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * When something happened and what it did.
   *
   * @param at when it finished
   * @param stats what it did
   * @param <T> the kind of result
   */
  public record Event<T>(Instant at, T stats) {}

  private final Mode mode;
  private final @Nullable DataWal dataWal;
  private final @Nullable RecordLog log; // null for a read-only view, which has a reader instead
  private final @Nullable RecordLogReader reader;
  private final RecoveryReport recoveryReport;
  private final @Nullable Duration recoveryDuration;
  private final Clock clock;
  private volatile @Nullable Instant lastFsync;
  private volatile @Nullable Event<CompactionStats> lastCompaction;
  private volatile @Nullable Event<RetentionStats> lastRetention;

  /** The last verification started by {@link #verifyInBackground()}. */
  private final AtomicReference<CompletableFuture<VerificationReport>> requested =
      new AtomicReference<>(CompletableFuture.completedFuture(null));

  private DatawalStore(
      Mode mode,
      @Nullable DataWal dataWal,
      @Nullable RecordLog log,
      @Nullable RecordLogReader reader,
      RecoveryReport recoveryReport,
      @Nullable Duration recoveryDuration,
      Clock clock) {
    this.mode = mode;
    this.dataWal = dataWal;
    this.log = log;
    this.reader = reader;
    this.recoveryReport = recoveryReport;
    this.recoveryDuration = recoveryDuration;
    this.clock = clock;
    if (log != null) {
      log.addObserver(new Remember());
    }
  }

  /**
   * A key/value store.
   *
   * @param dataWal the store
   * @param recoveryDuration how long opening took, or null if unknown (opened elsewhere)
   * @return its view
   */
  public static DatawalStore of(DataWal dataWal, @Nullable Duration recoveryDuration) {
    Objects.requireNonNull(dataWal, "dataWal");
    return new DatawalStore(
        Mode.KV,
        dataWal,
        dataWal.log(),
        null,
        dataWal.recoveryReport(),
        recoveryDuration,
        Clock.systemUTC());
  }

  /**
   * A plain log.
   *
   * @param log the log
   * @param recoveryDuration how long opening took, or null if unknown (opened elsewhere)
   * @return its view
   */
  public static DatawalStore of(RecordLog log, @Nullable Duration recoveryDuration) {
    Objects.requireNonNull(log, "log");
    return new DatawalStore(
        Mode.LOG, null, log, null, log.recoveryReport(), recoveryDuration, Clock.systemUTC());
  }

  /**
   * A read-only view.
   *
   * @param reader the lockless reader
   * @param report what recovery would find, from the scan made when it was opened
   * @param scanDuration how long that scan took, or null if unknown
   * @return its view
   */
  public static DatawalStore of(
      RecordLogReader reader, RecoveryReport report, @Nullable Duration scanDuration) {
    Objects.requireNonNull(reader, "reader");
    return new DatawalStore(
        Mode.READ_ONLY, null, null, reader, report, scanDuration, Clock.systemUTC());
  }

  /** {@return what kind of store it is} */
  public Mode mode() {
    return mode;
  }

  /** {@return the store directory} */
  public Path dir() {
    return log != null ? log.dir() : readOnly().dir();
  }

  /** {@return the options the writer was opened with; empty for a read-only view} */
  public Optional<DatawalOptions> options() {
    return Optional.ofNullable(log).map(RecordLog::options);
  }

  /** {@return the key/value store, if it is one} */
  public Optional<DataWal> dataWal() {
    return Optional.ofNullable(dataWal);
  }

  /** {@return the writer's log (also under a key/value store); empty for a read-only view} */
  public Optional<RecordLog> log() {
    return Optional.ofNullable(log);
  }

  /** {@return the read-only reader, if the store was opened read-only} */
  public Optional<RecordLogReader> reader() {
    return Optional.ofNullable(reader);
  }

  /** {@return what recovery found (or, read-only, would find) when the store was opened} */
  public RecoveryReport recoveryReport() {
    return recoveryReport;
  }

  /** {@return how long opening and recovery took, if this application opened the store} */
  public Optional<Duration> recoveryDuration() {
    return Optional.ofNullable(recoveryDuration);
  }

  /** {@return whether a failed write or fsync poisoned the writer; never for a read-only view} */
  public boolean isPoisoned() {
    return log != null && log.isPoisoned();
  }

  /**
   * {@return why the writer refuses changes (a failed write or fsync, or a store opened read-only
   * because its disk was full); empty if it does not}
   */
  public Optional<String> poisonReason() {
    return log == null ? Optional.empty() : log.poisonReason();
  }

  /** {@return whether the writer is closed; a read-only view is never closed} */
  public boolean isClosed() {
    return log != null && log.isClosed();
  }

  /**
   * {@return every segment file: id to size in bytes} For a read-only view, the segments it was
   * opened with, sized now (0 if one has since been deleted).
   */
  public SortedMap<Long, Long> segmentSizes() {
    return log != null ? log.segmentSizes() : readOnly().segmentSizes();
  }

  /** {@return the bytes of every segment file} */
  public long diskBytes() {
    if (log != null) {
      return log.diskBytes();
    }
    return segmentSizes().values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * {@return the txid the next append gets; for a read-only view, one past the last txid recovered}
   */
  public long nextTxid() {
    return (log != null ? log.lastTxid() : recoveryReport.lastTxidSeen()) + 1;
  }

  /** {@return the live keys of a key/value store} */
  public Optional<Integer> liveKeys() {
    return dataWal().map(DataWal::size);
  }

  /** {@return the garbage of a key/value store} */
  public Optional<GarbageStats> garbage() {
    return dataWal().map(DataWal::garbage);
  }

  /** {@return when an fsync last made records durable, since the store was opened} */
  public Optional<Instant> lastFsync() {
    return Optional.ofNullable(lastFsync);
  }

  /** {@return the last compaction since the store was opened, whoever ran it} */
  public Optional<Event<CompactionStats>> lastCompaction() {
    return Optional.ofNullable(lastCompaction);
  }

  /** {@return the last retention run since the store was opened, whoever ran it} */
  public Optional<Event<RetentionStats>> lastRetention() {
    return Optional.ofNullable(lastRetention);
  }

  /**
   * {@return what the writer knows of the store's integrity since it was opened: damage found by
   * verifications and reads, the verification running now and the last one finished} Empty for a
   * read-only view: a {@link RecordLogReader} keeps no such record (damage its reads meet is thrown
   * to the reader, and it verifies nothing in the background); its scan at open is in {@link
   * #recoveryReport()}, and {@code datawal verify <dir>} checks a store without a writer.
   */
  public Optional<IntegrityStatus> integrity() {
    return log().map(RecordLog::integrity);
  }

  /**
   * Verifies every sealed segment now, on the calling thread, first waiting for a verification
   * already running to end; see {@link RecordLog#verify()}. What it finds also shows in {@link
   * #integrity()}.
   *
   * @return what the verification found
   * @throws UnsupportedOperationException for a read-only view
   * @throws IllegalStateException if the store is closed
   */
  public VerificationReport verify() {
    return verifier().verify();
  }

  /**
   * Starts verifying every sealed segment on a daemon thread and returns at once, unless a
   * verification is running already: one started here, or the engine's own in the background (see
   * {@link DatawalOptions#verifyAfterOpen()} and {@link DatawalOptions#verifyInterval()}). What it
   * finds shows in {@link #integrity()} too.
   *
   * @return the verification's report, when it ends; empty if one was running already
   * @throws UnsupportedOperationException for a read-only view
   * @throws IllegalStateException if the store is closed
   */
  public Optional<CompletableFuture<VerificationReport>> verifyInBackground() {
    RecordLog writer = verifier();
    if (writer.isClosed()) {
      throw new IllegalStateException("datawal: the store at " + dir() + " is closed");
    }
    // Never null: it starts completed, and is only ever replaced by another future.
    CompletableFuture<VerificationReport> previous = Objects.requireNonNull(requested.get());
    if (!previous.isDone() || writer.integrity().running() != null) {
      return Optional.empty();
    }
    // An engine verification starting just now makes this one wait for it and then run: one scrub
    // more, never two at once (the engine runs one at a time).
    CompletableFuture<VerificationReport> next = new CompletableFuture<>();
    if (!requested.compareAndSet(previous, next)) {
      return Optional.empty(); // another caller started one meanwhile
    }
    Thread thread = new Thread(() -> verify(writer, next), "datawal-verify-request " + dir());
    thread.setDaemon(true); // never holds the JVM open; closing the store ends the verification
    thread.start();
    return Optional.of(next);
  }

  private void verify(RecordLog writer, CompletableFuture<VerificationReport> result) {
    try {
      result.complete(writer.verify());
    } catch (Throwable e) {
      result.completeExceptionally(e); // always ends, or no later request would start one
      if (e instanceof Error error) {
        throw error;
      }
      if (!writer.isClosed()) {
        logger.warn("datawal: verifying " + dir() + " failed", e);
      }
    }
  }

  /** The reader of a store without a writer: every factory gives a store one or the other. */
  private RecordLogReader readOnly() {
    return Objects.requireNonNull(reader, "a store without a writer has a reader");
  }

  private RecordLog verifier() {
    if (log == null) {
      throw new UnsupportedOperationException(
          "datawal: the store at "
              + dir()
              + " is open read-only; verify needs a writer (`datawal verify "
              + dir()
              + "` checks the store without one)");
    }
    return log;
  }

  /**
   * Makes every write so far durable.
   *
   * @throws UnsupportedOperationException for a read-only view
   */
  public void fsync() {
    writer("fsync").fsync();
  }

  private RecordLog writer(String operation) {
    if (log == null) {
      throw new UnsupportedOperationException(
          "datawal: the store at "
              + dir()
              + " is open read-only; "
              + operation
              + " needs a writer");
    }
    return log;
  }

  /** Remembers the last fsync, compaction and retention. */
  private final class Remember implements DatawalObserver {
    @Override
    public void synced(long records, long nanos) {
      lastFsync = clock.instant();
    }

    @Override
    public void compacted(CompactionStats stats) {
      lastCompaction = new Event<>(clock.instant(), stats);
    }

    @Override
    public void retained(RetentionStats stats) {
      lastRetention = new Event<>(clock.instant(), stats);
    }
  }
}
