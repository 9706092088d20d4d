package dev.datawal.internal.kv;

import dev.datawal.internal.format.FrameFormat;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.log.Recovery;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.LongSupplier;

/**
 * The key directory: for every live key, where its latest Put lies on disk. Values stay on disk.
 *
 * <p>Design, for memory, cache misses and the garbage collector: an open-addressing hash table with
 * linear probing over one {@code long[]}, three longs a slot, and the keys' bytes packed into an
 * arena of 128 KiB byte chunks. No object per key, no reference per key: inserting a million keys
 * allocates a few dozen arrays and stores no references the collector must track.
 *
 * <pre>
 * slot i:  slots[3i]     hash (32 bits) << 32 | flags (3 bits) << 29 | frame length (29 bits);
 *                        0 = empty slot
 *          slots[3i + 1] place: segment id (27 bits) << 37 | frame offset (37 bits)
 *          slots[3i + 2] key: arena address << 17 | key length (17 bits, up to 65,536)
 * arena address: chunk index << 17 | byte offset in the chunk (a key never spans chunks)
 * </pre>
 *
 * A live key costs 24 bytes times 1.33 to 2.67 slots (the table doubles past a load of 3/4) plus
 * its own bytes in the arena. A probe compares the hash from the slot's first long and reads the
 * key's bytes only on a match. Deletion shifts the following entries back, so there are no
 * tombstones; the arena bytes of deleted keys are reclaimed by rewriting the arena when they
 * outweigh the live ones.
 *
 * <p>Opened from a key-directory snapshot, the directory is two layers. The snapshot's table is
 * used in place ({@link SnapshotTable}: memory-mapped, verified page by page as it is read), so
 * opening costs nothing per key and its keys cost no heap. The heap table above is then an overlay:
 * it holds every key written, deleted or moved since the snapshot, and wins over the snapshot's
 * table. Its entries carry flags in the length field:
 *
 * <ul>
 *   <li>{@code DELETED}: the key is not live (it is in the snapshot's table, or pinned);
 *   <li>{@code IN_SNAPSHOT}: the snapshot's table holds the key, so the entry shadows one there
 *       ({@link #size} counts the key once);
 *   <li>{@code PINNED}: loaded while replaying the log after the snapshot at open; such an entry
 *       turns into a deleted entry rather than leaving the overlay, so that the overlay always
 *       holds every key the log after the snapshot touched (see {@link #fallBack}).
 * </ul>
 *
 * A lookup reads the overlay, then, if the key is not there, the snapshot's table. A write that
 * needs to know whether the snapshot's table holds the key (for the size and the previous Put)
 * reads it before it changes anything. If a page of the snapshot's table turns out damaged, the
 * directory rebuilds the snapshot's part from the segments it covers, replays the overlay on top,
 * and goes on as a plain heap table ({@link #fallBack}); the caller's operation is then retried. No
 * lookup ever uses an entry from a page whose CRC has not matched.
 *
 * <p>Concurrency: writes take a {@link StampedLock}'s write lock; lookups read optimistically and
 * retry under the read lock if a write intervened, so gets neither block nor are blocked by each
 * other. A lookup racing a write may read half-updated slots or stale arena chunks; it checks every
 * index against the arrays it holds, so it cannot fail, and the stamp check discards what it found.
 * The snapshot's table never changes, so reading it needs no lock, but it is mapped and may be
 * unmapped: every operation that reads it enters its gate first ({@link SnapshotTable#tryEnter}),
 * once per lookup, write or walk. {@link #close} shuts the table it reads and waits for the
 * operations inside to leave, then unmaps it; an operation that comes later throws {@link
 * IllegalStateException}. A fallback unpublishes the table (under the write lock) before it retires
 * it, so an operation that finds the gate of the table it read shut tells the two apart: still the
 * directory's table, the store is closed; else it looks again. Growth, arena rewrites and a
 * fallback build a new table and publish it at once. Recovery fills the directory through {@link
 * #load} without locking or entering, before anyone else can see or close it.
 *
 * <p>The hash is keyed with a random seed per directory (kept in the snapshot, so a directory
 * opened from one hashes as its table does), so keys chosen to collide cannot degrade it to a list.
 */
public final class KeyDirectory {
  /** Bits of a place that hold the offset: segments up to 64 GiB. */
  static final int OFFSET_BITS = 37;

  /** The longest frame the directory can hold: well above the longest DWAL v1 frame. */
  static final int MAX_FRAME_LENGTH = (1 << 29) - 1;

  private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
  private static final long MAX_SEGMENT = (1L << (64 - OFFSET_BITS)) - 1;
  private static final int KEY_LEN_BITS = 17;
  private static final long KEY_LEN_MASK = (1L << KEY_LEN_BITS) - 1;
  private static final int CHUNK_BITS = 17;
  private static final int CHUNK = 1 << CHUNK_BITS; // fits the largest key, 65,536 bytes
  private static final int MIN_CAPACITY = 16;
  private static final long LENGTH_MASK = MAX_FRAME_LENGTH;
  private static final long DELETED = 1L << 31;
  private static final long IN_SNAPSHOT = 1L << 30;
  private static final long PINNED = 1L << 29;
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  /**
   * Where a key's latest Put is.
   *
   * @param segment the segment id
   * @param offset the frame's offset in it
   * @param length the frame's length
   */
  public record Location(long segment, long offset, int length) {}

