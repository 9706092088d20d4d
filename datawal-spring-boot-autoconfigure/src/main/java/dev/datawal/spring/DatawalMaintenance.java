package dev.datawal.spring;

import dev.datawal.DataWal;
import dev.datawal.GarbageStats;
import dev.datawal.RecordLog;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * Background maintenance of the store: compaction of a key/value store when enough of it is
 * garbage, retention of a plain log when limits are set. Neither deletes a record that a {@link
 * RetentionFloor} (a named subscriber, a relay) still needs. One run at a time: scheduled runs
 * follow each other with a fixed delay, and a run asked for while another is going is skipped.
 *
 * <p>Starts with the application context and stops early in its shutdown, before the web server and
 * the store; a run in progress is allowed to finish (it is never interrupted: interrupting a thread
 * in file I/O would close the store's shared file channels).
 *
 * <p>Thread-safe.
 */
public final class DatawalMaintenance implements SmartLifecycle {
  private static final Log logger = LogFactory.getLog(DatawalMaintenance.class);

  /** How long shutdown waits for a run in progress. */
  private static final Duration STOP_WAIT = Duration.ofMinutes(5);

  /** What a maintenance request did. */
  public enum Outcome {
    /** It ran; the store's last compaction or retention shows what it did. */
    RAN,
    /** Another run was in progress, so this one did not start. */
    SKIPPED_BUSY,
    /** A scheduled compaction found too little garbage to be worth it. */
    SKIPPED_NOT_DUE
  }

  /**
   * When maintenance runs by itself: a key/value store is compacted on the compaction schedule, a
   * plain log gets retention on the retention schedule, a read-only view never.
   *
   * @param compactionInterval how often to check whether a key/value store's compaction is due;
   *     null schedules none
   * @param minGarbageRatio the share (0 to 1) of the store's bytes that must be reclaimable for a
   *     scheduled compaction to be due
   * @param retentionInterval how often to apply retention to a plain log; null schedules none
   */
  public record Schedule(
      @Nullable Duration compactionInterval,
      double minGarbageRatio,
      @Nullable Duration retentionInterval) {}

  private final DatawalStore store;
  private final Schedule schedule;
  private final List<RetentionFloor> floors;
  private final ReentrantLock running = new ReentrantLock();
  private @Nullable ScheduledExecutorService scheduler; // guarded by this

  /**
   * Maintenance of {@code store}, started and stopped with the application context.
   *
   * @param store the store to maintain
   * @param schedule when maintenance runs by itself
   * @param floors the readers whose unprocessed records no run may delete
   */
  public DatawalMaintenance(DatawalStore store, Schedule schedule, List<RetentionFloor> floors) {
    this.store = Objects.requireNonNull(store, "store");
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    this.floors = List.copyOf(floors);
  }

  /**
   * Compacts a key/value store or applies retention to a log now, on the calling thread, whatever
   * the garbage ratio.
   *
   * @return {@link Outcome#RAN}, or {@link Outcome#SKIPPED_BUSY} if another run was in progress
   * @throws UnsupportedOperationException for a read-only store
   */
  public Outcome runNow() {
    if (store.mode() == DatawalStore.Mode.READ_ONLY) {
      throw new UnsupportedOperationException(
          "datawal: the store at "
              + store.dir()
              + " is open read-only; maintenance needs a writer");
    }
    return runExclusively(true);
  }

  /** The scheduled run: compaction only when due. */
  Outcome runScheduled() {
    return runExclusively(false);
  }

  private Outcome runExclusively(boolean always) {
    if (!running.tryLock()) {
      return Outcome.SKIPPED_BUSY;
    }
    try {
      if (store.dataWal().isPresent()) {
        return compact(store.dataWal().get(), always);
      }
      RecordLog log = store.log().orElseThrow();
      log.applyRetention(retentionFloor());
      return Outcome.RAN;
    } finally {
      running.unlock();
    }
  }

  private Outcome compact(DataWal dataWal, boolean always) {
    GarbageStats garbage = dataWal.garbage();
    double ratio = garbage.reclaimableRatio();
    double due = schedule.minGarbageRatio();
    if (!always && (ratio < due || garbage.reclaimableBytes() == 0)) {
      return Outcome.SKIPPED_NOT_DUE;
    }
    dataWal.compact(retentionFloor()); // never touches what a registered reader still needs
    return Outcome.RAN;
  }

  /** The lowest txid any registered reader still needs; MAX_VALUE keeps nothing extra. */
  long retentionFloor() {
    long floor = Long.MAX_VALUE;
    for (RetentionFloor reader : floors) {
      OptionalLong needed = reader.keepFromTxid();
      if (needed.isPresent()) {
        floor = Math.min(floor, needed.getAsLong());
      }
    }
    return floor;
  }

  @Override
  public synchronized void start() {
    Duration interval = interval();
    if (interval == null || scheduler != null) {
      return;
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "datawal-maintenance " + store.dir());
              thread.setDaemon(true);
              return thread;
            });
    long millis = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::runLogged, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** How often to run, or null when nothing is to be scheduled for this store. */
  private @Nullable Duration interval() {
    return switch (store.mode()) {
      case KV -> schedule.compactionInterval();
      case LOG -> schedule.retentionInterval();
      case READ_ONLY -> null;
    };
  }

  private void runLogged() {
    try {
      if (!store.isClosed() && !store.isPoisoned()) {
        runScheduled();
      }
    } catch (RuntimeException e) {
      // Keep the schedule: a failed run changes nothing (compaction and retention are crash-safe),
      // and the next one may succeed; the failure shows here and in the health indicator.
      logger.warn("datawal: scheduled maintenance of " + store.dir() + " failed", e);
    }
  }

  @Override
  public synchronized void stop() {
    if (scheduler == null) {
      return;
    }
    scheduler.shutdown(); // no interrupt, see the class comment
    try {
      if (!scheduler.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        logger.warn("datawal: maintenance of " + store.dir() + " still running at shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    scheduler = null;
  }

  @Override
  public synchronized boolean isRunning() {
    return scheduler != null;
  }
}
