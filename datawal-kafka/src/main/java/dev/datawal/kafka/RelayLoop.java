package dev.datawal.kafka;

import dev.datawal.LogFollower;
import dev.datawal.Record;
import dev.datawal.RecordLog;
import dev.datawal.spring.SubscriberPositions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.producer.Producer;
import org.jspecify.annotations.Nullable;

/**
 * The relay thread's work: follow the log's durable records from the checkpoint, send each to
 * Kafka, and advance the checkpoint over what Kafka acknowledged.
 *
 * <p>Thread-safe as used: {@link #run()} on the relay thread, {@link #stop()} and the status
 * getters from any thread.
 */
final class RelayLoop implements Runnable {
  /*
   * Design notes for maintainers.
   *
   * Sessions. A session is one producer and one log follower, started from the durable checkpoint.
   * Any failure ends the session: its producer is closed at once (Duration.ZERO aborts whatever it
   * has not sent), the prefix Kafka acknowledged is committed, and after a pause a new session
   * starts over from the checkpoint. Records after the checkpoint that reached Kafka are sent again:
   * at least once, never lost.
   *
   * Why a consumer may drop every record whose txid is not above the highest it has applied from
   * that partition: within a session, each partition of the topic receives a gap-free prefix of
   * what the session sent to it, in txid order. The producer is idempotent (the broker takes a
   * partition's batches in sequence, without gaps or repeats), never gives up on a batch
   * (delivery.timeout.ms is unbounded by default, so no batch expires and nothing behind it is
   * renumbered past it), and has one request in flight per connection. When a send fails anyway
   * (a record the broker refuses), the callback closes the producer with Duration.ZERO on the
   * producer's own I/O thread, before its next send loop, so no later batch of that partition goes
   * out; the relay also stops sending at the first failure it sees. The next session resends from
   * the checkpoint, which is at or below every record a partition lacks; so what a partition holds
   * is a run of prefixes, each starting at or below where the previous one ended, and dropping
   * what is not above the highest txid seen leaves every record once, in order.
   *
   * The checkpoint moves only over the confirmed prefix: the records up to the first one Kafka has
   * not acknowledged (acks from different partitions arrive in any order). It is written at most
   * every checkpointInterval (each write is two fsyncs on the store's disk, which the
   * application's writes share), and at the end of every session.
   *
   * The relay never blocks writers: the follower reads durable records through its own file
   * handle, and the relay thread never takes a lock the write path takes. It is never interrupted
   * either (stop() sets a flag; every wait is bounded), so no file channel is closed under it.
   */
  private static final Log logger = LogFactory.getLog(KafkaRelay.class);

  static final Duration IDLE_POLL = Duration.ofMillis(100);
  static final Duration BUSY_POLL = Duration.ofMillis(5);
  static final long FIRST_BACKOFF_MILLIS = 200;
  static final long MAX_BACKOFF_MILLIS = 10_000;
  static final long STALLED_PROBE_MILLIS = 1_000;
  static final int MAX_PENDING_RECORDS = 10_000;
  static final long MAX_PENDING_BYTES = 16L << 20;

  /** Where in the log something is: a segment id and a byte offset in it. */
  record Position(long segment, long offset) {}

  private final RecordLog log;
  private final String name;
  private final String topic;
  private final byte[] storeId;
  private final SubscriberPositions positions;
  private final Map<String, Object> producerConfigs;
  private final Function<Map<String, Object>, Producer<byte[], byte[]>> producers;
  private final BrokerProbe probe;
  private final long checkpointIntervalNanos;
  private final Duration ackTimeout;
  private final long probeIntervalNanos;
  private final long stopTimeoutNanos;

  private final Object stopSignal = new Object();
  private volatile boolean stopping;

  private final LongAdder published;
  private final LongAdder failures;
  private volatile long committed;
  private volatile long confirmed;
  private volatile @Nullable Position unconfirmedFrom; // null: not known yet in this session
  private volatile long oldestPendingNanos; // 0: nothing pending
  private volatile @Nullable String problem; // null: none
  private volatile boolean progressed;
  private long lastCommitNanos;
  private long lastContactNanos;

