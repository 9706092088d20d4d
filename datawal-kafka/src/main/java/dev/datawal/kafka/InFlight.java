package dev.datawal.kafka;

import dev.datawal.Record;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * The records sent to Kafka and not yet confirmed, in txid order. The producer's callbacks mark
 * them done (in any order across partitions); the relay thread takes the confirmed prefix: the
 * records up to the first one not acknowledged yet. Only that prefix may advance the checkpoint.
 *
 * <p>Thread-safe: callbacks run on the producer's I/O thread, everything else on the relay thread.
 */
final class InFlight {
  /** One record sent. */
  static final class Send {
    final long txid;
    final long segment;
    final long offset;
    final int length;
    final long sentNanos;
    private boolean done; // guarded by the InFlight
    private @Nullable Exception failure; // guarded by the InFlight

    private Send(Record record, long sentNanos) {
      this.txid = record.txid();
      this.segment = record.segment();
      this.offset = record.offset();
      this.length = record.length();
      this.sentNanos = sentNanos;
    }
  }

  private final int maxRecords;
  private final long maxBytes;
  private final ArrayDeque<Send> sends = new ArrayDeque<>(); // guarded by this
  private long bytes; // guarded by this
  private @Nullable Exception failure; // guarded by this: the first send that failed

  InFlight(int maxRecords, long maxBytes) {
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
  }

  /** Records {@code record} as sent now; call before handing it to the producer. */
  synchronized Send add(Record record, long nowNanos) {
    Send send = new Send(record, nowNanos);
    sends.addLast(send);
    bytes += record.length();
    return send;
  }

  /** The producer's callback: {@code failure} is null when the broker acknowledged the record. */
  synchronized void completed(Send send, @Nullable Exception failure) {
    send.done = true;
    send.failure = failure;
    if (failure != null && this.failure == null) {
      this.failure = failure;
    }
    notifyAll();
  }

  /**
   * Removes the acknowledged records at the head.
   *
   * @return the last record removed, or null if the head is not acknowledged
   */
  synchronized @Nullable Send takeConfirmed() {
    Send last = null;
    while (!sends.isEmpty() && sends.peekFirst().done && sends.peekFirst().failure == null) {
      last = sends.removeFirst();
      bytes -= last.length;
    }
    return last;
  }

  /** The first failure any send reported, or null. */
  synchronized @Nullable Exception failure() {
    return failure;
  }

  /** The oldest record not confirmed yet, or null. */
  synchronized @Nullable Send head() {
    return sends.peekFirst();
  }

  synchronized boolean isEmpty() {
    return sends.isEmpty();
  }

  /** Whether the relay should wait for acknowledgements before sending more. */
  synchronized boolean isFull() {
    return sends.size() >= maxRecords || bytes >= maxBytes;
  }

  /** Waits until the head is done or a failure is reported, at most {@code millis}. */
  synchronized void awaitHead(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (!sends.isEmpty() && !sends.peekFirst().done && failure == null) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return;
      }
      wait(left);
    }
  }
}
