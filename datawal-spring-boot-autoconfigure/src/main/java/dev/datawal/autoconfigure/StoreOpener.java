package dev.datawal.autoconfigure;

import dev.datawal.DamageEvent;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RecoveryReport;
import dev.datawal.StoreLockedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;

/**
 * Opens the auto-configured store: waits up to {@code datawal.lock.wait} for another process to
 * release it, logs where the store is, how durable its writes are and what recovery found, and
 * remembers how long opening took for the endpoint and metrics. When the context closes, after the
 * stores it opened (which depend on it, so are destroyed first), it logs a line for each: closed,
 * or not closed cleanly.
 *
 * <p>Thread-safe.
 */
final class StoreOpener implements DisposableBean {
  private static final Log logger = LogFactory.getLog(StoreOpener.class);

  /** How often a waiting open retries the lock: a restart's old process usually exits quickly. */
  static final Duration RETRY = Duration.ofMillis(100);

  private final Duration lockWait;

  /** What opening a store found and how long it took. */
  record Opening(RecoveryReport report, Duration took) {}

  private final Map<Object, Opening> openings =
      Collections.synchronizedMap(new IdentityHashMap<>());

  /** The writers this opener opened, for the line at close. */
  private final List<Opened> writers = new CopyOnWriteArrayList<>();

  private record Opened(String what, RecordLog log) {}

  StoreOpener(Duration lockWait) {
    this.lockWait = lockWait;
  }

  /**
   * Opens a store with {@code open}, retrying while another writer holds the lock, for at most the
   * lock wait.
   *
   * @param what "kv store", "log" or "read-only view of", for the log line
   * @param writer the store's log, or null for a read-only view
   * @throws StoreLockedException if the lock is still held when the wait is over (naming the wait)
   */
  <T> T open(
      String what,
      Path dir,
      Supplier<T> open,
      Function<T, RecoveryReport> report,
      Function<T, @Nullable RecordLog> writer) {
    long started = System.nanoTime();
    long deadline = started + lockWait.toNanos();
    boolean waiting = false;
    while (true) {
      try {
        T store = open.get();
        RecoveryReport found = report.apply(store);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        openings.put(store, new Opening(found, took));
        RecordLog log = writer.apply(store);
        log(what + " " + where(dir, log == null ? null : log.options()), found, took);
        if (log != null) {
          writers.add(new Opened(what, log));
        }
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

  /**
   * Logs, for each writer this opener opened, whether it closed: the store beans depend on the
   * opener, so the context has closed them (or failed to) before this runs.
   */
  @Override
  public void destroy() {
    for (Opened opened : writers) {
      RecordLog log = opened.log();
      String where = opened.what() + " " + where(log.dir(), log.options());
      if (log.isClosed() && !log.isPoisoned()) {
        logger.info(
            "datawal: closed "
                + where
                + ": every write up to txid "
                + log.lastTxid()
                + " is durable, lock released");
      } else if (log.isClosed()) {
        logger.warn(
            "datawal: closed "
                + where
                + " after a failed write or fsync ("
                + log.poisonReason().orElse("poisoned")
                + "): writes after txid "
                + log.durableTxid()
                + " may not be durable; the next open recovers the longest valid prefix");
      } else {
        logger.warn(
            "datawal: "
                + where
                + " was not closed when the application context closed (see the error above);"
                + " the next open recovers it");
      }
    }
  }

  /**
   * The store's absolute path and how durable its writes are, as the lines at open and close show
   * them: a relative {@code datawal.dir} resolves against the working directory, which is easy to
   * get wrong.
   */
  static String where(Path dir, @Nullable DatawalOptions options) {
    String path = dir.toAbsolutePath().normalize().toString();
    if (options == null) {
      return path + " (read-only, no writer)";
    }
    FsyncPolicy policy = options.fsyncPolicy();
    return path
        + " (fsync policy "
        + policy
        + (policy == FsyncPolicy.INTERVAL
            ? " every " + options.fsyncInterval().toMillis() + " ms"
            : "")
        + ")";
  }

  private static void log(String what, RecoveryReport report, Duration took) {
    String line = "datawal: opened " + what + " in " + took.toMillis() + " ms: " + report.summary();
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
