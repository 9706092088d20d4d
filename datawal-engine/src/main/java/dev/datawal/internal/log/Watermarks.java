package dev.datawal.internal.log;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How far the log is written and how far it is durable, with a way to wait until either moves.
 *
 * <p>Design: writers publish a new mark with a volatile write and signal only when a follower is
 * waiting, so appends pay nothing while nobody follows. A follower counts itself as waiting and
 * re-checks the mark under the lock before it sleeps; a writer publishes before it reads the count.
 * So either the follower sees the new mark or the writer sees the follower and signals it: no
 * wake-up is lost.
 */
public final class Watermarks {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition moved = lock.newCondition();
  private final AtomicInteger waiting = new AtomicInteger();
  private volatile Position written;
  private volatile Position durable;
  private volatile boolean closed;

  /** Marks for a log whose records up to {@code recovered} are written and durable. */
  public Watermarks(Position recovered) {
    this.written = recovered;
    this.durable = recovered;
  }

  /** The end of the last record written (readable). */
  public Position written() {
    return written;
  }

  /** The end of the last record known durable. */
  public Position durable() {
    return durable;
  }

  /** Publishes a new written mark; called by the writer, in log order. */
  void wrote(Position p) {
    written = p;
    signalIfWaiting();
  }

  /** Publishes a new durable mark if it is further than the current one. */
  void synced(Position p) {
    lock.lock();
    try {
      if (p.txid() > durable.txid() || p.segment() > durable.segment()) {
        durable = p;
      }
      moved.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Ends every wait: the log is closed. */
  void close() {
    closed = true;
    wakeAll();
  }

  /** Whether the log is closed. */
  public boolean closed() {
    return closed;
  }

  private void wakeAll() {
    lock.lock();
    try {
      moved.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the chosen mark differs from {@code seen}, the time is up, or the log closes.
   *
   * @return the mark now (still {@code seen} if the time ran out or the log closed)
   */
  public Position awaitBeyond(Position seen, boolean durableOnly, long timeout, TimeUnit unit)
      throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lock();
    waiting.incrementAndGet();
    try {
      Position now = durableOnly ? durable : written;
      while (now.equals(seen) && nanos > 0 && !closed) {
        nanos = moved.awaitNanos(nanos);
        now = durableOnly ? durable : written;
      }
      return now;
    } finally {
      waiting.decrementAndGet();
      lock.unlock();
    }
  }

  private void signalIfWaiting() {
    if (waiting.get() > 0) {
      wakeAll();
    }
  }
}