  /** An overlay lookup's answer for a key deleted since the snapshot (compared by identity). */
  private static final Location GONE = new Location(-1, -1, -1);

  /** A lookup's answer when a fallback retired the table it read: look again (by identity). */
  private static final Location RETIRED = new Location(-2, -2, -2);

  /**
   * A key and where its value is.
   *
   * @param key a copy of the key
   * @param location where its latest Put is
   */
  public record Item(byte[] key, Location location) {}

  /** The slots and the arena their key references point into; replaced whole on growth. */
  private static final class Table {
    final long[] slots;
    final int mask;
    byte[][] chunks; // grows by whole chunks; readers check bounds
    long arenaEnd; // next free arena address
    long arenaGarbage; // bytes of deleted keys still in the arena

    Table(int capacity, byte[][] chunks, long arenaEnd) {
      this.slots = new long[capacity * 3];
      this.mask = capacity - 1;
      this.chunks = chunks;
      this.arenaEnd = arenaEnd;
    }

    int capacity() {
      return mask + 1;
    }
  }

  private final StampedLock lock = new StampedLock();
  private final long seed;
  private final SnapshotTable opened; // the snapshot's table this directory opened with, or null
  private volatile Table table;
  private volatile SnapshotTable snapshot; // null when none (or after a fallback)
  private volatile int size; // live keys, both layers
  private int entries; // used overlay slots, deleted ones included; guarded by the write lock
  private long entryKeyBytes; // key bytes of the used overlay slots; guarded by the write lock
  private final ReentrantLock fallingBack = new ReentrantLock();
  private volatile RuntimeException failure; // a fallback that failed: nothing can be trusted

  /** An empty directory. */
  public KeyDirectory() {
    this(0);
  }

  /** An empty directory sized to take {@code expectedKeys} keys without growing. */
  public KeyDirectory(int expectedKeys) {
    this(ThreadLocalRandom.current().nextLong(), expectedKeys);
  }

  /** An empty directory hashing with {@code seed}, sized for {@code expectedKeys}. */
  KeyDirectory(long seed, int expectedKeys) {
    this(seed, expectedKeys, null);
  }

  /** A directory holding what {@code snapshot}'s table holds, with an empty overlay. */
  KeyDirectory(SnapshotTable snapshot) {
    this(snapshot.seed(), 0, snapshot);
    this.snapshot = snapshot;
    this.size = snapshot.entryCount();
  }

  private KeyDirectory(long seed, int expectedKeys, SnapshotTable opened) {
    this.seed = seed;
    this.opened = opened;
    long needed = Math.max(MIN_CAPACITY, (long) expectedKeys * 4 / 3 + 1);
    int capacity = (int) Math.min(1 << 28, Long.highestOneBit(needed - 1) << 1); // grows past
    table = new Table(Math.max(MIN_CAPACITY, capacity), new byte[0][], 0);
  }

  /** The hash seed (a snapshot written from this directory keeps it). */
  long seed() {
    return seed;
  }

