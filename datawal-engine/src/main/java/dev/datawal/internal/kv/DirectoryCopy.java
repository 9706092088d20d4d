package dev.datawal.internal.kv;

import dev.datawal.internal.format.FrameFormat;
import java.util.Arrays;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A key directory's entries as of one moment, for reading every entry without holding the
 * directory's lock: what a snapshot is written from ({@link KeyDirectory#copy}). The overlay's
 * slots are copied ({@link HeapTable#frozen}), its arena is shared (its bytes at a given address
 * never change, so the copy keeps reading the keys it had even while the directory moves on), and
 * so is the snapshot's table, which never changes (and is verified whole before a copy is taken).
 * {@link KeyDirectory#itemsSorted} reads its live entries through one too, under its read lock.
 *
 * <p>Walks either in no order ({@link #forEach}) or, for the snapshot writer, in ascending order of
 * the unsigned hash ({@link #summarize}, {@link #forEachByHash}): the overlay's live entries merged
 * with the snapshot table's entries the overlay does not shadow.
 *
 * <p>Not thread-safe (it caches the overlay's order); one walker at a time.
 */
public final class DirectoryCopy {
  /** Sees one entry: the key is {@code chunk[from, from + keyLen)}. */
  @FunctionalInterface
  interface EntryVisitor<E extends Exception> {
    void visit(byte[] chunk, int from, int keyLen, long segment, long offset, int length) throws E;
  }

  /** Sees the segment, frame length and key length of one entry. */
  @FunctionalInterface
  interface StatsVisitor {
    void visit(long segment, int length, int keyLen);
  }

  /** Sees one entry with its hash; the key is {@code chunk[from, from + keyLen)}. */
  @FunctionalInterface
  interface HashedEntryVisitor<E extends Exception> {
    void visit(int hash, byte[] chunk, int from, int keyLen, long segment, long offset, int length)
        throws E;
  }

  private final HeapTable overlay;
  private final @Nullable SnapshotTable snapshot;
  private final int size;
  private final long seed;
  private long @Nullable [] overlayByHash; // for overlayLast, computed once
  private long overlayLast;
  private long @Nullable [] shadowed; // per snapshot slot: the overlay holds its key; computed once

  /**
   * @param overlay a frozen overlay, or the live one while its directory's read lock is held
   */
  DirectoryCopy(HeapTable overlay, @Nullable SnapshotTable snapshot, int size, long seed) {
    this.overlay = overlay;
    this.snapshot = snapshot;
    this.size = size;
    this.seed = seed;
  }

  /** The number of live keys in the copy. */
  int size() {
    return size;
  }

  /** The seed the entries' hashes were computed with. */
  long seed() {
    return seed;
  }

  /** Calls {@code visitor} with every entry, in no particular order. */
  <E extends Exception> void forEach(EntryVisitor<E> visitor) throws E {
    enterSnapshot();
    try {
      forEachInside(visitor);
    } finally {
      exitSnapshot();
    }
  }

  private <E extends Exception> void forEachInside(EntryVisitor<E> visitor) throws E {
    HashedEntryVisitor<E> unhashed = (hash, c, f, k, s, o, l) -> visitor.visit(c, f, k, s, o, l);
    for (int i = 0; i < overlay.capacity(); i++) {
      long m = overlay.meta(i);
      if (m != 0 && (m & HeapTable.DELETED) == 0) {
        visitOverlay(i, unhashed);
      }
    }
    if (snapshot != null) {
      long[] shadow = shadowed(snapshot);
      byte[] key = new byte[FrameFormat.MAX_KEY_LEN];
      for (long j = 0; j < snapshot.slotCount(); j++) {
        if (snapshot.meta(j) != 0 && (shadow[(int) (j >>> 6)] & 1L << j) == 0) {
          visitSnapshot(snapshot, j, key, unhashed);
        }
      }
    }
  }

  /**
   * Calls {@code stats} with every entry in a segment up to {@code last} (in no order), then {@code
   * hashes} with the hash of each, in ascending unsigned order: what a snapshot writer needs to lay
   * out its table. Reads the slots in order (sorting the overlay's hashes), never an entry at
   * random.
   */
  void summarize(long last, StatsVisitor stats, IntConsumer hashes) {
    enterSnapshot();
    try {
      summarizeInside(last, stats, hashes);
    } finally {
      exitSnapshot();
    }
  }

  private void summarizeInside(long last, StatsVisitor stats, IntConsumer hashes) {
    long[] sorted = overlayByHash(last, stats);
    int next = 0;
    if (snapshot != null) {
      long[] shadow = shadowed(snapshot);
      for (long j = 0; j < snapshot.slotCount(); j++) {
        long meta = snapshot.meta(j);
        if (meta == 0 || (shadow[(int) (j >>> 6)] & 1L << j) != 0) {
          continue;
        }
        long place = snapshot.place(j);
        if (Place.segment(place) > last) {
          continue;
        }
        stats.visit(Place.segment(place), (int) meta, snapshot.keyLength(j));
        long hash = meta >>> 32;
        while (next < sorted.length && sorted[next] >>> 32 < hash) {
          hashes.accept((int) (sorted[next++] >>> 32));
        }
        hashes.accept((int) hash);
      }
    }
    while (next < sorted.length) {
      hashes.accept((int) (sorted[next++] >>> 32));
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
    long[] sorted = overlayByHash(last, null);
    int next = 0;
    if (snapshot != null) {
      long[] shadow = shadowed(snapshot);
      byte[] key = new byte[FrameFormat.MAX_KEY_LEN];
      for (long j = 0; j < snapshot.slotCount(); j++) {
        long meta = snapshot.meta(j);
        if (meta == 0
            || (shadow[(int) (j >>> 6)] & 1L << j) != 0
            || Place.segment(snapshot.place(j)) > last) {
          continue;
        }
        long hash = meta >>> 32;
        while (next < sorted.length && sorted[next] >>> 32 < hash) {
          visitOverlay((int) sorted[next++], visitor);
        }
        visitSnapshot(snapshot, j, key, visitor);
      }
    }
    while (next < sorted.length) {
      visitOverlay((int) sorted[next++], visitor);
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
    long m = overlay.meta(i);
    long place = overlay.place(i);
    visitor.visit(
        (int) (m >>> 32),
        overlay.keyChunk(i),
        overlay.keyFrom(i),
        overlay.keyLength(i),
        Place.segment(place),
        Place.offset(place),
        (int) (m & HeapTable.LENGTH_MASK));
  }

  private static <E extends Exception> void visitSnapshot(
      SnapshotTable snapshot, long j, byte[] key, HashedEntryVisitor<E> visitor) throws E {
    long meta = snapshot.meta(j);
    long place = snapshot.place(j);
    snapshot.copyKey(j, key, 0);
    visitor.visit(
        (int) (meta >>> 32),
        key,
        0,
        snapshot.keyLength(j),
        Place.segment(place),
        Place.offset(place),
        (int) meta);
  }

  /**
   * The live overlay slots with a place in a segment up to {@code last}, as unsigned hash << 32 |
   * slot, sorted; computed once per {@code last}, telling {@code stats} (if not null) of each.
   */
  private long[] overlayByHash(long last, @Nullable StatsVisitor stats) {
    long[] cached = overlayByHash;
    if (cached == null || overlayLast != last || stats != null) {
      long[] sorted = new long[size]; // the live overlay entries are some of the live keys
      int n = 0;
      for (int i = 0; i < overlay.capacity(); i++) {
        long m = overlay.meta(i);
        long segment = Place.segment(overlay.place(i));
        if (m != 0 && (m & HeapTable.DELETED) == 0 && segment <= last) {
          sorted[n++] = (m >>> 32) << 32 | i;
          if (stats != null) {
            stats.visit(segment, (int) (m & HeapTable.LENGTH_MASK), overlay.keyLength(i));
          }
        }
      }
      sorted = n == sorted.length ? sorted : Arrays.copyOf(sorted, n);
      sortByHigh32(sorted);
      overlayByHash = sorted;
      overlayLast = last;
      return sorted;
    }
    return cached;
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
  private long[] shadowed(SnapshotTable snapshot) {
    long[] cached = shadowed;
    if (cached == null) {
      long count = snapshot.slotCount();
      long[] bits = new long[(int) ((count + 63) >>> 6)];
      byte[] key = null;
      for (long j = 0; j < count; j++) {
        long meta = snapshot.meta(j);
        int hash = (int) (meta >>> 32);
        if (meta == 0 || !overlay.holdsHash(hash)) {
          continue; // the key is copied only if an overlay entry has its hash
        }
        key = key == null ? new byte[FrameFormat.MAX_KEY_LEN] : key;
        snapshot.copyKey(j, key, 0);
        if (overlay.meta(overlay.slotOf(key, 0, snapshot.keyLength(j), hash)) != 0) {
          bits[(int) (j >>> 6)] |= 1L << j;
        }
      }
      shadowed = bits;
      return bits;
    }
    return cached;
  }
}
