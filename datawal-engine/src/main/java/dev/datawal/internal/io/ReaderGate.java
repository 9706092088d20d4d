package dev.datawal.internal.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CountDownLatch;

/**
 * Lets readers into a resource (a memory mapping) until it is shut, and releases the resource once
 * it is shut and the last reader has left: exactly once, and never while a reader is inside.
 *
 * <p>Protocol, for maintainers. One int holds the readers inside (in units of {@code READER}) and
 * two flags, {@code SHUT} and {@code RELEASED}. {@link #tryEnter} adds a reader and looks at the
 * flags in the same atomic step: a reader either gets in before the gate shuts (and is counted, so
 * the release waits for it) or sees it shut and backs out, touching nothing. {@link #exit} removes
 * the reader. Whoever brings the state to exactly {@code SHUT} (shut, no reader inside, not yet
 * released), be it {@link #shut} or the last {@link #exit}, then tries to set {@code RELEASED} with
 * a compare-and-set and, if it wins, runs the release; a reader that slips in and backs out
 * meanwhile makes that compare-and-set fail, but its own exit restores {@code SHUT} and tries
 * again, so a release is never lost. {@link #close} shuts and waits for the release.
 *
 * <p>Costs a reader two uncontended atomic adds. Every read of the resource must lie between a
 * successful {@link #tryEnter} and its {@link #exit}; nothing may wait for the gate's release (or
 * close it) from inside it.
 */
public final class ReaderGate {
  private static final int SHUT = 1;
  private static final int RELEASED = 2;
  private static final int READER = 4;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(ReaderGate.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Runnable release;
  private final CountDownLatch released = new CountDownLatch(1);

  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state;

  /** A gate open to readers; {@code release} runs once, after it is shut and empty. */
  public ReaderGate(Runnable release) {
    this.release = release;
  }

  /** Lets the caller in and returns {@code true}, or returns {@code false} if the gate is shut. */
  public boolean tryEnter() {
    int before = (int) STATE.getAndAdd(this, READER);
    if ((before & SHUT) == 0) {
      return true;
    }
    exit();
    return false;
  }

  /** Lets out a reader let in by {@link #tryEnter}; releases if it was the last of a shut gate. */
  public void exit() {
    int after = (int) STATE.getAndAdd(this, -READER) - READER;
    if (after == SHUT) {
      releaseOnce();
    }
  }

  /**
   * Lets no reader in any more; the release runs now if no reader is inside, else when the last one
   * leaves (on its thread). Does not wait. Idempotent.
   */
  public void shut() {
    int before = (int) STATE.getAndBitwiseOr(this, SHUT);
    if ((before | SHUT) == SHUT) {
      releaseOnce();
    }
  }

  /** Whether no reader is inside now (shut or not). */
  boolean isEmpty() {
    return (int) STATE.getVolatile(this) < READER;
  }

  /** Whether the gate is shut. */
  boolean isShut() {
    return ((int) STATE.getVolatile(this) & SHUT) != 0;
  }

  /**
   * Shuts the gate and waits until the release has run (readers inside leave on their own: they
   * never wait for anything while inside). Idempotent; an interrupt is kept, not acted on.
   */
  public void close() {
    shut();
    boolean interrupted = false;
    while (true) {
      try {
        released.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void releaseOnce() {
    if (STATE.compareAndSet(this, SHUT, SHUT | RELEASED)) {
      try {
        release.run();
      } finally {
        released.countDown();
      }
    }
  }
}
