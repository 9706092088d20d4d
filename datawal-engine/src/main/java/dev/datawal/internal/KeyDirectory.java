package dev.datawal.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.StampedLock;

/**
 * The key directory: for every live key, where its latest Put lies on disk. Values stay on disk.
 *
 * <p>Design, for memory, cache misses and the garbage collector: an open-addressing hash table with
 * linear probing over one {@code long[]}, three longs a slot, and the keys' bytes packed into an
 * arena of 128 KiB byte chunks. No object per key, no reference per key: inserting a million keys
 * allocates a few dozen arrays and stores no references the collector must track.
 *
 * <pre>
 * slot i:  slots[3i]     hash (32 bits) << 32 | frame length (32 bits); 0 = empty slot
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
 * <p>Concurrency: writes take a {@link StampedLock}'s write lock; lookups read optimistically and
 * retry under the read lock if a write intervened, so gets neither block nor are blocked by each
 * other. A lookup racing a write may read half-updated slots or stale arena chunks; it checks every
 * index against the arrays it holds, so it cannot fail, and the stamp check discards what it found.
 * Growth and arena rewrites build a new table and publish it at once. Recovery fills the directory
 * through {@link #load} without locking, before anyone else can see it.
 *
 * <p>The hash is keyed with a random seed per directory, so keys chosen to collide cannot degrade
 * it to a list.
 */
public final class KeyDirectory {
  /** Bits of a place that hold the offset: segments up to 64 GiB. */
  static final int OFFSET_BITS = 37;

  private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
  private static final long MAX_SEGMENT = (1L << (64 - OFFSET_BITS)) - 1;
  private static final int KEY_LEN_BITS = 17;
  private static final long KEY_LEN_MASK = (1L << KEY_LEN_BITS) - 1;
  private static final int CHUNK_BITS = 17;
  private static final int CHUNK = 1 << CHUNK_BITS; // fits the largest key, 65,536 bytes
  private static final int MIN_CAPACITY = 16;
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /**
   * Where a key's latest Put is.
   *
   * @param segment the segment id
   * @param offset the frame's offset in it
   * @param length the frame's length
   */
  public record Location(long segment, long offset, int length) {}

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
  private final long seed = ThreadLocalRandom.current().nextLong();
  private volatile Table table;
  private volatile int size;
  private long liveKeyBytes; // guarded by the write lock

  /** An empty directory. */
  public KeyDirectory() {
    this(0);
  }

  /** An empty directory sized to take {@code expectedKeys} keys without growing. */
  public KeyDirectory(int expectedKeys) {
    long needed = Math.max(MIN_CAPACITY, (long) expectedKeys * 4 / 3 + 1);
    int capacity = (int) Math.min(1 << 28, Long.highestOneBit(needed - 1) << 1); // grows past
    table = new Table(Math.max(MIN_CAPACITY, capacity), new byte[0][], 0);
  }