  /** Where {@code key}'s latest Put is, or {@code null} if the key is not live. */
  public Location get(byte[] key) {
    int hash = hash(key, 0, key.length);
    while (true) {
      try {
        failIfUnusable();
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
          Location found = lookup(table, snapshot, key, hash);
          if (lock.validate(stamp) && found != RETIRED) {
            return found;
          }
        }
        stamp = lock.readLock();
        try {
          Location found = lookup(table, snapshot, key, hash);
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

  /** What a put or remove replaced: nothing, or the previous Put's segment and frame length. */
  public static final long NONE = -1;

  /** The segment of a previous Put returned by {@link #put} or {@link #remove}. */
  public static int previousSegment(long previous) {
    return (int) (previous >>> 32);
  }

  /** The frame length of a previous Put returned by {@link #put} or {@link #remove}. */
  public static int previousLength(long previous) {
    return (int) previous;
  }

  /**
   * Records that {@code key}'s latest Put is at this place. Copies the key when it is new.
   *
   * @return the Put it replaces (see {@link #previousSegment}), or {@link #NONE}
   */
  public long put(byte[] key, long segment, long offset, int length) {
    long place = place(segment, offset, length);
    int hash = hash(key, 0, key.length);
    return changeLocked(() -> store(key, 0, key.length, hash, place, length, false));
  }

  /**
   * Runs {@code change} under the write lock, inside the snapshot's table if one is in use, and
   * returns its result. If the snapshot's table turns out damaged, nothing was changed (the table
   * is read before any change): falls back to the segments outside the lock, then runs {@code
   * change} again on the rebuilt table.
   *
   * @throws IllegalStateException if the directory is closed (its table unmapped)
   */
  private long changeLocked(LongSupplier change) {
    while (true) {
      SnapshotTable.Damaged damage;
      long stamp = lock.writeLock();
      try {
        failIfUnusable();
        SnapshotTable s = snapshot;
        if (s == null) {
          return change.getAsLong();
        }
        if (!enter(s)) {
          continue; // unreachable: under the write lock the table read is never retired
        }
        try {
          return change.getAsLong();
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
   * Forgets {@code key}.
   *
   * @return the Put it was at (see {@link #previousSegment}), or {@link #NONE} if not live
   */
  public long remove(byte[] key) {
    int hash = hash(key, 0, key.length);
    return changeLocked(() -> delete(key, 0, key.length, hash, false));
  }

  /**
   * Moves {@code key} from one offset of {@code segment} to another, but only if its latest Put is
   * still at {@code fromOffset}: a write since then has moved it on, and wins.
   *
   * @return whether the key was moved
   */
  public boolean moveIfAt(byte[] key, long segment, long fromOffset, long toOffset) {
    int hash = hash(key, 0, key.length);
    long from = place(segment, fromOffset, 1);
    long to = place(segment, toOffset, 1);
    return changeLocked(() -> move(key, hash, from, to) ? 1 : 0) == 1;
  }

  private boolean move(byte[] key, int hash, long from, long to) {
    Table t = table;
    int i = slotOf(t, key, 0, key.length, hash);
    long m = t.slots[3 * i];
    if (m != 0) {
      if ((m & DELETED) != 0 || t.slots[3 * i + 1] != from) {
        return false;
      }
      t.slots[3 * i + 1] = to;
      return true;
    }
    SnapshotTable s = snapshot;
    if (s == null) {
      return false;
    }
    long slot = s.slotOf(key, 0, key.length, hash);
    if (slot < 0 || s.place(slot) != from) {
      return false;
    }
    long meta = (long) hash << 32 | IN_SNAPSHOT | (s.meta(slot) & LENGTH_MASK);
    insert(t, i, key, 0, key.length, hash, meta, to);
    return true;
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
    int hash = hash(buf, from, keyLen);
    boolean pinned = snapshot != null;
    try {
      return put
          ? store(buf, from, keyLen, hash, place(segment, offset, length), length, pinned)
          : delete(buf, from, keyLen, hash, pinned);
    } catch (SnapshotTable.Damaged e) {
      throw new Recovery.Refutation("the key-directory snapshot is damaged: " + e.getMessage());
    }
  }

  /** The number of live keys. */
  public int size() {
    return size;
  }

  /** Whether part of the directory is still read from a snapshot's table in place. */
  public boolean readsSnapshot() {
    return snapshot != null;
  }

  /**
   * Verifies every page of the snapshot's table still in use, if any, falling back to the segments
   * it covers if one is damaged. Compaction calls this before it changes a segment: afterwards the
   * covered segments could no longer rebuild the table, so no damage may be left to find.
   */
  public void verifySnapshot() {
    while (true) {
      failIfUnusable();
      SnapshotTable s = snapshot;
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
    verifySnapshot();
    List<Item> items;
    long stamp = lock.readLock();
    try {
      failIfUnusable();
      Table t = table;
      items = new ArrayList<>(size);
      new Copy(t.slots, t.chunks, snapshot, size, seed)
          .forEach(
              (chunk, from, keyLen, segment, offset, length) ->
                  items.add(
                      new Item(
                          Arrays.copyOfRange(chunk, from, from + keyLen),
                          new Location(segment, offset, length))));
    } finally {
      lock.unlockRead(stamp);
    }
    items.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
    return items;
  }

  /** Sees one entry of a {@link Copy}: the key is {@code chunk[from, from + keyLen)}. */
  @FunctionalInterface
  public interface EntryVisitor<E extends Exception> {
    void visit(byte[] chunk, int from, int keyLen, long segment, long offset, int length) throws E;
  }

  /** Sees the segment, frame length and key length of one entry of a {@link Copy}. */
  @FunctionalInterface
  interface StatsVisitor {
    void visit(long segment, int length, int keyLen);
  }

  /**
   * Sees one entry of a {@link Copy} with its hash; the key is {@code chunk[from, from + keyLen)}.
   */
  @FunctionalInterface
  interface HashedEntryVisitor<E extends Exception> {
    void visit(int hash, byte[] chunk, int from, int keyLen, long segment, long offset, int length)
        throws E;
  }

  /**
   * A frozen copy of the directory, for writing a snapshot of it without holding any lock: the
   * slots are copied, the arena is shared (its bytes at a given address never change, so the copy
   * keeps reading the keys it had even while the directory moves on), and so is the snapshot's
   * table, which never changes (and is verified whole before a copy is taken).
   */
  public static final class Copy {
    private final long[] slots;
    private final byte[][] chunks;
    private final SnapshotTable snapshot;
    private final int size;
    private final long seed;
    private long[] overlayByHash; // for overlayLast, computed once
    private long overlayLast;
    private long[] shadowed; // per snapshot slot: the overlay holds its key; computed once

    private Copy(long[] slots, byte[][] chunks, SnapshotTable snapshot, int size, long seed) {
      this.slots = slots;
      this.chunks = chunks;
      this.snapshot = snapshot;
      this.size = size;
      this.seed = seed;
    }

    /** The number of live keys in the copy. */
    public int size() {
      return size;
    }

    /** The seed the entries' hashes were computed with. */
    long seed() {
      return seed;
    }

    /** Calls {@code visitor} with every entry, in no particular order. */
    public <E extends Exception> void forEach(EntryVisitor<E> visitor) throws E {
      enterSnapshot();
      try {
        forEachInside(visitor);
      } finally {
        exitSnapshot();
      }
    }

    private <E extends Exception> void forEachInside(EntryVisitor<E> visitor) throws E {
      HashedEntryVisitor<E> unhashed = (hash, c, f, k, s, o, l) -> visitor.visit(c, f, k, s, o, l);
      for (int i = 0; i < slots.length; i += 3) {
        long m = slots[i];
        if (m != 0 && (m & DELETED) == 0) {
          visitOverlay(i / 3, unhashed);
        }
      }
      if (snapshot != null) {
        long[] shadow = shadowed();
        byte[] key = new byte[FrameFormat.MAX_KEY_LEN];
        for (long j = 0; j < snapshot.slotCount(); j++) {
          if (snapshot.meta(j) != 0 && (shadow[(int) (j >>> 6)] & 1L << j) == 0) {
            visitSnapshot(j, key, unhashed);
          }
        }
      }
    }

    /**
     * Calls {@code stats} with every entry in a segment up to {@code last} (in no order), then
     * {@code hashes} with the hash of each, in ascending unsigned order: what a snapshot writer
     * needs to lay out its table. Reads the slots in order (sorting the overlay's hashes), never an
     * entry at random.
     */
    void summarize(long last, StatsVisitor stats, java.util.function.IntConsumer hashes) {
      enterSnapshot();
      try {
        summarizeInside(last, stats, hashes);
      } finally {
        exitSnapshot();
      }
    }

    private void summarizeInside(
        long last, StatsVisitor stats, java.util.function.IntConsumer hashes) {
      long[] overlay = overlayByHash(last, stats);
      int next = 0;
      if (snapshot != null) {
        long[] shadow = shadowed();
        for (long j = 0; j < snapshot.slotCount(); j++) {
          long meta = snapshot.meta(j);
          if (meta == 0 || (shadow[(int) (j >>> 6)] & 1L << j) != 0) {
            continue;
          }
          long place = snapshot.place(j);
          if (place >>> OFFSET_BITS > last) {
            continue;
          }
          stats.visit(place >>> OFFSET_BITS, (int) (meta & 0xFFFF_FFFFL), snapshot.keyLength(j));
          long hash = meta >>> 32;
          while (next < overlay.length && overlay[next] >>> 32 < hash) {
            hashes.accept((int) (overlay[next++] >>> 32));
          }
          hashes.accept((int) hash);
        }
      }
      while (next < overlay.length) {
        hashes.accept((int) (overlay[next++] >>> 32));
      }
    }

    /**
     * Calls {@code visitor} with every entry in a segment up to {@code last}, in ascending order of
     * the unsigned hash: the order {@link #summarize} gave.
     */
    <E extends Exception> void forEachByHash(long last, HashedEntryVisitor<E> visitor) throws E {
      enterSnapshot();
      try {
        forEachByHashInside(last, visitor);
      } finally {
        exitSnapshot();
      }
    }

    private <E extends Exception> void forEachByHashInside(long last, HashedEntryVisitor<E> visitor)
        throws E {
      long[] overlay = overlayByHash(last, null);
      int next = 0;
      if (snapshot != null) {
        long[] shadow = shadowed();
        byte[] key = new byte[FrameFormat.MAX_KEY_LEN];
        for (long j = 0; j < snapshot.slotCount(); j++) {
          long meta = snapshot.meta(j);
          if (meta == 0
              || (shadow[(int) (j >>> 6)] & 1L << j) != 0
              || snapshot.place(j) >>> OFFSET_BITS > last) {
            continue;
          }
          long hash = meta >>> 32;
          while (next < overlay.length && overlay[next] >>> 32 < hash) {
            visitOverlay((int) overlay[next++], visitor);
          }
          visitSnapshot(j, key, visitor);
        }
      }
      while (next < overlay.length) {
        visitOverlay((int) overlay[next++], visitor);
      }
    }

    /**
     * Enters the snapshot's table, if any, for one walk. A copy's table is verified whole, so no
     * fallback ever retires it: only the store's close shuts it.
     *
     * @throws IllegalStateException if the store is closed
     */
    private void enterSnapshot() {
      if (snapshot != null && !snapshot.tryEnter()) {
        throw snapshot.closed();
      }
    }

    private void exitSnapshot() {
      if (snapshot != null) {
        snapshot.exit();
      }
    }

    private <E extends Exception> void visitOverlay(int i, HashedEntryVisitor<E> visitor) throws E {
      long m = slots[3 * i];
      long place = slots[3 * i + 1];
      long keyRef = slots[3 * i + 2];
      long address = keyRef >>> KEY_LEN_BITS;
      visitor.visit(
          (int) (m >>> 32),
          chunks[(int) (address >>> CHUNK_BITS)],
          (int) (address & (CHUNK - 1)),
          (int) (keyRef & KEY_LEN_MASK),
          place >>> OFFSET_BITS,
          place & OFFSET_MASK,
          (int) (m & LENGTH_MASK));
    }

    private <E extends Exception> void visitSnapshot(
        long j, byte[] key, HashedEntryVisitor<E> visitor) throws E {
      long meta = snapshot.meta(j);
      long place = snapshot.place(j);
      int keyLen = snapshot.keyLength(j);
      snapshot.copyKey(j, key, 0);
      visitor.visit(
          (int) (meta >>> 32),
          key,
          0,
          keyLen,
          place >>> OFFSET_BITS,
          place & OFFSET_MASK,
          (int) (meta & 0xFFFF_FFFFL));
    }

    /**
     * The live overlay slots with a place in a segment up to {@code last}, as unsigned hash << 32 |
     * slot, sorted; computed once per {@code last}, telling {@code stats} (if not null) of each.
     */
    private long[] overlayByHash(long last, StatsVisitor stats) {
      if (overlayByHash == null || overlayLast != last || stats != null) {
        long[] sorted = new long[size]; // the live overlay entries are some of the live keys
        int n = 0;
        for (int i = 0; i < slots.length; i += 3) {
          long m = slots[i];
          long place = slots[i + 1];
          if (m != 0 && (m & DELETED) == 0 && place >>> OFFSET_BITS <= last) {
            sorted[n++] = (m >>> 32) << 32 | (i / 3);
            if (stats != null) {
              stats.visit(
                  place >>> OFFSET_BITS,
                  (int) (m & LENGTH_MASK),
                  (int) (slots[i + 2] & KEY_LEN_MASK));
            }
          }
        }
        sorted = n == sorted.length ? sorted : Arrays.copyOf(sorted, n);
        sortByHigh32(sorted);
        overlayByHash = sorted;
        overlayLast = last;
      }
      return overlayByHash;
    }

    /** Sorts by the unsigned upper 32 bits: a radix sort, two passes of 16 bits. */
    private static void sortByHigh32(long[] values) {
      long[] from = values;
      long[] to = new long[values.length];
      for (int shift = 32; shift < 64; shift += 16) {
        int[] starts = new int[(1 << 16) + 1];
        for (long v : from) {
          starts[(int) (v >>> shift & 0xFFFF) + 1]++;
        }
        for (int d = 0; d < 1 << 16; d++) {
          starts[d + 1] += starts[d];
        }
        for (long v : from) {
          to[starts[(int) (v >>> shift & 0xFFFF)]++] = v;
        }
        long[] swap = from;
        from = to;
        to = swap;
      }
      // Two passes: the sorted values are back in the array given.
    }

    /** Per slot of the snapshot's table, whether the overlay holds its key (live or deleted). */
    private long[] shadowed() {
      if (shadowed == null) {
        long count = snapshot.slotCount();
        long[] bits = new long[(int) ((count + 63) >>> 6)];
        int mask = slots.length / 3 - 1;
        byte[] key = null;
        for (long j = 0; j < count; j++) {
          long meta = snapshot.meta(j);
          if (meta == 0) {
            continue;
          }
          int hash = (int) (meta >>> 32);
          int keyLen = snapshot.keyLength(j);
          boolean keyCopied = false;
          for (int i = hash & mask; slots[3 * i] != 0; i = (i + 1) & mask) {
            if ((int) (slots[3 * i] >>> 32) != hash) {
              continue;
            }
            if (!keyCopied) {
              key = key == null ? new byte[FrameFormat.MAX_KEY_LEN] : key;
              snapshot.copyKey(j, key, 0);
              keyCopied = true;
            }
            if (keyEquals(chunks, slots[3 * i + 2], key, 0, keyLen)) {
              bits[(int) (j >>> 6)] |= 1L << j;
              break;
            }
          }
        }
        shadowed = bits;
      }
      return shadowed;
    }
  }

  /**
   * A consistent copy of every entry; costs one copy of the overlay's slot array under the read
   * lock (and, the first time after opening from a snapshot, a check of the snapshot's whole
   * table).
   */
  public Copy copy() {
    verifySnapshot();
    long stamp = lock.readLock();
    try {
      failIfUnusable();
      Table t = table;
      return new Copy(t.slots.clone(), t.chunks, snapshot, size, seed);
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
      Table t = table;
      SnapshotTable s = snapshot;
      return 16
          + t.slots.length * 8L
          + 16
          + t.chunks.length * (4L + 16 + CHUNK)
          + (s == null ? 0 : s.heapBytes());
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private static long place(long segment, long offset, int length) {
    if (segment < 0 || segment > MAX_SEGMENT || offset < 0 || offset > OFFSET_MASK) {
      throw new IllegalArgumentException(
          "place out of range: segment " + segment + ", offset " + offset);
    }
    if (length <= 0 || length > MAX_FRAME_LENGTH) {
      throw new IllegalArgumentException("frame length out of range: " + length);
    }
    return segment << OFFSET_BITS | offset;
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
   * #RETIRED} if a fallback retired {@code s} meanwhile.
   *
   * @throws IllegalStateException if the directory is closed
   */
  private Location lookup(Table t, SnapshotTable s, byte[] key, int hash) {
    Location found = find(t, key, hash);
    if (found == GONE) {
      return null;
    }
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
   * Enters {@code s}, a table read from {@link #snapshot}, for one operation.
   *
   * @return {@code false} if a fallback retired it since (read {@link #snapshot} again)
   * @throws IllegalStateException if the directory is closed
   */
  private boolean enter(SnapshotTable s) {
    if (s.tryEnter()) {
      return true;
    }
    if (snapshot == s) {
      throw s.closed(); // a fallback unpublishes a table before it retires it: only close is left
    }
    return false;
  }

  /**
   * Inserts or updates; the caller holds the write lock or is recovery. Reads the snapshot's table
   * (which may throw {@link SnapshotTable.Damaged}) before it changes anything.
   */
  private long store(
      byte[] buf, int from, int keyLen, int hash, long place, int length, boolean pinned) {
    Table t = table;
    int i = slotOf(t, buf, from, keyLen, hash);
    long m = t.slots[3 * i];
    if (m != 0) {
      long previous = NONE;
      if ((m & DELETED) == 0) {
        previous = previous(t, i);
      } else {
        size++;
      }
      t.slots[3 * i + 1] = place;
      t.slots[3 * i] = (long) hash << 32 | (m & (IN_SNAPSHOT | PINNED)) | length;
      return previous;
    }
    long flags = pinned ? PINNED : 0;
    long previous = NONE;
    SnapshotTable s = snapshot;
    if (s != null) {
      long slot = s.slotOf(buf, from, keyLen, hash);
      if (slot >= 0) {
        flags |= IN_SNAPSHOT;
        previous = previousIn(s, slot);
      }
    }
    insert(t, i, buf, from, keyLen, hash, (long) hash << 32 | flags | length, place);
    if (previous == NONE) {
      size++;
    }
    return previous;
  }

  /** Removes; the caller holds the write lock or is recovery. Reads before it changes anything. */
  private long delete(byte[] buf, int from, int keyLen, int hash, boolean pinned) {
    Table t = table;
    int i = slotOf(t, buf, from, keyLen, hash);
    long m = t.slots[3 * i];
    if (m != 0) {
      if ((m & DELETED) != 0) {
        return NONE;
      }
      long previous = previous(t, i);
      size--;
      if ((m & (IN_SNAPSHOT | PINNED)) != 0) {
        t.slots[3 * i + 1] = 0;
        t.slots[3 * i] = (long) hash << 32 | (m & (IN_SNAPSHOT | PINNED)) | DELETED;
      } else {
        shiftBack(t, i);
        entries--;
        entryKeyBytes -= keyLen;
        t.arenaGarbage += keyLen;
        if (t.arenaGarbage > CHUNK && t.arenaGarbage > entryKeyBytes) {
          rebuild(t.capacity(), true); // rewrite the arena with the used entries only
        }
      }
      return previous;
    }
    SnapshotTable s = snapshot;
    if (s == null) {
      return NONE;
    }
    long slot = s.slotOf(buf, from, keyLen, hash);
    long previous = slot < 0 ? NONE : previousIn(s, slot);
    if (previous != NONE || pinned) {
      long flags = DELETED | (previous != NONE ? IN_SNAPSHOT : 0) | (pinned ? PINNED : 0);
      insert(t, i, buf, from, keyLen, hash, (long) hash << 32 | flags, 0);
    }
    if (previous != NONE) {
      size--;
    }
    return previous;
  }

  /** Puts a new entry in empty slot {@code i} of {@code t}, growing the table first if needed. */
  private void insert(
      Table t, int i, byte[] buf, int from, int keyLen, int hash, long meta, long place) {
    if ((entries + 1) * 4L > t.capacity() * 3L) {
      t = rebuild(t.capacity() * 2, false);
      i = hash & t.mask;
      while (t.slots[3 * i] != 0) {
        i = (i + 1) & t.mask;
      }
    }
    t.slots[3 * i + 2] = append(t, buf, from, keyLen) << KEY_LEN_BITS | keyLen;
    t.slots[3 * i + 1] = place;
    t.slots[3 * i] = meta;
    entries++;
    entryKeyBytes += keyLen;
  }

  /** The segment and frame length of overlay slot {@code i}, packed as {@link #put} returns. */
  private static long previous(Table t, int i) {
    return (t.slots[3 * i + 1] >>> OFFSET_BITS) << 32 | (t.slots[3 * i] & LENGTH_MASK);
  }

  private static long previousIn(SnapshotTable s, long slot) {
    return (s.place(slot) >>> OFFSET_BITS) << 32 | (s.meta(slot) & 0xFFFF_FFFFL);
  }

  /**
   * The snapshot's table is damaged: reads the segments it covers into a new heap table, replays
   * the overlay on top of it, publishes that as the whole directory and retires the damaged table
   * (it is unmapped when the last lookup inside it leaves). The caller holds no lock of this
   * directory and is inside no table; writes and lookups go on during the scan and wait only while
   * the result is published. If the scan fails, the directory becomes unusable (every call throws),
   * since it can no longer tell what is live: a full scan at the next open fails or succeeds the
   * same way.
   *
   * <p>Why the replay gives the right answer: the snapshot's table holds, for every key it does not
   * omit, the key's state at the end of the covered part, which is what the scan finds. It may omit
   * a key the covered part holds (a snapshot written after compaction leaves out keys written after
   * the covered part, which the scan would find) only if the log after the covered part wrote that
   * key; recovery replayed that part into the overlay with pinned entries, which never leave it, so
   * the overlay overrides every such key. Every other overlay entry was decided from pages already
   * verified, so replaying it is right too.
   */
  private void fallBack(SnapshotTable.Damaged damage) {
    SnapshotTable damaged = damage.table();
    fallingBack.lock();
    try {
      if (snapshot != damaged || failure != null) {
        return; // another thread fell back already, or failed to
      }
      LOG.log(
          System.Logger.Level.WARNING,
          "datawal: the key-directory snapshot of {0} is damaged ({1}); reading the segments it"
              + " covers instead (a new snapshot is written at close)",
          damaged.dir(),
          damage.getMessage());
      KeyDirectory scanned;
      try {
        scanned = damaged.scanCovered();
      } catch (IOException | RuntimeException e) {
        RuntimeException failed =
            e instanceof IOException io
                ? Errors.readFailed(damaged.dir(), io)
                : (RuntimeException) e;
        LOG.log(
            System.Logger.Level.ERROR,
            "datawal: cannot rebuild the key directory of " + damaged.dir() + ": " + failed,
            failed);
        failure = failed;
        return;
      }
      long stamp = lock.writeLock();
      try {
        Table t = table;
        for (int i = 0; i <= t.mask; i++) {
          long m = t.slots[3 * i];
          if (m == 0) {
            continue;
          }
          long keyRef = t.slots[3 * i + 2];
          int keyLen = (int) (keyRef & KEY_LEN_MASK);
          long address = keyRef >>> KEY_LEN_BITS;
          byte[] chunk = t.chunks[(int) (address >>> CHUNK_BITS)];
          int at = (int) (address & (CHUNK - 1));
          int hash = (int) (m >>> 32);
          if ((m & DELETED) != 0) {
            scanned.delete(chunk, at, keyLen, hash, false);
          } else {
            scanned.store(
                chunk, at, keyLen, hash, t.slots[3 * i + 1], (int) (m & LENGTH_MASK), false);
          }
        }
        entries = scanned.entries;
        entryKeyBytes = scanned.entryKeyBytes;
        table = scanned.table;
        snapshot = null;
        size = scanned.size;
      } finally {
        lock.unlockWrite(stamp);
      }
      damaged.retire(); // unmapped once the lookups still inside it leave
    } finally {
      fallingBack.unlock();
    }
  }

  /** The slot holding the key, or the empty slot where it would go. */
  private static int slotOf(Table t, byte[] buf, int from, int keyLen, int hash) {
    int i = hash & t.mask;
    long m;
    while ((m = t.slots[3 * i]) != 0) {
      if ((int) (m >>> 32) == hash && keyEquals(t.chunks, t.slots[3 * i + 2], buf, from, keyLen)) {
        return i;
      }
      i = (i + 1) & t.mask;
    }
    return i;
  }

  /** The overlay's entry: its place, {@link #GONE} if deleted, {@code null} if it has none. */
  private static Location find(Table t, byte[] key, int hash) {
    long[] slots = t.slots;
    int mask = slots.length / 3 - 1;
    int i = hash & mask;
    // Bounded: a lookup racing a write may see a table in flux; the stamp check catches it.
    for (int probes = 0; probes <= mask; probes++) {
      long m = slots[3 * i];
      if (m == 0) {
        return null;
      }
      if ((int) (m >>> 32) == hash && keyEquals(t.chunks, slots[3 * i + 2], key, 0, key.length)) {
        if ((m & DELETED) != 0) {
          return GONE;
        }
        long place = slots[3 * i + 1];
        return new Location(place >>> OFFSET_BITS, place & OFFSET_MASK, (int) (m & LENGTH_MASK));
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  private static boolean keyEquals(byte[][] chunks, long keyRef, byte[] buf, int from, int keyLen) {
    if ((int) (keyRef & KEY_LEN_MASK) != keyLen) {
      return false;
    }
    long address = keyRef >>> KEY_LEN_BITS;
    long chunk = address >>> CHUNK_BITS;
    int at = (int) (address & (CHUNK - 1));
    if (chunk >= chunks.length || chunks[(int) chunk] == null || at + keyLen > CHUNK) {
      return false; // a racing lookup saw a reference before its chunk: the stamp check fails
    }
    return Arrays.equals(chunks[(int) chunk], at, at + keyLen, buf, from, from + keyLen);
  }

  /** Copies a key into the arena and returns its address. */
  private static long append(Table t, byte[] buf, int from, int keyLen) {
    long address = t.arenaEnd;
    int at = (int) (address & (CHUNK - 1));
    if ((address >>> CHUNK_BITS) >= t.chunks.length || at + keyLen > CHUNK) {
      // Start a new chunk; a key never spans two.
      address = (long) t.chunks.length << CHUNK_BITS;
      at = 0;
      byte[][] grown = Arrays.copyOf(t.chunks, t.chunks.length + 1);
      grown[grown.length - 1] = new byte[CHUNK];
      t.chunks = grown;
    }
    System.arraycopy(buf, from, t.chunks[(int) (address >>> CHUNK_BITS)], at, keyLen);
    t.arenaEnd = address + keyLen;
    return address;
  }

  /**
   * Publishes a new table of {@code capacity} slots with every used entry. Keeps the arena (its
   * chunks are only ever appended to) unless {@code compactArena}, which copies the used keys into
   * a fresh arena and drops the bytes of deleted ones.
   */
  private Table rebuild(int capacity, boolean compactArena) {
    Table old = table;
    Table t =
        compactArena
            ? new Table(capacity, new byte[0][], 0)
            : new Table(capacity, old.chunks, old.arenaEnd);
    if (!compactArena) {
      t.arenaGarbage = old.arenaGarbage;
    }
    for (int j = 0; j <= old.mask; j++) {
      long m = old.slots[3 * j];
      if (m != 0) {
        int i = (int) (m >>> 32) & t.mask;
        while (t.slots[3 * i] != 0) {
          i = (i + 1) & t.mask;
        }
        long keyRef = old.slots[3 * j + 2];
        if (compactArena) {
          int keyLen = (int) (keyRef & KEY_LEN_MASK);
          long address = keyRef >>> KEY_LEN_BITS;
          byte[] chunk = old.chunks[(int) (address >>> CHUNK_BITS)];
          keyRef = append(t, chunk, (int) (address & (CHUNK - 1)), keyLen) << KEY_LEN_BITS | keyLen;
        }
        t.slots[3 * i + 2] = keyRef;
        t.slots[3 * i + 1] = old.slots[3 * j + 1];
        t.slots[3 * i] = m;
      }
    }
    table = t;
    return t;
  }

  /** Empties slot {@code i} and moves back entries whose probe run passed through it. */
  private static void shiftBack(Table t, int i) {
    int hole = i;
    int j = i;
    while (true) {
      j = (j + 1) & t.mask;
      long m = t.slots[3 * j];
      if (m == 0) {
        break;
      }
      int ideal = (int) (m >>> 32) & t.mask;
      // Leave the entry if its ideal slot lies cyclically in (hole, j]: it is still reachable.
      boolean reachable = hole <= j ? hole < ideal && ideal <= j : hole < ideal || ideal <= j;
      if (!reachable) {
        t.slots[3 * hole + 2] = t.slots[3 * j + 2];
        t.slots[3 * hole + 1] = t.slots[3 * j + 1];
        t.slots[3 * hole] = m;
        hole = j;
      }
    }
    t.slots[3 * hole] = 0;
  }

  /** The seeded hash of a key, as {@link #hash(long, byte[], int, int)} with this seed. */
  int hash(byte[] buf, int from, int keyLen) {
    return hash(seed, buf, from, keyLen);
  }

  /**
   * A seeded 64-bit mix of the key, eight bytes at a time, folded to 32 bits. Part of the snapshot
   * format (its table is laid out by it): see {@link KeyDirectorySnapshot}.
   */
  static int hash(long seed, byte[] buf, int from, int keyLen) {
    long h = seed ^ (keyLen * 0x9E3779B97F4A7C15L);
    int i = from;
    int end = from + keyLen;
    for (; i + 8 <= end; i += 8) {
      h = mix(h ^ (long) LONGS.get(buf, i));
    }
    long tail = 0;
    for (int shift = 0; i < end; i++, shift += 8) {
      tail |= (buf[i] & 0xFFL) << shift;
    }
    h = mix(h ^ tail);
    return (int) (h ^ (h >>> 32));
  }

  private static long mix(long h) {
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 31;
    h *= 0x94D049BB133111EBL;
    return h ^ (h >>> 29);
  }
}