  RelayLoop(
      KafkaRelay.Settings settings,
      SubscriberPositions positions,
      LongAdder published,
      LongAdder failures) {
    this.log = settings.log();
    this.name = settings.name();
    this.topic = settings.topic();
    this.storeId = RelayHeaders.encode(settings.storeId());
    this.positions = positions;
    this.producerConfigs = settings.producerConfigs();
    this.producers = settings.producers();
    this.probe = new BrokerProbe(settings.producerConfigs());
    this.checkpointIntervalNanos = settings.checkpointInterval().toNanos();
    this.ackTimeout = settings.ackTimeout();
    this.probeIntervalNanos = settings.probeInterval().toNanos();
    this.stopTimeoutNanos = settings.stopTimeout().toNanos();
    this.published = published;
    this.failures = failures;
  }

  @Override
  public void run() {
    long backoff = FIRST_BACKOFF_MILLIS;
    try {
      while (!stopping && !log.isClosed()) {
        try {
          session();
        } catch (RuntimeException e) {
          if (stopping || log.isClosed()) {
            break;
          }
          failures.increment();
          problem = describe(e);
          if (progressed) {
            backoff = FIRST_BACKOFF_MILLIS;
            progressed = false;
          }
          logger.warn(
              "datawal: Kafka relay '"
                  + name
                  + "' to topic "
                  + topic
                  + " stopped at checkpoint "
                  + committed
                  + " and starts over from it in "
                  + backoff
                  + " ms: "
                  + problem);
          logger.debug("datawal: Kafka relay '" + name + "' failure", e);
          pause(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // someone else's interrupt: leave
    } finally {
      oldestPendingNanos = 0;
      probe.close();
    }
  }

  /** Asks the loop to finish: it waits up to the stop timeout for records in flight, then ends. */
  void stop() {
    stopping = true;
    synchronized (stopSignal) {
      stopSignal.notifyAll();
    }
  }

  private void pause(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    synchronized (stopSignal) {
      while (!stopping) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return;
        }
        stopSignal.wait(left);
      }
    }
  }

  /** One producer and one follower from the checkpoint, until stopped or failed. */
  private void session() throws InterruptedException {
    long checkpoint = positions.position(name);
    committed = checkpoint;
    confirmed = checkpoint;
    Position end = end(); // before lastTxid: a record appended in between is not counted as done
    unconfirmedFrom = checkpoint >= log.lastTxid() ? end : null;
    lastCommitNanos = System.nanoTime();
    lastContactNanos = System.nanoTime();
    InFlight inFlight = new InFlight(MAX_PENDING_RECORDS, MAX_PENDING_BYTES);
    Producer<byte[], byte[]> producer = producers.apply(producerConfigs);
    RuntimeException failure = null;
    try (LogFollower follower = log.follow(checkpoint + 1)) {
      while (!stopping) {
        advance(inFlight);
        throwIfFailed(inFlight);
        commitIfDue(false);
        if (inFlight.isFull()) {
          inFlight.awaitHead(IDLE_POLL.toMillis());
          continue;
        }
        Record record = follower.poll(inFlight.isEmpty() ? IDLE_POLL : BUSY_POLL);
        if (record == null) {
          if (inFlight.isEmpty()) {
            probeIfDue();
          }
          continue;
        }
        send(producer, inFlight, record);
      }
      drain(inFlight);
    } catch (RuntimeException e) {
      Exception refused = inFlight.failure();
      if (refused != null && !(e instanceof SendFailedException)) {
        // The callback closed the producer under a send: report why, not the closed producer.
        failure = new SendFailedException(refused);
        failure.addSuppressed(e);
      } else {
        failure = e;
      }
      throw failure;
    } finally {
      producer.close(Duration.ZERO); // aborts what was not sent; see the design notes
      advance(inFlight);
      try {
        commitIfDue(true);
      } catch (RuntimeException e) {
        if (failure == null) {
          throw e;
        }
        failure.addSuppressed(e);
      }
    }
  }

  private void send(Producer<byte[], byte[]> producer, InFlight inFlight, Record record) {
    InFlight.Send send = inFlight.add(record, System.nanoTime());
    if (inFlight.head() == send) {
      unconfirmedFrom = new Position(send.segment, send.offset);
      oldestPendingNanos = send.sentNanos;
    }
    producer.send(
        RelayRecords.toKafka(topic, storeId, record),
        (metadata, e) -> {
          inFlight.completed(send, e);
          if (e == null) {
            published.increment();
          } else {
            // On the producer's I/O thread, before it sends the next batch: nothing after a
            // failed record goes out (see the design notes). close(ZERO) is allowed here.
            producer.close(Duration.ZERO);
          }
        });
  }

  /** Takes the confirmed prefix and updates the status. */
  private void advance(InFlight inFlight) {
    InFlight.Send last = inFlight.takeConfirmed();
    if (last != null) {
      confirmed = last.txid;
      lastContactNanos = System.nanoTime();
      problem = null;
      progressed = true;
    }
    InFlight.Send head = inFlight.head();
    if (head != null) {
      unconfirmedFrom = new Position(head.segment, head.offset);
      oldestPendingNanos = head.sentNanos;
    } else {
      if (last != null) {
        unconfirmedFrom = new Position(last.segment, last.offset + last.length);
      }
      oldestPendingNanos = 0;
    }
  }

  private static void throwIfFailed(InFlight inFlight) {
    Exception failure = inFlight.failure();
    if (failure != null) {
      throw new SendFailedException(failure);
    }
  }

  private void commitIfDue(boolean now) {
    long at = System.nanoTime();
    if (confirmed > committed && (now || at - lastCommitNanos >= checkpointIntervalNanos)) {
      long txid = confirmed;
      positions.commit(name, txid);
      committed = txid;
      lastCommitNanos = at;
    }
  }

  /** With nothing in flight: checks now and then that the broker answers, for the health. */
  private void probeIfDue() throws InterruptedException {
    long every =
        problem == null
            ? probeIntervalNanos
            : Math.min(probeIntervalNanos, STALLED_PROBE_MILLIS * 1_000_000);
    long now = System.nanoTime();
    if (now - lastContactNanos < every) {
      return;
    }
    try {
      probe.check(ackTimeout);
      problem = null;
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      problem = "Kafka does not answer: " + describe(e);
    }
    lastContactNanos = System.nanoTime();
  }

  /** At stop: waits up to the stop timeout for the records in flight. */
  private void drain(InFlight inFlight) throws InterruptedException {
    long deadline = System.nanoTime() + stopTimeoutNanos;
    while (!inFlight.isEmpty() && inFlight.failure() == null) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        logger.warn(
            "datawal: Kafka relay '"
                + name
                + "' stopped with records unacknowledged; they are sent again at the next start");
        return;
      }
      inFlight.awaitHead(Math.min(left, IDLE_POLL.toMillis()));
      advance(inFlight);
    }
  }

  private Position end() {
    long active = log.activeSegment();
    Long size = log.segmentSizes().get(active);
    return new Position(active, size == null ? 0 : size);
  }

  private static String describe(Throwable e) {
    Throwable sendFailure = e.getCause(); // a SendFailedException always has one
    Throwable cause = e instanceof SendFailedException && sendFailure != null ? sendFailure : e;
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  // Status, read by other threads.

  long committed() {
    return committed;
  }

  long confirmed() {
    return confirmed;
  }

  @Nullable Position unconfirmedFrom() {
    return unconfirmedFrom;
  }

  long oldestPendingNanos() {
    return oldestPendingNanos;
  }

  @Nullable String problem() {
    return problem;
  }

  /** A send Kafka reported as failed. */
  static final class SendFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SendFailedException(Throwable cause) {
      super("Kafka did not take a record: " + cause, cause);
    }
  }
}