  /** Where {@code key}'s latest Put is, or {@code null} if the key is not live. */
  public Location get(byte[] key) {
    int hash = hash(key, 0, key.length);
    long stamp = lock.tryOptimisticRead();
    if (stamp != 0) {
      Location found = find(table, key, hash);
      if (lock.validate(stamp)) {
        return found;
      }
    }
    stamp = lock.readLock();
    try {
      return find(table, key, hash);
    } finally {
      lock.unlockRead(stamp);
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
    long stamp = lock.writeLock();
    try {
      return store(key, 0, key.length, hash, place, length);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /**
   * Forgets {@code key}.
   *
   * @return the Put it was at (see {@link #previousSegment}), or {@link #NONE} if not live
   */
  public long remove(byte[] key) {
    int hash = hash(key, 0, key.length);
    long stamp = lock.writeLock();
    try {
      return delete(key, 0, key.length, hash);
    } finally {
      lock.unlockWrite(stamp);
    }
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
    long stamp = lock.writeLock();
    try {
      Table t = table;
      int i = slotOf(t, key, 0, key.length, hash);
      if (t.slots[3 * i] == 0 || t.slots[3 * i + 1] != from) {
        return false;
      }
      t.slots[3 * i + 1] = to;
      return true;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /**
   * Applies one record read by recovery, without locking: only while the directory is not yet
   * shared. The key is {@code buf[from, from + keyLen)}; {@code buf} may be reused afterwards.
   *
   * @param put whether the record is a Put (else a Delete)
   * @return the Put it replaces or removes, or {@link #NONE}
   */
  public long load(
      boolean put, byte[] buf, int from, int keyLen, long segment, long offset, int length) {
    int hash = hash(buf, from, keyLen);
    return put
        ? store(buf, from, keyLen, hash, place(segment, offset, length), length)
        : delete(buf, from, keyLen, hash);
  }

  /** The number of live keys. */
  public int size() {
    return size;
  }

  /** Every live key (copied) with its place, sorted by unsigned byte order of the key. */
  public List<Item> itemsSorted() {
    List<Item> items;
    long stamp = lock.readLock();
    try {
      Table t = table;
      items = new ArrayList<>(size);
      for (int i = 0; i <= t.mask; i++) {
        if (t.slots[3 * i] != 0) {
          items.add(new Item(keyOf(t, i), location(t, i)));
        }
      }
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

  /**
   * A frozen copy of the directory, for writing a snapshot of it without holding any lock: the
   * slots are copied, the arena is shared (its bytes at a given address never change, so the copy
   * keeps reading the keys it had even while the directory moves on).
   */
  public static final class Copy {
    private final long[] slots;
    private final byte[][] chunks;
    private final int size;

    private Copy(long[] slots, byte[][] chunks, int size) {
      this.slots = slots;
      this.chunks = chunks;
      this.size = size;
    }

    /** The number of live keys in the copy. */
    public int size() {
      return size;
    }

    /** Calls {@code visitor} with every entry, in no particular order. */
    public <E extends Exception> void forEach(EntryVisitor<E> visitor) throws E {
      for (int i = 0; i < slots.length; i += 3) {
        long m = slots[i];
        if (m != 0) {
          long place = slots[i + 1];
          long keyRef = slots[i + 2];
          long address = keyRef >>> KEY_LEN_BITS;
          visitor.visit(
              chunks[(int) (address >>> CHUNK_BITS)],
              (int) (address & (CHUNK - 1)),
              (int) (keyRef & KEY_LEN_MASK),
              place >>> OFFSET_BITS,
              place & OFFSET_MASK,
              (int) m);
        }
      }
    }
  }

  /** A consistent copy of every entry; costs one copy of the slot array under the read lock. */
  public Copy copy() {
    long stamp = lock.readLock();
    try {
      Table t = table;
      return new Copy(t.slots.clone(), t.chunks, size);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** The heap this directory holds, in bytes: its slot array and arena chunks. */
  public long estimatedBytes() {
    long stamp = lock.readLock();
    try {
      Table t = table;
      return 16 + t.slots.length * 8L + 16 + t.chunks.length * (4L + 16 + CHUNK);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private static long place(long segment, long offset, int length) {
    if (segment < 0 || segment > MAX_SEGMENT || offset < 0 || offset > OFFSET_MASK) {
      throw new IllegalArgumentException(
          "place out of range: segment " + segment + ", offset " + offset);
    }
    if (length <= 0) {
      throw new IllegalArgumentException("frame length must be positive, was " + length);
    }
    return segment << OFFSET_BITS | offset;
  }

  /** Inserts or updates; the caller holds the write lock or is recovery. */
  private long store(byte[] buf, int from, int keyLen, int hash, long place, int length) {
    long meta = (long) hash << 32 | (length & 0xFFFF_FFFFL);
    Table t = table;
    int i = slotOf(t, buf, from, keyLen, hash);
    if (t.slots[3 * i] != 0) {
      long previous = previous(t, i);
      t.slots[3 * i + 1] = place;
      t.slots[3 * i] = meta;
      return previous;
    }
    if ((size + 1) * 4L > t.capacity() * 3L) {
      t = rebuild(t.capacity() * 2, false);
      i = hash & t.mask;
      while (t.slots[3 * i] != 0) {
        i = (i + 1) & t.mask;
      }
    }
    t.slots[3 * i + 2] = append(t, buf, from, keyLen) << KEY_LEN_BITS | keyLen;
    t.slots[3 * i + 1] = place;
    t.slots[3 * i] = meta;
    size++;
    liveKeyBytes += keyLen;
    return NONE;
  }

  /** Removes; the caller holds the write lock or is recovery. */
  private long delete(byte[] buf, int from, int keyLen, int hash) {
    Table t = table;
    int i = slotOf(t, buf, from, keyLen, hash);
    if (t.slots[3 * i] == 0) {
      return NONE;
    }
    long previous = previous(t, i);
    shiftBack(t, i);
    size--;
    liveKeyBytes -= keyLen;
    t.arenaGarbage += keyLen;
    if (t.arenaGarbage > CHUNK && t.arenaGarbage > liveKeyBytes) {
      rebuild(t.capacity(), true); // rewrite the arena with the live keys only
    }
    return previous;
  }

  /** The segment and frame length of slot {@code i}, packed as {@link #put} returns them. */
  private static long previous(Table t, int i) {
    return (t.slots[3 * i + 1] >>> OFFSET_BITS) << 32 | (t.slots[3 * i] & 0xFFFF_FFFFL);
  }

  /** The slot holding the key, or the empty slot where it would go. */
  private static int slotOf(Table t, byte[] buf, int from, int keyLen, int hash) {
    int i = hash & t.mask;
    long m;
    while ((m = t.slots[3 * i]) != 0) {
      if ((int) (m >>> 32) == hash && keyEquals(t, t.slots[3 * i + 2], buf, from, keyLen)) {
        return i;
      }
      i = (i + 1) & t.mask;
    }
    return i;
  }

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
      if ((int) (m >>> 32) == hash && keyEquals(t, slots[3 * i + 2], key, 0, key.length)) {
        long place = slots[3 * i + 1];
        return new Location(place >>> OFFSET_BITS, place & OFFSET_MASK, (int) m);
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  private static boolean keyEquals(Table t, long keyRef, byte[] buf, int from, int keyLen) {
    if ((int) (keyRef & KEY_LEN_MASK) != keyLen) {
      return false;
    }
    long address = keyRef >>> KEY_LEN_BITS;
    byte[][] chunks = t.chunks;
    long chunk = address >>> CHUNK_BITS;
    int at = (int) (address & (CHUNK - 1));
    if (chunk >= chunks.length || chunks[(int) chunk] == null || at + keyLen > CHUNK) {
      return false; // a racing lookup saw a reference before its chunk: the stamp check fails
    }
    return Arrays.equals(chunks[(int) chunk], at, at + keyLen, buf, from, from + keyLen);
  }

  private static Location location(Table t, int i) {
    long place = t.slots[3 * i + 1];
    return new Location(place >>> OFFSET_BITS, place & OFFSET_MASK, (int) t.slots[3 * i]);
  }

  private static byte[] keyOf(Table t, int i) {
    long keyRef = t.slots[3 * i + 2];
    int keyLen = (int) (keyRef & KEY_LEN_MASK);
    long address = keyRef >>> KEY_LEN_BITS;
    int at = (int) (address & (CHUNK - 1));
    return Arrays.copyOfRange(t.chunks[(int) (address >>> CHUNK_BITS)], at, at + keyLen);
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
   * Publishes a new table of {@code capacity} slots with every live key. Keeps the arena (its
   * chunks are only ever appended to) unless {@code compactArena}, which copies the live keys into
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

  /** A seeded 64-bit mix of the key, eight bytes at a time, folded to 32 bits. */
  private int hash(byte[] buf, int from, int keyLen) {
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
