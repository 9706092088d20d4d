package dev.datawal.internal.kv;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The key directory's heap table: an open-addressing hash table with linear probing over one {@code
 * long[]}, three longs a slot, and the keys' bytes packed into an arena of 128 KiB byte chunks. No
 * object per key, no reference per key: inserting a million keys allocates a few dozen arrays and
 * stores no references the collector must track.
 *
 * <pre>
 * slot i:  slots[3i]     hash (32 bits) << 32 | flags (3 bits) << 29 | frame length (29 bits);
 *                        0 = empty slot
 *          slots[3i + 1] place ({@link Place})
 *          slots[3i + 2] key: arena address << 17 | key length (17 bits, up to 65,536)
 * arena address: chunk index << 17 | byte offset in the chunk (a key never spans chunks)
 * </pre>
 *
 * A live key costs 24 bytes times 1.33 to 2.67 slots (the table doubles past a load of 3/4) plus
 * its own bytes in the arena. A probe compares the hash from the slot's first long and reads the
 * key's bytes only on a match. Deletion shifts the following entries back, so there are no
 * tombstones; the arena bytes of deleted keys are reclaimed by rewriting the arena when they
 * outweigh the live ones. Growth and arena rewrites build a new table, which the owner publishes in
 * place of this one ({@link #insert}, {@link #remove}). The flags are the overlay's ({@link
 * LayeredTable}); this table only skips {@link #DELETED} entries when it answers a lookup.
 *
 * <p>Not thread-safe: one writer at a time, which the owner ensures. {@link #find} may run while a
 * write changes the table and then answers wrong but never fails (every index is checked against
 * the arrays it holds), so a reader racing writes must discard its answer if one intervened. The
 * arena's bytes at a given address never change, so a {@link #frozen} copy keeps reading its keys
 * while this table moves on.
 */
final class HeapTable {
  /** Flag: the entry's key is not live. */
  static final long DELETED = 1L << 31;

  /** Flag: the snapshot's table holds the entry's key. */
  static final long IN_SNAPSHOT = 1L << 30;

  /** Flag: the entry was loaded while replaying the log after a snapshot at open. */
  static final long PINNED = 1L << 29;

  /** The frame length bits of a slot's first long. */
  static final long LENGTH_MASK = KeyDirectory.MAX_FRAME_LENGTH;

  /** {@link #find}'s answer for a deleted entry (compared by identity). */
  static final KeyDirectory.Location GONE = new KeyDirectory.Location(-1, -1, -1);

  private static final int KEY_LEN_BITS = 17;
  private static final long KEY_LEN_MASK = (1L << KEY_LEN_BITS) - 1;
  private static final int CHUNK_BITS = 17;
  private static final int CHUNK = 1 << CHUNK_BITS; // fits the largest key, 65,536 bytes
  private static final int MIN_CAPACITY = 16;

  private final long[] slots;
  private final int mask;
  private byte[][] chunks; // grows by whole chunks; readers check bounds
  private long arenaEnd; // next free arena address
  private long arenaGarbage; // bytes of deleted keys still in the arena
  private int entries; // used slots, deleted entries included
  private long entryKeyBytes; // key bytes of the used slots

  private HeapTable(long[] slots, byte[][] chunks, long arenaEnd) {
    this.slots = slots;
    this.mask = slots.length / 3 - 1;
    this.chunks = chunks;
    this.arenaEnd = arenaEnd;
  }

  private HeapTable(int capacity, byte[][] chunks, long arenaEnd) {
    this(new long[capacity * 3], chunks, arenaEnd);
  }

  /** An empty table sized to take {@code expectedKeys} keys without growing. */
  static HeapTable forKeys(int expectedKeys) {
    long needed = Math.max(MIN_CAPACITY, (long) expectedKeys * 4 / 3 + 1);
    int capacity = (int) Math.min(1 << 28, Long.highestOneBit(needed - 1) << 1); // grows past
    return new HeapTable(Math.max(MIN_CAPACITY, capacity), new byte[0][], 0);
  }

  /** The number of slots. */
  int capacity() {
    return mask + 1;
  }

  /** The first long of slot {@code i}: hash, flags and frame length; 0 if the slot is empty. */
  long meta(int i) {
    return slots[3 * i];
  }

  /** The place of slot {@code i}'s entry. */
  long place(int i) {
    return slots[3 * i + 1];
  }

  /** The arena chunk holding the key of slot {@code i}. */
  byte[] keyChunk(int i) {
    return chunks[(int) ((slots[3 * i + 2] >>> KEY_LEN_BITS) >>> CHUNK_BITS)];
  }

  /** Where the key of slot {@code i} starts in its {@link #keyChunk}. */
  int keyFrom(int i) {
    return (int) ((slots[3 * i + 2] >>> KEY_LEN_BITS) & (CHUNK - 1));
  }

  /** The key length of slot {@code i}. */
  int keyLength(int i) {
    return (int) (slots[3 * i + 2] & KEY_LEN_MASK);
  }

  /** The slot holding the key {@code buf[from, from + keyLen)}, or the empty slot where it goes. */
  int slotOf(byte[] buf, int from, int keyLen, int hash) {
    int i = hash & mask;
    long m;
    while ((m = slots[3 * i]) != 0) {
      if ((int) (m >>> 32) == hash && keyEquals(chunks, slots[3 * i + 2], buf, from, keyLen)) {
        return i;
      }
      i = (i + 1) & mask;
    }
    return i;
  }

  /** Whether an entry with {@code hash} lies in its probe run (its key may be another). */
  boolean holdsHash(int hash) {
    for (int i = hash & mask; slots[3 * i] != 0; i = (i + 1) & mask) {
      if ((int) (slots[3 * i] >>> 32) == hash) {
        return true;
      }
    }
    return false;
  }

  /**
   * The entry of {@code key}: its location, {@link #GONE} if deleted, {@code null} if it has none.
   * Safe to call while a write runs (see the class comment).
   */
  KeyDirectory.@Nullable Location find(byte[] key, int hash) {
    int i = hash & mask;
    // Bounded: a lookup racing a write may see a table in flux; the caller's check catches it.
    for (int probes = 0; probes <= mask; probes++) {
      long m = slots[3 * i];
      if (m == 0) {
        return null;
      }
      if ((int) (m >>> 32) == hash && keyEquals(chunks, slots[3 * i + 2], key, 0, key.length)) {
        if ((m & DELETED) != 0) {
          return GONE;
        }
        return Place.location(slots[3 * i + 1], (int) (m & LENGTH_MASK));
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  /** Sets slot {@code i}'s first long and place, its key staying. */
  void set(int i, long meta, long place) {
    slots[3 * i + 1] = place;
    slots[3 * i] = meta;
  }

  /** Sets slot {@code i}'s place. */
  void setPlace(int i, long place) {
    slots[3 * i + 1] = place;
  }

  /**
   * Puts a new entry in empty slot {@code i}, copying its key into the arena; if the table is full,
   * in a grown copy of it instead.
   *
   * @return the table holding the entry: this one or the grown copy, which the caller publishes
   */
  HeapTable insert(int i, byte[] buf, int from, int keyLen, long meta, long place) {
    HeapTable t = this;
    if ((entries + 1) * 4L > capacity() * 3L) {
      t = rebuilt(capacity() * 2, false);
      i = (int) (meta >>> 32) & t.mask;
      while (t.slots[3 * i] != 0) {
        i = (i + 1) & t.mask;
      }
    }
    t.slots[3 * i + 2] = t.append(buf, from, keyLen) << KEY_LEN_BITS | keyLen;
    t.slots[3 * i + 1] = place;
    t.slots[3 * i] = meta;
    t.entries++;
    t.entryKeyBytes += keyLen;
    return t;
  }

  /**
   * Empties slot {@code i} and moves back entries whose probe run passed through it.
   *
   * @return the table to use from now on: this one, or a copy with the arena rewritten once the
   *     bytes of deleted keys outweigh the live ones, which the caller publishes
   */
  HeapTable remove(int i) {
    int keyLen = keyLength(i);
    shiftBack(i);
    entries--;
    entryKeyBytes -= keyLen;
    arenaGarbage += keyLen;
    if (arenaGarbage > CHUNK && arenaGarbage > entryKeyBytes) {
      return rebuilt(capacity(), true); // rewrite the arena with the used entries only
    }
    return this;
  }

  /** A copy that never changes: the slots copied, the arena shared (see the class comment). */
  HeapTable frozen() {
    return new HeapTable(slots.clone(), chunks, arenaEnd);
  }

  /** The heap this table holds, in bytes: its slot array and arena chunks. */
  long heapBytes() {
    return 16 + slots.length * 8L + 16 + chunks.length * (4L + 16 + CHUNK);
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
  private long append(byte[] buf, int from, int keyLen) {
    long address = arenaEnd;
    int at = (int) (address & (CHUNK - 1));
    if ((address >>> CHUNK_BITS) >= chunks.length || at + keyLen > CHUNK) {
      // Start a new chunk; a key never spans two.
      address = (long) chunks.length << CHUNK_BITS;
      at = 0;
      byte[][] grown = Arrays.copyOf(chunks, chunks.length + 1);
      grown[grown.length - 1] = new byte[CHUNK];
      chunks = grown;
    }
    System.arraycopy(buf, from, chunks[(int) (address >>> CHUNK_BITS)], at, keyLen);
    arenaEnd = address + keyLen;
    return address;
  }

  /**
   * A new table of {@code capacity} slots with every used entry. Keeps the arena (its chunks are
   * only ever appended to) unless {@code compactArena}, which copies the used keys into a fresh
   * arena and drops the bytes of deleted ones.
   */
  private HeapTable rebuilt(int capacity, boolean compactArena) {
    HeapTable t =
        compactArena
            ? new HeapTable(capacity, new byte[0][], 0)
            : new HeapTable(capacity, chunks, arenaEnd);
    if (!compactArena) {
      t.arenaGarbage = arenaGarbage;
    }
    t.entries = entries;
    t.entryKeyBytes = entryKeyBytes;
    for (int j = 0; j <= mask; j++) {
      long m = slots[3 * j];
      if (m != 0) {
        int i = (int) (m >>> 32) & t.mask;
        while (t.slots[3 * i] != 0) {
          i = (i + 1) & t.mask;
        }
        long keyRef = slots[3 * j + 2];
        if (compactArena) {
          int keyLen = keyLength(j);
          keyRef = t.append(keyChunk(j), keyFrom(j), keyLen) << KEY_LEN_BITS | keyLen;
        }
        t.slots[3 * i + 2] = keyRef;
        t.slots[3 * i + 1] = slots[3 * j + 1];
        t.slots[3 * i] = m;
      }
    }
    return t;
  }

  /** Empties slot {@code i} and moves back entries whose probe run passed through it. */
  private void shiftBack(int i) {
    int hole = i;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      long m = slots[3 * j];
      if (m == 0) {
        break;
      }
      int ideal = (int) (m >>> 32) & mask;
      // Leave the entry if its ideal slot lies cyclically in (hole, j]: it is still reachable.
      boolean reachable = hole <= j ? hole < ideal && ideal <= j : hole < ideal || ideal <= j;
      if (!reachable) {
        slots[3 * hole + 2] = slots[3 * j + 2];
        slots[3 * hole + 1] = slots[3 * j + 1];
        slots[3 * hole] = m;
        hole = j;
      }
    }
    slots[3 * hole] = 0;
  }
}
