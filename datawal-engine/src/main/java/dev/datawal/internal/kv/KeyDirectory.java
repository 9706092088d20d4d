package dev.datawal.internal.kv;

import dev.datawal.internal.log.Recovery;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The key directory: for every live key, where its latest Put lies on disk. Values stay on disk.
 *
 * <p>The entries are a {@link LayeredTable}: a {@link HeapTable} over, when the directory was
 * opened from a key-directory snapshot, the snapshot's {@link SnapshotTable} used in place, keys
 * hashed by {@link KeyHash} with a random seed per directory (kept in the snapshot, so a directory
 * opened from one hashes as its table does). This class keeps two jobs, the public face and the
 * concurrency protocol that makes the entries safe to share, because each public operation is one
 * run of that protocol (which lock, which gate, a retry after a fallback) around one call on the
 * entries. If a page of the snapshot's table turns out damaged, the directory replaces its entries
 * with what {@link SnapshotFallback} rebuilds from the segments the table covers and goes on as a
 * plain heap table ({@link #fallBack}); the caller's operation is then retried. No lookup ever uses
 * an entry from a page whose CRC has not matched.
 *
 * <p>Concurrency: writes take a {@link StampedLock}'s write lock; lookups read optimistically and
 * retry under the read lock if a write intervened, so gets neither block nor are blocked by each
 * other. A lookup racing a write may read half-updated slots or stale arena chunks; the heap table
 * checks every index against the arrays it holds, so it cannot fail, and the stamp check discards
 * what it found. The snapshot's table never changes, so reading it needs no lock, but it is mapped
 * and may be unmapped: every operation that reads it enters its gate first ({@link
 * SnapshotTable#tryEnter}), once per lookup, write or walk. {@link #close} shuts the table it reads
 * and waits for the operations inside to leave, then unmaps it; an operation that comes later
 * throws {@link IllegalStateException}. A fallback unpublishes the table (under the write lock)
 * before it retires it, so an operation that finds the gate of the table it read shut tells the two
 * apart: still the directory's table, the store is closed; else it looks again. Growth, arena
 * rewrites and a fallback build new tables and publish them at once. Recovery fills the directory
 * through {@link #load} without locking or entering, before anyone else can see or close it.
 *
 * <p>Thread-safe.
 */
public final class KeyDirectory {
  /** The longest frame the directory can hold: well above the longest DWAL v1 frame. */
  static final int MAX_FRAME_LENGTH = (1 << 29) - 1;

  /**
   * Where a key's latest Put is.
   *
   * @param segment the segment id
   * @param offset the frame's offset in it
   * @param length the frame's length
   */
  public record Location(long segment, long offset, int length) {}

  /** A lookup's answer when a fallback retired the table it read: look again (by identity). */
  private static final Location RETIRED = new Location(-2, -2, -2);

  /**
   * A key and where its value is.
   *
   * @param key a copy of the key
   * @param location where its latest Put is
   */
  public record Item(byte[] key, Location location) {}

  /** What a put or remove replaced: nothing, or the previous Put's segment and frame length. */
  public static final long NONE = -1;

  private final StampedLock lock = new StampedLock();
  private final long seed;
  private final @Nullable SnapshotTable opened; // the snapshot's table it opened with, or null
  private volatile LayeredTable entries; // replaced whole by a fallback
  private final ReentrantLock fallingBack = new ReentrantLock();
  private volatile @Nullable RuntimeException failure; // a fallback that failed: trust nothing

  /** An empty directory. */
  KeyDirectory() {
    this(0);
  }

  /** An empty directory sized to take {@code expectedKeys} keys without growing. */
  KeyDirectory(int expectedKeys) {
    this(ThreadLocalRandom.current().nextLong(), null, new LayeredTable(expectedKeys));
  }

  /** A directory holding what {@code snapshot}'s table holds, with an empty overlay. */
  KeyDirectory(SnapshotTable snapshot) {
    this(snapshot.seed(), snapshot, new LayeredTable(snapshot));
  }

  private KeyDirectory(long seed, @Nullable SnapshotTable opened, LayeredTable entries) {
    this.seed = seed;
    this.opened = opened;
    this.entries = entries;
  }

  /** The hash seed (a snapshot written from this directory keeps it). */
  long seed() {
    return seed;
  }

  private int hash(byte[] key) {
    return KeyHash.of(seed, key, 0, key.length);
  }

  /** The segment of a previous Put returned by {@link #put} or {@link #remove}. */
  static int previousSegment(long previous) {
    return (int) (previous >>> 32);
  }

  /** The frame length of a previous Put returned by {@link #put} or {@link #remove}. */
  static int previousLength(long previous) {
    return (int) previous;
  }

  /** Where {@code key}'s latest Put is, or {@code null} if the key is not live. */
  public @Nullable Location get(byte[] key) {
    int hash = hash(key);
    while (true) {
      try {
        failIfUnusable();
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
          Location found = lookup(entries, key, hash);
          if (lock.validate(stamp) && found != RETIRED) {
            return found;
          }
        }
        stamp = lock.readLock();
        try {
          Location found = lookup(entries, key, hash);
          if (found != RETIRED) { // under the read lock the table read is never retired
            return found;
          }
        } finally {
          lock.unlockRead(stamp);
        }
      } catch (SnapshotTable.Damaged e) {
        fallBack(e); // then look again, in the rebuilt table
      }
    }
  }

  /**
   * Records that {@code key}'s latest Put is at this place. Copies the key when it is new.
   *
   * @return the Put it replaces (see {@link #previousSegment}), or {@link #NONE}
   */
  public long put(byte[] key, long segment, long offset, int length) {
    long place = Place.of(segment, offset, length);
    int hash = hash(key);
    return changeLocked(e -> e.store(key, 0, key.length, hash, place, length, false));
  }

  /**
   * Forgets {@code key}.
   *
   * @return the Put it was at (see {@link #previousSegment}), or {@link #NONE} if not live
   */
  public long remove(byte[] key) {
    int hash = hash(key);
    return changeLocked(e -> e.delete(key, 0, key.length, hash, false));
  }

  /**
   * Moves {@code key} from one offset of {@code segment} to another, but only if its latest Put is
   * still at {@code fromOffset}: a write since then has moved it on, and wins.
   *
   * @return whether the key was moved
   */
  public boolean moveIfAt(byte[] key, long segment, long fromOffset, long toOffset) {
    int hash = hash(key);
    long from = Place.of(segment, fromOffset, 1);
    long to = Place.of(segment, toOffset, 1);
    return changeLocked(e -> e.move(key, hash, from, to) ? 1 : 0) == 1;
  }

  /**
   * Runs {@code change} on the entries under the write lock, inside the snapshot's table if one is
   * in use, and returns its result. If the snapshot's table turns out damaged, nothing was changed
   * (the table is read before any change): falls back to the segments outside the lock, then runs
   * {@code change} again on the rebuilt entries.
   *
   * @throws IllegalStateException if the directory is closed (its table unmapped)
   */
  private long changeLocked(ToLongFunction<LayeredTable> change) {
    while (true) {
      SnapshotTable.Damaged damage;
      long stamp = lock.writeLock();
      try {
        failIfUnusable();
        LayeredTable e = entries;
        SnapshotTable s = e.snapshot();
        if (s == null) {
          return change.applyAsLong(e);
        }
        if (!enter(s)) {
          continue; // unreachable: under the write lock the table read is never retired
        }
        try {
          return change.applyAsLong(e);
        } finally {
          s.exit();
        }
      } catch (SnapshotTable.Damaged e) {
        damage = e;
      } finally {
        lock.unlockWrite(stamp);
      }
      fallBack(damage);
    }
  }

  /**
   * Applies one record read by recovery, without locking or entering the snapshot's table: only
   * while the directory is not yet shared (so nothing can close it meanwhile). The key is {@code
   * buf[from, from + keyLen)}; {@code buf} may be reused afterwards.
   *
   * @param put whether the record is a Put (else a Delete)
   * @return the Put it replaces or removes, or {@link #NONE}
   * @throws Recovery.Refutation if the snapshot's table turns out damaged (recovery then forgets
   *     the snapshot and reads the whole log)
   */
  public long load(
      boolean put, byte[] buf, int from, int keyLen, long segment, long offset, int length) {
    int hash = KeyHash.of(seed, buf, from, keyLen);
    try {
      return entries.load(put, buf, from, keyLen, hash, segment, offset, length);
    } catch (SnapshotTable.Damaged e) {
      throw new Recovery.Refutation("the key-directory snapshot is damaged: " + e.getMessage());
    }
  }

  /** The number of live keys. */
  public int size() {
    return entries.size();
  }

  /** Whether part of the directory is still read from a snapshot's table in place. */
  public boolean readsSnapshot() {
    return entries.snapshot() != null;
  }

  /**
   * Verifies every page of the snapshot's table still in use, if any, falling back to the segments
   * it covers if one is damaged. Compaction calls this before it changes a segment: afterwards the
   * covered segments could no longer rebuild the table, so no damage may be left to find.
   */
  public void verifySnapshot() {
    while (true) {
      failIfUnusable();
      SnapshotTable s = entries.snapshot();
      if (s == null) {
        return;
      }
      if (!enter(s)) {
        continue; // a fallback retired it: look again
      }
      SnapshotTable.Damaged damage;
      try {
        s.verifyAll();
        return;
      } catch (SnapshotTable.Damaged e) {
        damage = e;
      } finally {
        s.exit();
      }
      fallBack(damage);
    }
  }

  /**
   * Closes the directory's use of a snapshot's table: waits for the operations reading it to leave,
   * then unmaps it (or, where the runtime cannot unmap, leaves it to the garbage collector); any
   * operation that needs the table afterwards throws {@link IllegalStateException}. Does nothing
   * for a directory that never read one. Idempotent; never call it from inside an operation of this
   * directory.
   */
  public void close() {
    if (opened != null) {
      opened.close();
    }
  }

  /** Every live key (copied) with its place, sorted by unsigned byte order of the key. */
  public List<Item> itemsSorted() {
    return itemsSorted(new byte[0]);
  }

  /**
   * The live keys that start with {@code prefix}, sorted by unsigned byte order, with their
   * locations; only those keys are copied.
   */
  public List<Item> itemsSorted(byte[] prefix) {
    verifySnapshot();
    List<Item> items;
    long stamp = lock.readLock();
    try {
      failIfUnusable();
      LayeredTable e = entries;
      items = new ArrayList<>(prefix.length == 0 ? e.size() : 16);
      new DirectoryCopy(e.overlay(), e.snapshot(), e.size(), seed)
          .forEach(
              (chunk, from, keyLen, segment, offset, length) -> {
                if (keyLen >= prefix.length
                    && Arrays.equals(chunk, from, from + prefix.length, prefix, 0, prefix.length)) {
                  items.add(
                      new Item(
                          Arrays.copyOfRange(chunk, from, from + keyLen),
                          new Location(segment, offset, length)));
                }
              });
    } finally {
      lock.unlockRead(stamp);
    }
    items.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
    return items;
  }

  /**
   * A consistent copy of every entry; costs one copy of the overlay's slot array under the read
   * lock (and, the first time after opening from a snapshot, a check of the snapshot's whole
   * table).
   */
  public DirectoryCopy copy() {
    verifySnapshot();
    long stamp = lock.readLock();
    try {
      failIfUnusable();
      LayeredTable e = entries;
      return new DirectoryCopy(e.overlay().frozen(), e.snapshot(), e.size(), seed);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * The heap this directory holds, in bytes: its slot array and arena chunks, and a snapshot
   * table's page checks (not its mapped bytes, which are the page cache's).
   */
  public long estimatedBytes() {
    long stamp = lock.readLock();
    try {
      return entries.heapBytes();
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private void failIfUnusable() {
    RuntimeException failed = failure;
    if (failed != null) {
      throw new dev.datawal.DatawalException(
          "datawal: the key directory could not be rebuilt after its snapshot turned out damaged"
              + " (reopen the store): "
              + failed.getMessage(),
          failed);
    }
  }

  /**
   * The overlay's answer, then the snapshot's; {@code null} if the key is not live, {@link
   * #RETIRED} if a fallback retired the snapshot's table meanwhile.
   *
   * @throws IllegalStateException if the directory is closed
   */
  private @Nullable Location lookup(LayeredTable e, byte[] key, int hash) {
    Location found = e.overlay().find(key, hash);
    if (found == HeapTable.GONE) {
      return null;
    }
    SnapshotTable s = e.snapshot();
    if (found != null || s == null) {
      return found;
    }
    if (!enter(s)) {
      return RETIRED;
    }
    try {
      return s.find(key, 0, key.length, hash);
    } finally {
      s.exit();
    }
  }

  /**
   * Enters {@code s}, a snapshot table read from {@link #entries}, for one operation.
   *
   * @return {@code false} if a fallback retired it since (read {@link #entries} again)
   * @throws IllegalStateException if the directory is closed
   */
  private boolean enter(SnapshotTable s) {
    if (s.tryEnter()) {
      return true;
    }
    if (entries.snapshot() == s) {
      throw s.closed(); // a fallback unpublishes a table before it retires it: only close is left
    }
    return false;
  }

  /**
   * The snapshot's table is damaged: publishes the entries {@link SnapshotFallback} rebuilds from
   * the segments it covers, with the overlay replayed on top, as the whole directory, and retires
   * the damaged table (it is unmapped when the last lookup inside it leaves). The caller holds no
   * lock of this directory and is inside no table; writes and lookups go on during the scan and
   * wait only while the overlay is replayed and the result published. If the scan fails, the
   * directory becomes unusable (every call throws), since it can no longer tell what is live: a
   * full scan at the next open fails or succeeds the same way.
   */
  private void fallBack(SnapshotTable.Damaged damage) {
    SnapshotTable damaged = damage.table();
    fallingBack.lock();
    try {
      if (entries.snapshot() != damaged || failure != null) {
        return; // another thread fell back already, or failed to
      }
      LayeredTable rebuilt;
      try {
        rebuilt = SnapshotFallback.scanCovered(damaged, damage.getMessage());
      } catch (RuntimeException e) {
        failure = e;
        return;
      }
      long stamp = lock.writeLock();
      try {
        SnapshotFallback.replay(entries.overlay(), rebuilt);
        entries = rebuilt;
      } finally {
        lock.unlockWrite(stamp);
      }
      damaged.retire(); // unmapped once the lookups still inside it leave
    } finally {
      fallingBack.unlock();
    }
  }
}
