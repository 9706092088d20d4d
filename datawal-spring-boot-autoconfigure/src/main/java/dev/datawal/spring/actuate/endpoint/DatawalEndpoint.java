package dev.datawal.spring.actuate.endpoint;

import dev.datawal.CompactionStats;
import dev.datawal.DamageEvent;
import dev.datawal.DatawalException;
import dev.datawal.DatawalOptions;
import dev.datawal.GarbageStats;
import dev.datawal.IntegrityProblem;
import dev.datawal.IntegrityStatus;
import dev.datawal.RecordLog;
import dev.datawal.RecoveryReport;
import dev.datawal.RetentionStats;
import dev.datawal.VerificationReport;
import dev.datawal.spring.DatawalMaintenance;
import dev.datawal.spring.DatawalStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code datawal} Actuator endpoint: the store's state, its startup recovery report and its
 * integrity (read), and compaction, fsync or a verification on demand (write: {@code compact},
 * {@code fsync} or {@code verify} as the selector, over HTTP {@code POST
 * /actuator/datawal/compact}). It never shows values or keys.
 *
 * <p>Write operations on a store that cannot take them (read-only, closed, poisoned) fail with
 * {@link Refused}; an unknown action with {@link InvalidEndpointRequestException}. Over HTTP,
 * {@link DatawalEndpointWebExtension} answers these with 409 and 400 and the reason in the body.
 *
 * <p>Thread-safe.
 */
@Endpoint(id = "datawal")
public final class DatawalEndpoint {
  /** The write operations, by their selector. */
  static final List<String> ACTIONS = List.of("compact", "fsync", "verify");

  /**
   * How long {@code verify} waits for the verification it started: enough for a small store's
   * answer to carry the report, short enough that a large one's request never waits for the scrub.
   */
  static final Duration VERIFY_WAIT = Duration.ofMillis(200);

  private final DatawalStore store;
  private final @Nullable DatawalMaintenance maintenance;
  private final Clock clock;

  /**
   * An endpoint over {@code store}.
   *
   * @param store the store
   * @param maintenance what runs {@code compact}, or null to refuse it
   */
  public DatawalEndpoint(DatawalStore store, @Nullable DatawalMaintenance maintenance) {
    this(store, maintenance, Clock.systemUTC());
  }

  DatawalEndpoint(DatawalStore store, @Nullable DatawalMaintenance maintenance, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.maintenance = maintenance;
    this.clock = clock;
  }

  /** {@return the store's state now, and what recovery found when it was opened} */
  @ReadOperation
  public StoreDescriptor datawal() {
    DatawalOptions options = store.options().orElse(null);
    return new StoreDescriptor(
        store.dir().toString(),
        store.mode().label(),
        options == null
            ? null
            : new FsyncDescriptor(options.fsyncPolicy().name(), options.fsyncInterval()),
        options == null ? null : options.maxSegmentSize(),
        orNull(
            () ->
                store.segmentSizes().entrySet().stream()
                    .map(segment -> new SegmentDescriptor(segment.getKey(), segment.getValue()))
                    .toList()),
        orNull(store::diskBytes),
        orNull(() -> store.liveKeys().orElse(null)),
        orNull(() -> store.garbage().map(GarbageDescriptor::of).orElse(null)),
        orNull(store::nextTxid),
        store.lastFsync().orElse(null),
        store.isPoisoned(),
        store.isClosed(),
        store.lastCompaction().map(CompactionDescriptor::of).orElse(null),
        store.lastRetention().map(RetentionDescriptor::of).orElse(null),
        RecoveryDescriptor.of(store.recoveryReport(), store.recoveryDuration().orElse(null)),
        integrity());
  }

  /**
   * Runs {@code action} now: {@code compact} compacts a key/value store or applies retention to a
   * log (see {@link DatawalMaintenance#runNow()}), {@code fsync} makes every write so far durable
   * and says up to which txid the log is durable now and how many records that made durable, {@code
   * verify} starts a verification of every sealed segment in the background (see {@link
   * DatawalStore#verifyInBackground()}) and waits for it at most {@link #VERIFY_WAIT}.
   *
   * @param action {@code compact}, {@code fsync} or {@code verify}, in any case
   * @return what it did, and the store's state after it
   * @throws InvalidEndpointRequestException if {@code action} is none of them
   * @throws Refused if the store cannot do it (read-only, closed, poisoned)
   */
  @WriteOperation
  public ActionDescriptor run(@Selector String action) {
    String name = action == null ? "" : action.toLowerCase(Locale.ROOT);
    if (!ACTIONS.contains(name)) {
      throw new InvalidEndpointRequestException(
          "Unknown datawal action '" + action + "'; expected one of " + ACTIONS,
          "Unknown datawal action; expected one of " + ACTIONS);
    }
    try {
      if (name.equals("fsync")) {
        return described(name, "RAN", fsync());
      }
      if (name.equals("verify")) {
        return described(name, verify(), null);
      }
      if (maintenance == null) {
        throw new Refused("datawal: no DatawalMaintenance bean; compact is not available");
      }
      return described(name, maintenance.runNow().name(), null);
    } catch (UnsupportedOperationException | IllegalStateException | DatawalException e) {
      // Read-only view, closed store, poisoned writer: the caller's request cannot be served now.
      throw new Refused("datawal: " + name + " refused: " + e.getMessage(), e);
    }
  }

