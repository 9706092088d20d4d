package dev.datawal.internal.log;

import dev.datawal.DatawalObserver;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The observers of one log. Registration is rare and copies an array; telling them is a volatile
 * read and, with no observer registered (the common case), nothing more.
 *
 * <p>Thread-safe.
 */
public final class Observers {
  private static final System.Logger LOG = System.getLogger("dev.datawal");
  private static final DatawalObserver[] NONE = new DatawalObserver[0];

  private volatile DatawalObserver[] observers = NONE;

  /** Adds {@code observer}; adding one twice tells it twice. */
  public synchronized void add(DatawalObserver observer) {
    DatawalObserver[] next = Arrays.copyOf(observers, observers.length + 1);
    next[observers.length] = observer;
    observers = next;
  }

  /** Removes one registration of {@code observer}, if any. */
  public synchronized void remove(DatawalObserver observer) {
    DatawalObserver[] current = observers;
    for (int i = 0; i < current.length; i++) {
      if (current[i] == observer) {
        DatawalObserver[] next = new DatawalObserver[current.length - 1];
        System.arraycopy(current, 0, next, 0, i);
        System.arraycopy(current, i + 1, next, i, current.length - i - 1);
        observers = next;
        return;
      }
    }
  }

  /** Whether any observer is registered: callers skip measuring when none is. */
  public boolean any() {
    return observers.length > 0;
  }

  /** Tells every observer; an observer's exception is logged and never reaches the caller. */
  public void tell(Consumer<DatawalObserver> event) {
    for (DatawalObserver observer : observers) {
      try {
        event.accept(observer);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "datawal: observer " + observer + " failed", e);
      }
    }
  }
}
