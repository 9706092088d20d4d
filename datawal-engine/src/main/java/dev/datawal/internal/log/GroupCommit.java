package dev.datawal.internal.log;

import dev.datawal.RecordRef;
import dev.datawal.WriterPoisonedException;
import dev.datawal.internal.io.Errors;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Makes appended records durable, sharing each force among every writer waiting for it.
 *
 * <p>Design (group commit): one force at a time, under {@code syncLock}. A sync first snapshots
 * what is written (under the writer's lock, briefly), then forces outside it, so appends go on
 * while the disk works. A caller that waits for txid {@code t} returns at once if a force already
 * covered {@code t} (a volatile read). Otherwise, if no force is running, it leads one; if one is
 * running, it parks until that force ends and then either finds itself covered or leads the next
 * force, which covers every record written during the previous one. So N concurrent writers cost
 * about one force per force duration, not N.
 *
 * <p>Asynchronous appends register a future, completed by whichever sync covers it first; a
 * background thread, started on first need, syncs when futures are waiting and, under {@link
 * dev.datawal.FsyncPolicy#INTERVAL}, at least every interval. A failed force poisons the writer,
 * fails every waiting future, and is logged; it is never retried.
 *
 * <p>Thread-safe.
 */
public final class GroupCommit {
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  /** The longest a leader waits for more writers: about one fsync on an SSD. */
  private static final long GATHER_NANOS = 200_000;

  private final LogWriter writer;
  private final Watermarks marks;
  private final @Nullable Duration interval; // null: sync only on request
  private final Observers observers;
  private final ReentrantLock syncLock = new ReentrantLock();
  private final Set<Thread> parked = ConcurrentHashMap.newKeySet();
  private volatile long durableTxid;
  private long syncedDirVersion;
  private long lastBatch = 1; // records the last force covered; guarded by syncLock

  private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();
  private final ReentrantLock backgroundLock = new ReentrantLock();
  private final Condition backgroundWork = backgroundLock.newCondition();
  private @Nullable Thread background;
  private boolean syncRequested;
  private boolean stopping;

  private record Waiter(long txid, RecordRef ref, CompletableFuture<RecordRef> future)
      implements Comparable<Waiter> {
    @Override
    public int compareTo(Waiter o) {
      return Long.compare(txid, o.txid);
    }
  }

  /**
   * @param writer the log's writer
   * @param marks the log's watermarks; the recovered records are durable
   * @param interval for the INTERVAL policy, the longest an append stays unsynced; else null
   * @param observers told about each force
   */
  public GroupCommit(
      LogWriter writer, Watermarks marks, @Nullable Duration interval, Observers observers) {
    this.writer = writer;
    this.marks = marks;
    this.interval = interval;
    this.observers = observers;
    this.durableTxid = marks.durable().txid();
    if (interval != null) {
      startBackground();
    }
  }

  /** The txid up to which every record is durable. */
  public long durableTxid() {
    return durableTxid;
  }

  /**
   * Returns once the record with {@code txid} (and every one before it) is durable.
   *
   * <p>The first caller to find no force running becomes the leader and forces everything written
   * so far; the others park until a force completes and return without touching a lock if it
   * covered them. (Waking them through the lock, one after another, would cost a context switch
   * each and limit the group to a handful of writers.)
   *
   * @throws WriterPoisonedException if the writer is poisoned or this sync poisoned it
   */
  public void syncUpTo(long txid) {
    while (durableTxid < txid) {
      if (syncLock.tryLock()) {
        try {
          if (durableTxid < txid) {
            gatherWriters();
            syncLocked(writer.syncTarget());
          }
        } finally {
          syncLock.unlock();
          wakeParked();
        }
        return;
      }
      Thread self = Thread.currentThread();
      parked.add(self);
      // Re-check after registering: a force that ended meanwhile may have covered us, or may
      // have woken the parked threads before we were among them.
      if (durableTxid < txid && syncLock.isLocked()) {
        LockSupport.park(this);
      }
      parked.remove(self);
      WriterPoisonedException poisoned = writer.poisoned();
      if (poisoned != null && durableTxid < txid) {
        throw poisoned;
      }
    }
  }

  /**
   * Makes everything written before this call durable, including a new segment's directory entry.
   * Costs no I/O when nothing changed.
   */
  public void sync() {
    syncLock.lock();
    try {
      syncLocked(writer.syncTarget());
    } finally {
      syncLock.unlock();
      wakeParked();
    }
  }

  /**
   * Before a leader forces, waits briefly (at most {@link #GATHER_NANOS}, yielding the CPU) until
   * as many records are written since the last force as the last force covered, and no append is in
   * progress: writers woken by the previous force are then on their way back, and one force covers
   * them all. A lone writer never waits: the last batch was its own record.
   */
  private void gatherWriters() {
    long target = durableTxid + lastBatch;
    if (marks.written().txid() >= target && writer.appendsInFlight() == 0) {
      return;
    }
    long deadline = System.nanoTime() + GATHER_NANOS;
    while ((marks.written().txid() < target || writer.appendsInFlight() > 0)
        && System.nanoTime() < deadline) {
      Thread.yield();
    }
  }

  private void wakeParked() {
    for (Thread t : parked) {
      LockSupport.unpark(t);
    }
  }

  /**
   * Asks the background thread to sync soon, without waiting: used to write back a large unsynced
   * tail early, so a later fsync or segment seal has little left to force.
   */
  public void syncInBackground() {
    requestBackgroundSync();
  }

  /** A future completed once {@code ref} is durable, or failed if the writer is poisoned. */
  public CompletableFuture<RecordRef> whenDurable(RecordRef ref) {
    CompletableFuture<RecordRef> future = new CompletableFuture<>();
    synchronized (waiters) {
      waiters.add(new Waiter(ref.txid(), ref, future));
    }
    // A sync may have finished, or failed, between the append and the registration above.
    completeUpTo(durableTxid);
    WriterPoisonedException poisoned = writer.poisoned();
    if (poisoned != null) {
      failWaiters(poisoned);
    } else if (!future.isDone()) {
      requestBackgroundSync();
    }
    return future;
  }

  /**
   * Stops the background thread, then closes the writer after a final sync (unless poisoned).
   * Futures still waiting are completed or, if the writer is poisoned, failed.
   */
  public void close() throws IOException {
    stopBackground();
    syncLock.lock();
    try {
      writer.close(() -> syncLocked(writer.syncTarget()));
    } finally {
      syncLock.unlock();
      wakeParked();
      WriterPoisonedException poisoned = writer.poisoned();
      failWaiters(
          poisoned != null ? poisoned : new IllegalStateException("datawal: log is closed"));
      marks.close();
    }
  }

  /** Forces what {@code target} describes, unless a previous force covered it. */
  private void syncLocked(LogWriter.SyncTarget target) {
    Position upTo = target.upTo();
    boolean dirChanged = target.dirVersion() != syncedDirVersion;
    boolean forcing = upTo.txid() > durableTxid || dirChanged;
    boolean observed = forcing && observers.any();
    long started = observed ? System.nanoTime() : 0;
    try {
      if (forcing) {
        try {
          target.segment().force();
        } catch (IOException e) {
          throw writer.poison(
              "fsync of " + target.segment().path() + " failed: " + Errors.describe(e), e);
        }
      }
      if (dirChanged) {
        Path dir = writer.dir();
        try {
          writer.io().syncDirectory(dir);
        } catch (IOException e) {
          throw writer.poison("fsync of directory " + dir + " failed: " + Errors.describe(e), e);
        }
        syncedDirVersion = target.dirVersion();
      }
    } catch (WriterPoisonedException e) {
      failWaiters(e);
      throw e;
    }
    if (observed) {
      long nanos = System.nanoTime() - started;
      long records = Math.max(0, upTo.txid() - durableTxid);
      observers.tell(o -> o.synced(records, nanos));
    }
    if (upTo.txid() > durableTxid) {
      lastBatch = upTo.txid() - durableTxid;
      durableTxid = upTo.txid();
      marks.synced(upTo);
      completeUpTo(upTo.txid());
    }
  }

  private void completeUpTo(long txid) {
    List<Waiter> done = new ArrayList<>();
    synchronized (waiters) {
      while (!waiters.isEmpty() && waiters.peek().txid() <= txid) {
        done.add(waiters.poll());
      }
    }
    for (Waiter w : done) {
      w.future().complete(w.ref());
    }
  }

  private void failWaiters(RuntimeException e) {
    List<Waiter> failed;
    synchronized (waiters) {
      failed = new ArrayList<>(waiters);
      waiters.clear();
    }
    for (Waiter w : failed) {
      w.future().completeExceptionally(e);
    }
  }

  private void requestBackgroundSync() {
    backgroundLock.lock();
    try {
      if (stopping) {
        return;
      }
      if (background == null) {
        startBackground();
      }
      syncRequested = true;
      backgroundWork.signal();
    } finally {
      backgroundLock.unlock();
    }
  }

  private void startBackground() {
    backgroundLock.lock();
    try {
      if (background == null && !stopping) {
        background = new Thread(this::runBackground, "datawal-sync " + writer.dir());
        background.setDaemon(true);
        background.start();
      }
    } finally {
      backgroundLock.unlock();
    }
  }

  private void runBackground() {
    while (true) {
      backgroundLock.lock();
      try {
        long nanos = interval == null ? Long.MAX_VALUE : interval.toNanos();
        while (!syncRequested && !stopping && nanos > 0) {
          nanos = backgroundWork.awaitNanos(nanos);
        }
        if (stopping) {
          return;
        }
        syncRequested = false;
      } catch (InterruptedException e) {
        return;
      } finally {
        backgroundLock.unlock();
      }
      try {
        sync();
      } catch (WriterPoisonedException e) {
        LOG.log(
            System.Logger.Level.ERROR,
            "datawal: background fsync failed; the writer is poisoned and refuses every change",
            e);
        return; // poisoned for good: nothing more to sync
      } catch (IllegalStateException e) {
        return; // closed
      }
    }
  }

  private void stopBackground() {
    Thread thread;
    backgroundLock.lock();
    try {
      stopping = true;
      thread = background;
      backgroundWork.signalAll();
    } finally {
      backgroundLock.unlock();
    }
    if (thread != null) {
      boolean interrupted = false;
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
