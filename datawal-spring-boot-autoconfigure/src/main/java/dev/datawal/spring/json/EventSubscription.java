package dev.datawal.spring.json;

import dev.datawal.DatawalException;
import dev.datawal.LogFollower;
import dev.datawal.Record;
import dev.datawal.RecordLog;
import dev.datawal.spring.SubscriberPositions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

/**
 * A named subscriber following a {@link JsonEventLog} on its own daemon thread, created by {@link
 * JsonEventLog#subscribe}. See {@link EventHandler} for the delivery guarantees.
 *
 * <p>Thread-safe.
 */
public final class EventSubscription implements AutoCloseable {
  /*
   * The thread polls the log's durable records from position + 1 on, up to MAX_BATCH at a time,
   * decodes them, and hands them to the handler one by one (a gap in the txids first goes to
   * onMissed). Only when the whole batch was handled is the batch's last txid committed to the
   * position file: a crash before that redelivers the batch (at least once), and since only durable
   * records are delivered, a committed position never runs ahead of what a crash leaves in the log.
   * A handler failure retries the same step after a backoff; it never advances past it. The thread
   * is never interrupted (an interrupt would close the FileChannel of a position commit under it):
   * it polls with a short timeout and checks the closed latch instead.
   */
  static final int MAX_BATCH = 256;
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long FIRST_BACKOFF_MILLIS = 200;
  private static final long MAX_BACKOFF_MILLIS = 10_000;
  private static final long CLOSE_WAIT_MILLIS = 30_000;
  private static final Log LOG = Subscriptions.LOG;

  private final String name;
  private final EventCodec codec;
  private final RecordLog log;
  private final SubscriberPositions positions;
  private final Handling<?> handling;
  private final Consumer<EventSubscription> onClose;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread thread;
  private volatile long position;
  private volatile @Nullable Throwable failure;

  <T> EventSubscription(
      String name,
      Class<T> type,
      EventHandler<T> handler,
      RecordLog log,
      EventCodec codec,
      SubscriberPositions positions,
      long position,
      Consumer<EventSubscription> onClose) {
    this.name = name;
    this.codec = codec;
    this.log = log;
    this.positions = positions;
    this.position = position;
    this.handling = new Handling<>(type, handler);
    this.onClose = onClose;
    this.thread = new Thread(this::run, "datawal-subscriber-" + name);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** {@return the subscriber's name} */
  public String name() {
    return name;
  }

  /**
   * {@return the committed position: the txid of the last record handled and committed (0: none
   * yet)}
   */
  public long position() {
    return position;
  }

  /** {@return whether the subscription's thread is still following the log} */
  public boolean isRunning() {
    return thread.isAlive();
  }

  /**
   * {@return what stopped the subscription, if it stopped by itself: the log was closed under it,
   * the log is damaged below its durable end, or the handler threw an {@link Error} (an {@link
   * Exception} is retried instead)} Empty while running or after {@link #close()}.
   */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Stops the subscription: a batch being handled is finished and committed (a handler that is
   * being retried is abandoned, uncommitted), then the thread ends. Waits up to 30 seconds for it.
   * Idempotent; safe to call from the handler itself.
   */
  @Override
  public void close() {
    closed.countDown();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(CLOSE_WAIT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        LOG.warn(
            "datawal: subscriber '"
                + name
                + "' is still in its handler after "
                + CLOSE_WAIT_MILLIS
                + " ms; its thread is left to finish (daemon)");
      }
    }
    onClose.accept(this);
  }

  private boolean isClosed() {
    return closed.getCount() == 0;
  }

  private void run() {
    try (LogFollower follower = log.follow(position + 1)) {
      long expected = position + 1; // the txid the next record should have
      boolean gapsCount = position > 0; // a new subscriber starts at whatever the log still holds
      while (!isClosed()) {
        Record first = follower.poll(POLL);
        if (first == null) {
          continue;
        }
        List<Step> steps = new ArrayList<>();
        Record record = first;
        long last = 0;
        do {
          long marker = follower.markerBeforeLast(); // a group's marker is no missed event
          long to = marker == record.txid() - 1 ? marker - 1 : record.txid() - 1;
          if (gapsCount && to >= expected) {
            long from = expected;
            steps.add(() -> handling.missed(from, to));
          }
          steps.add(handling.delivery(codec, record));
          expected = record.txid() + 1;
          gapsCount = true;
          last = record.txid();
        } while (steps.size() < MAX_BATCH && (record = follower.poll(Duration.ZERO)) != null);
        if (!runAll(steps) || !commit(last)) {
          return; // closed while retrying: the batch stays uncommitted and is delivered again
        }
      }
    } catch (InterruptedException e) {
      failure = e;
      LOG.warn("datawal: subscriber '" + name + "' was interrupted and stopped");
    } catch (IllegalStateException e) {
      if (!isClosed()) {
        failure = e;
        LOG.warn("datawal: subscriber '" + name + "' stopped: the log was closed", e);
      }
    } catch (RuntimeException | Error e) {
      failure = e;
      LOG.error("datawal: subscriber '" + name + "' stopped", e);
    }
  }

  /** Runs every step in order, retrying a failed one after a backoff; false if closed meanwhile. */
  private boolean runAll(List<Step> steps) {
    for (Step step : steps) {
      long backoff = FIRST_BACKOFF_MILLIS;
      while (true) {
        try {
          step.run();
          break;
        } catch (Exception e) {
          LOG.error(
              "datawal: subscriber '"
                  + name
                  + "' handler failed; retrying the same event in "
                  + backoff
                  + " ms (position stays at txid "
                  + position
                  + ")",
              e);
          if (sleepUnlessClosed(backoff)) {
            return false;
          }
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        }
      }
    }
    return true;
  }

  /** Commits {@code txid}, retrying after a backoff if the file cannot be written. */
  private boolean commit(long txid) {
    long backoff = FIRST_BACKOFF_MILLIS;
    while (true) {
      try {
        // Each attempt writes and forces a whole new temp file, so retrying after a failed force
        // cannot mistake lost data for durable data.
        positions.commit(name, txid);
        position = txid;
        return true;
      } catch (DatawalException e) {
        LOG.error("datawal: subscriber '" + name + "' cannot commit its position; retrying", e);
        if (sleepUnlessClosed(backoff)) {
          return false;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
      }
    }
  }

  /** Waits {@code millis}; true if the subscription was closed meanwhile. */
  private boolean sleepUnlessClosed(long millis) {
    try {
      return closed.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  @Override
  public String toString() {
    return "EventSubscription[" + name + ", position=" + position + "]";
  }

  /** One thing to do for a batch: deliver an event or report a gap. */
  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }

  /** The handler with its event type, so that decoding and delivery agree on it. */
  private static final class Handling<T> {
    private final Class<T> type;
    private final EventHandler<T> handler;

    Handling(Class<T> type, EventHandler<T> handler) {
      this.type = type;
      this.handler = handler;
    }

    /** Decodes {@code record} now, and returns the step that hands it to the handler. */
    Step delivery(EventCodec codec, Record record) {
      StoredEvent<T> event = codec.decode(record, type);
      return event.isDecoded() ? () -> handler.handle(event) : () -> handler.onUndecodable(event);
    }

    void missed(long from, long to) throws Exception {
      handler.onMissed(from, to);
    }
  }
}
