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
 * <p>Design, for memory: an open-addressing hash table with linear probing over parallel primitive
 * arrays, no object per entry. Per slot: a reference to the key's own array (4 bytes with
 * compressed oops), its 32-bit hash, its place (segment id in the top 27 bits, offset in the low
 * 37) and its frame length: 20 bytes. The table doubles past a load of 3/4, so a live key costs 20
 * bytes times 1.33 to 2.67 slots, plus its key array (16-byte header and the key rounded up to 8
 * bytes). Deletion shifts the following entries back, so there are no tombstones.
 *
 * <p>Concurrency: writes take a {@link StampedLock}'s write lock; lookups read optimistically and
 * retry under the read lock only if a write intervened, so gets neither block nor are blocked by
 * each other. Key arrays are copied on insert and never changed, so a lookup that races a write
 * reads stale but valid arrays, and the stamp check discards what it found.
 *
 * <p>The hash is keyed with a random seed per directory, so keys chosen to collide cannot degrade
 * it to a list.
 */
public final class KeyDirectory {
  /** Bits of a place that hold the offset: segments up to 64 GiB. */
  static final int OFFSET_BITS = 37;

  private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
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
   * @param key the key (the directory's own array: do not change it)
   * @param location where its latest Put is
   */
  public record Item(byte[] key, Location location) {}

  private static final class Table {
    final byte[][] keys;
    final int[] hashes;
    final long[] places;
    final int[] lengths;
    final int mask;

    Table(int capacity) {
      keys = new byte[capacity][];
      hashes = new int[capacity];
      places = new long[capacity];
      lengths = new int[capacity];
      mask = capacity - 1;
    }
  }

  private final StampedLock lock = new StampedLock();
  private final long seed = ThreadLocalRandom.current().nextLong();
  private volatile Table table = new Table(MIN_CAPACITY);
  private volatile int size;

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

  /** Records that {@code key}'s latest Put is at this place. Copies the key when it is new. */
  public void put(byte[] key, long segment, long offset, int length) {
    put(key, 0, key.length, segment, offset, length);
  }

  /**
   * Records that the key in {@code buf[from, from + keyLen)} has its latest Put at this place.
   * Copies the key when it is new; {@code buf} may be reused afterwards.
   */
  public void put(byte[] buf, int from, int keyLen, long segment, long offset, int length) {
    if (segment < 0 || segment >= 1L << (64 - OFFSET_BITS) || offset < 0 || offset > OFFSET_MASK) {
      throw new IllegalArgumentException(
          "place out of range: segment " + segment + ", offset " + offset);
    }
    long place = segment << OFFSET_BITS | offset;
    int hash = hash(buf, from, keyLen);
    long stamp = lock.writeLock();
    try {
      Table t = table;
      int i = hash & t.mask;
      while (t.keys[i] != null) {
        if (t.hashes[i] == hash && same(t.keys[i], buf, from, keyLen)) {
          t.places[i] = place;
          t.lengths[i] = length;
          return;
        }
        i = (i + 1) & t.mask;
      }
      if ((size + 1) * 4L > t.keys.length * 3L) {
        t = grow(t);
        i = hash & t.mask;
        while (t.keys[i] != null) {
          i = (i + 1) & t.mask;
        }
      }
      t.hashes[i] = hash;
      t.places[i] = place;
      t.lengths[i] = length;
      t.keys[i] = Arrays.copyOfRange(buf, from, from + keyLen);
      size++;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Forgets {@code key}; returns whether it was live. */
  public boolean remove(byte[] key) {
    return remove(key, 0, key.length);
  }

  /** Forgets the key in {@code buf[from, from + keyLen)}; returns whether it was live. */
  public boolean remove(byte[] buf, int from, int keyLen) {
    int hash = hash(buf, from, keyLen);
    long stamp = lock.writeLock();
    try {
      Table t = table;
      int i = hash & t.mask;
      while (t.keys[i] != null) {
        if (t.hashes[i] == hash && same(t.keys[i], buf, from, keyLen)) {
          shiftBack(t, i);
          size--;
          return true;
        }
        i = (i + 1) & t.mask;
      }
      return false;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** The number of live keys. */
  public int size() {
    return size;
  }

  /** Every live key with its place, sorted by unsigned byte order of the key. */
  public List<Item> itemsSorted() {
    List<Item> items;
    long stamp = lock.readLock();
    try {
      Table t = table;
      items = new ArrayList<>(size);
      for (int i = 0; i < t.keys.length; i++) {
        if (t.keys[i] != null) {
          items.add(new Item(t.keys[i], location(t, i)));
        }
      }
    } finally {
      lock.unlockRead(stamp);
    }
    items.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
    return items;
  }

  /**
   * An estimate of the heap this directory holds, in bytes: its arrays (with compressed oops) and
   * every key array. The benchmarks measure the real figure.
   */
  public long estimatedBytes() {
    long stamp = lock.readLock();
    try {
      Table t = table;
      long arrays = 4L * 16 + (long) t.keys.length * (4 + 4 + 8 + 4);
      long keys = 0;
      for (byte[] k : t.keys) {
        if (k != null) {
          keys += 16 + ((k.length + 7) & ~7L);
        }
      }
      return arrays + keys;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private static Location find(Table t, byte[] key, int hash) {
    int i = hash & t.mask;
    // Bounded: a lookup racing a write may see a table in flux; the stamp check catches it.
    for (int probes = 0; probes <= t.mask; probes++) {
      byte[] k = t.keys[i];
      if (k == null) {
        return null;
      }
      if (t.hashes[i] == hash && Arrays.equals(k, key)) {
        return location(t, i);
      }
      i = (i + 1) & t.mask;
    }
    return null;
  }

  private static Location location(Table t, int i) {
    long place = t.places[i];
    return new Location(place >>> OFFSET_BITS, place & OFFSET_MASK, t.lengths[i]);
  }

  private Table grow(Table old) {
    Table t = new Table(old.keys.length * 2);
    for (int j = 0; j < old.keys.length; j++) {
      if (old.keys[j] != null) {
        int i = old.hashes[j] & t.mask;
        while (t.keys[i] != null) {
          i = (i + 1) & t.mask;
        }
        t.keys[i] = old.keys[j];
        t.hashes[i] = old.hashes[j];
        t.places[i] = old.places[j];
        t.lengths[i] = old.lengths[j];
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
      if (t.keys[j] == null) {
        break;
      }
      int ideal = t.hashes[j] & t.mask;
      // Leave the entry if its ideal slot lies cyclically in (hole, j]: it is still reachable.
      boolean reachable = hole <= j ? hole < ideal && ideal <= j : hole < ideal || ideal <= j;
      if (!reachable) {
        t.keys[hole] = t.keys[j];
        t.hashes[hole] = t.hashes[j];
        t.places[hole] = t.places[j];
        t.lengths[hole] = t.lengths[j];
        hole = j;
      }
    }
    t.keys[hole] = null;
  }

  private static boolean same(byte[] key, byte[] buf, int from, int keyLen) {
    return Arrays.equals(key, 0, key.length, buf, from, from + keyLen);
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