  /** Fsyncs the store's writer, and says up to where its log is durable now and what that took. */
  private FsyncRunDescriptor fsync() {
    RecordLog log = store.log().orElse(null);
    if (log == null) {
      store.fsync(); // refuses a read-only view, saying why
      throw new UnsupportedOperationException("datawal: the store has no writer to fsync");
    }
    long durableBefore = log.durableTxid();
    long started = System.nanoTime();
    store.fsync();
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    long durable = log.durableTxid();
    return new FsyncRunDescriptor(durable, durable - durableBefore, took);
  }

  /** RAN if it ended within the wait, STARTED if it goes on, SKIPPED_BUSY if one was running. */
  private String verify() {
    Optional<CompletableFuture<VerificationReport>> started = store.verifyInBackground();
    if (started.isEmpty()) {
      return "SKIPPED_BUSY";
    }
    try {
      started.get().get(VERIFY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      return "RAN";
    } catch (TimeoutException e) {
      return "STARTED";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "STARTED";
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure; // closed meanwhile, or a segment could not be read: answered as refused
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private ActionDescriptor described(
      String action, String outcome, @Nullable FsyncRunDescriptor fsync) {
    return new ActionDescriptor(
        action,
        outcome,
        clock.instant(),
        fsync,
        store.lastFsync().orElse(null),
        store.lastCompaction().map(CompactionDescriptor::of).orElse(null),
        store.lastRetention().map(RetentionDescriptor::of).orElse(null),
        integrity());
  }

  private @Nullable IntegrityDescriptor integrity() {
    return orNull(() -> store.integrity().map(IntegrityDescriptor::of).orElse(null));
  }

  /** A value of a store that may be closed: null when it cannot say. */
  private static <T> @Nullable T orNull(Supplier<? extends @Nullable T> value) {
    try {
      return value.get();
    } catch (IllegalStateException | DatawalException e) {
      return null;
    }
  }

  /** The store cannot do what a write operation asked (read-only, closed, poisoned). */
  public static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }

    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The store's state and its startup recovery. Fields a store cannot answer (a read-only view's
   * options, a closed store's segments) are null.
   *
   * @param dir the store directory
   * @param mode kv, log or read-only
   * @param fsync when appends become durable; null read-only
   * @param maxSegmentSize bytes past which a segment is sealed; null read-only
   * @param segments every segment file, oldest first
   * @param diskBytes the bytes of every segment
   * @param liveKeys live keys of a key/value store
   * @param garbage garbage of a key/value store
   * @param nextTxid the txid the next append gets
   * @param lastFsync when an fsync last made records durable since the store was opened
   * @param poisoned whether a failed write or fsync poisoned the writer
   * @param closed whether the writer is closed
   * @param lastCompaction the last compaction since the store was opened
   * @param lastRetention the last retention run since the store was opened
   * @param recovery what recovery found when the store was opened
   * @param integrity what is known of the store's integrity since it was opened; null read-only
   */
  public record StoreDescriptor(
      String dir,
      String mode,
      @Nullable FsyncDescriptor fsync,
      @Nullable Long maxSegmentSize,
      @Nullable List<SegmentDescriptor> segments,
      @Nullable Long diskBytes,
      @Nullable Integer liveKeys,
      @Nullable GarbageDescriptor garbage,
      @Nullable Long nextTxid,
      @Nullable Instant lastFsync,
      boolean poisoned,
      boolean closed,
      @Nullable CompactionDescriptor lastCompaction,
      @Nullable RetentionDescriptor lastRetention,
      RecoveryDescriptor recovery,
      @Nullable IntegrityDescriptor integrity) {}

  /**
   * The fsync policy.
   *
   * @param policy MANUAL, ALWAYS or INTERVAL
   * @param interval under INTERVAL, the longest a write stays unsynced
   */
  public record FsyncDescriptor(String policy, Duration interval) {}

  /**
   * One segment file.
   *
   * @param id its id
   * @param bytes its size
   */
  public record SegmentDescriptor(long id, long bytes) {}

  /**
   * Garbage of a key/value store.
   *
   * @param liveBytes bytes of live Puts
   * @param totalBytes bytes of every segment
   * @param reclaimableBytes garbage compaction can reclaim now
   * @param ratio dead bytes as a fraction of all bytes
   */
  public record GarbageDescriptor(
      long liveBytes, long totalBytes, long reclaimableBytes, double ratio) {
    static GarbageDescriptor of(GarbageStats stats) {
      return new GarbageDescriptor(
          stats.liveBytes(), stats.totalBytes(), stats.reclaimableBytes(), stats.ratio());
    }
  }

  /**
   * A compaction.
   *
   * @param at when it finished
   * @param stats what it did
   */
  public record CompactionDescriptor(Instant at, CompactionStats stats) {
    static CompactionDescriptor of(DatawalStore.Event<CompactionStats> event) {
      return new CompactionDescriptor(event.at(), event.stats());
    }
  }

  /**
   * A retention run.
   *
   * @param at when it finished
   * @param stats what it deleted
   */
  public record RetentionDescriptor(Instant at, RetentionStats stats) {
    static RetentionDescriptor of(DatawalStore.Event<RetentionStats> event) {
      return new RetentionDescriptor(event.at(), event.stats());
    }
  }

  /**
   * What recovery found when the store was opened; see {@link RecoveryReport}.
   *
   * @param duration how long opening and recovery took, if this application opened the store
   * @param filesScanned segment files read (with a snapshot: those read after the part it covers)
   * @param recordsReplayed valid records read (with a snapshot: only those after the part it
   *     covers)
   * @param tailTruncated segments whose damaged tail was left out (0 or 1)
   * @param tailBytesDiscarded bytes left out of the log as torn tail
   * @param midStreamErrors always 0 (such damage fails the open instead)
   * @param unsupportedVersions always 0 (such damage fails the open instead)
   * @param lastTxidSeen the highest txid of a valid record, 0 for an empty log
   * @param damageFound whether recovery left anything out
   * @param damage each damaged region left out of the log
   * @param leftoversRemoved files an interrupted compaction or repair left behind, deleted
   * @param snapshotUsed whether the key directory was loaded from the key-directory snapshot (the
   *     counts then cover only the log after it)
   * @param snapshotKeys live keys loaded from the snapshot, 0 if none was used
   */
  public record RecoveryDescriptor(
      @Nullable Duration duration,
      int filesScanned,
      long recordsReplayed,
      int tailTruncated,
      long tailBytesDiscarded,
      long midStreamErrors,
      long unsupportedVersions,
      long lastTxidSeen,
      boolean damageFound,
      List<DamageDescriptor> damage,
      List<String> leftoversRemoved,
      boolean snapshotUsed,
      long snapshotKeys) {
    static RecoveryDescriptor of(RecoveryReport report, @Nullable Duration duration) {
      return new RecoveryDescriptor(
          duration,
          report.filesScanned(),
          report.recordsReplayed(),
          report.tailTruncated(),
          report.tailBytesDiscarded(),
          report.midStreamErrors(),
          report.unsupportedVersions(),
          report.lastTxidSeen(),
          report.damageFound(),
          report.damage().stream().map(DamageDescriptor::of).toList(),
          report.leftoversRemoved().stream().map(Path::toString).toList(),
          report.snapshotUsed(),
          report.snapshotKeys());
    }
  }

  /**
   * One damaged region recovery left out; see {@link DamageEvent}.
   *
   * @param segment the damaged segment's id
   * @param offset where the damage starts
   * @param kind what is wrong with the first damaged frame
   * @param bytes how many bytes were left out
   * @param keptIn the file those bytes are kept in
   */
  public record DamageDescriptor(
      long segment, long offset, String kind, long bytes, @Nullable String keptIn) {
    static DamageDescriptor of(DamageEvent event) {
      return new DamageDescriptor(
          event.segment(),
          event.offset(),
          event.kind().name(),
          event.bytes(),
          event.keptIn() == null ? null : event.keptIn().toString());
    }
  }

  /**
   * What the writer knows of the store's integrity since it was opened; see {@link
   * IntegrityStatus}.
   *
   * @param damaged whether damaged or lost data was found: the next start refuses the store until
   *     {@code datawal repair}
   * @param problems the damage found, oldest first
   * @param running the verification running now, or null
   * @param lastVerification the last verification that finished, or null
   */
  public record IntegrityDescriptor(
      boolean damaged,
      List<ProblemDescriptor> problems,
      @Nullable ProgressDescriptor running,
      @Nullable VerificationDescriptor lastVerification) {
    static IntegrityDescriptor of(IntegrityStatus status) {
      return new IntegrityDescriptor(
          status.damaged(),
          status.problems().stream().map(ProblemDescriptor::of).toList(),
          status.running() == null ? null : ProgressDescriptor.of(status.running()),
          status.last() == null ? null : VerificationDescriptor.of(status.last()));
    }
  }

  /**
   * Damage found while the store is open; see {@link IntegrityProblem}.
   *
   * @param kind what is wrong, a {@link dev.datawal.CorruptionKind} name
   * @param segment the segment, -1 for the store's manifest
   * @param offset where in it
   * @param message the whole message
   * @param foundBy VERIFICATION or READ
   * @param foundAt when
   */
  public record ProblemDescriptor(
      String kind, long segment, long offset, String message, String foundBy, Instant foundAt) {
    static ProblemDescriptor of(IntegrityProblem problem) {
      return new ProblemDescriptor(
          problem.kind().name(),
          problem.segment(),
          problem.offset(),
          problem.message(),
          problem.foundBy().name(),
          problem.foundAt());
    }
  }

  /**
   * How far the running verification is.
   *
   * @param started when it started
   * @param segmentsDone sealed segments done
   * @param segmentsTotal sealed segments to do
   * @param bytesDone bytes read
   * @param bytesTotal bytes to read
   */
  public record ProgressDescriptor(
      Instant started, int segmentsDone, int segmentsTotal, long bytesDone, long bytesTotal) {
    static ProgressDescriptor of(IntegrityStatus.Progress progress) {
      return new ProgressDescriptor(
          progress.started(),
          progress.segmentsDone(),
          progress.segmentsTotal(),
          progress.bytesDone(),
          progress.bytesTotal());
    }
  }

  /**
   * A finished verification; see {@link VerificationReport}.
   *
   * @param started when it started
   * @param took how long it took
   * @param segmentsChecked sealed segments read whole
   * @param segmentsSkipped sealed segments compaction or retention changed meanwhile, left for the
   *     next one
   * @param framesChecked frames read and checked
   * @param bytesChecked bytes read
   * @param problems how many damaged places it found (they are in the problems list)
   */
  public record VerificationDescriptor(
      Instant started,
      Duration took,
      int segmentsChecked,
      int segmentsSkipped,
      long framesChecked,
      long bytesChecked,
      int problems) {
    static VerificationDescriptor of(VerificationReport report) {
      return new VerificationDescriptor(
          report.started(),
          report.took(),
          report.segmentsChecked(),
          report.segmentsSkipped(),
          report.framesChecked(),
          report.bytesChecked(),
          report.problems().size());
    }
  }

  /**
   * What the {@code fsync} operation did.
   *
   * @param durableTxid every record up to this txid is durable now (0 for an empty log)
   * @param madeDurable how many records became durable during the call (appended before it and not
   *     yet durable, made durable by this fsync or by one that ran at the same time); 0 when every
   *     record was durable already, and then the call did no I/O
   * @param took how long the call took
   */
  public record FsyncRunDescriptor(long durableTxid, long madeDurable, Duration took) {}

  /**
   * What a write operation did.
   *
   * @param action compact, fsync or verify
   * @param outcome RAN; for compact SKIPPED_BUSY when another run was in progress; for verify
   *     STARTED when it goes on in the background (see {@code integrity.running}), SKIPPED_BUSY
   *     when a verification was running already
   * @param at when it finished (verify: when the answer was made)
   * @param fsync for fsync, what it made durable; null for the other actions
   * @param lastFsync the store's last fsync after it
   * @param lastCompaction the store's last compaction after it
   * @param lastRetention the store's last retention run after it
   * @param integrity the store's integrity after it; null read-only
   */
  public record ActionDescriptor(
      String action,
      String outcome,
      Instant at,
      @Nullable FsyncRunDescriptor fsync,
      @Nullable Instant lastFsync,
      @Nullable CompactionDescriptor lastCompaction,
      @Nullable RetentionDescriptor lastRetention,
      @Nullable IntegrityDescriptor integrity) {}

  /** The body of a refused or unknown write operation over HTTP. */
  static Map<String, Object> error(String action, @Nullable String message) {
    return Map.of("action", action == null ? "" : action, "error", message == null ? "" : message);
  }
}
