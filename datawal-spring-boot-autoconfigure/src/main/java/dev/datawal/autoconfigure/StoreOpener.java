package dev.datawal.autoconfigure;

import dev.datawal.DamageEvent;
import dev.datawal.RecoveryReport;
import dev.datawal.StoreLockedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Opens the auto-configured store: waits up to {@code datawal.lock.wait} for another process to
 * release it, logs what recovery found, and remembers how long opening took for the endpoint and
 * metrics.
 *
 * <p>Thread-safe.
 */
final class StoreOpener {
  private static final Log logger = LogFactory.getLog(StoreOpener.class);

  /** How often a waiting open retries the lock: a restart's old process usually exits quickly. */
  static final Duration RETRY = Duration.ofMillis(100);

  private final Duration lockWait;

  /** What opening a store found and how long it took. */
  record Opening(RecoveryReport report, Duration took) {}

  private final Map<Object, Opening> openings =
      Collections.synchronizedMap(new IdentityHashMap<>());

  StoreOpener(Duration lockWait) {
    this.lockWait = lockWait;
  }

  /**
   * Opens a store with {@code open}, retrying while another writer holds the lock, for at most the
   * lock wait.
   *
   * @param what "kv store", "log" or "read-only view", for the log line
   * @throws StoreLockedException if the lock is still held when the wait is over (naming the wait)
   */
  <T> T open(String what, Path dir, Supplier<T> open, Function<T, RecoveryReport> report) {
    long started = System.nanoTime();
    long deadline = started + lockWait.toNanos();
    boolean waiting = false;
    while (true) {
      try {
        T store = open.get();
        RecoveryReport found = report.apply(store);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        openings.put(store, new Opening(found, took));
        log(what, dir, found, took);
        return store;
      } catch (StoreLockedException e) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          if (lockWait.isZero()) {
            throw e;
          }
          throw new StoreLockedException(
              e.dir(),
              e.holderPid(),
              e.getMessage() + " (still locked after waiting datawal.lock.wait=" + lockWait + ")");
        }
        if (!waiting) {
          logger.info(
              "datawal: "
                  + dir
                  + " is locked by another writer"
                  + (e.holderPid() > 0 ? " (pid " + e.holderPid() + ")" : "")
                  + "; waiting up to "
                  + lockWait
                  + " for it to be released");
          waiting = true;
        }
        sleep(Math.min(left, RETRY.toNanos()));
      }
    }
  }

  /** What opening {@code store} found and how long it took, or null if this opener did not. */
  @Nullable Opening opening(Object store) {
    return openings.get(store);
  }

  private static void log(String what, Path dir, RecoveryReport report, Duration took) {
    String line =
        "datawal: opened "
            + what
            + " "
            + dir
            + " in "
            + took.toMillis()
            + " ms: "
            + report.summary();
    if (!report.damageFound() && report.leftoversRemoved().isEmpty()) {
      logger.info(line);
      return;
    }
    logger.warn(line);
    for (DamageEvent damage : report.damage()) {
      logger.warn(
          "datawal: recovery left out "
              + damage.bytes()
              + " damaged bytes ("
              + damage.kind()
              + ") at segment "
              + damage.segment()
              + " offset "
              + damage.offset()
              + "; they are kept in "
              + damage.keptIn());
    }
    for (Path leftover : report.leftoversRemoved()) {
      logger.warn("datawal: recovery removed leftover file " + leftover);
    }
  }

  private static void sleep(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("datawal: interrupted while waiting for the store lock", e);
    }
  }
}
