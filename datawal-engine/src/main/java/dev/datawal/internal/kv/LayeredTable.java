package dev.datawal.internal.kv;

import static dev.datawal.internal.kv.HeapTable.DELETED;
import static dev.datawal.internal.kv.HeapTable.IN_SNAPSHOT;
import static dev.datawal.internal.kv.HeapTable.LENGTH_MASK;
import static dev.datawal.internal.kv.HeapTable.PINNED;

import org.jspecify.annotations.Nullable;

/**
 * The key directory's entries in two layers: a {@link HeapTable} overlay over, for a directory
 * opened from a snapshot, the snapshot's {@link SnapshotTable} used in place (so opening costs
 * nothing per key and the snapshot's keys cost no heap). Without a snapshot it is the heap table
 * alone.
 *
 * <p>The overlay holds every key written, deleted or moved since the snapshot, and wins over the
 * snapshot's table. Its entries carry flags in the length field:
 *
 * <ul>
 *   <li>{@code DELETED}: the key is not live (it is in the snapshot's table, or pinned);
 *   <li>{@code IN_SNAPSHOT}: the snapshot's table holds the key, so the entry shadows one there
 *       ({@link #size} counts the key once);
 *   <li>{@code PINNED}: loaded while replaying the log after the snapshot at open; such an entry
 *       turns into a deleted entry rather than leaving the overlay, so that the overlay always
 *       holds every key the log after the snapshot touched (see {@link SnapshotFallback}).
 * </ul>
 *
 * A lookup reads the overlay, then, if the key is not there, the snapshot's table. A write that
 * needs to know whether the snapshot's table holds the key (for the size and the previous Put)
 * reads it before it changes anything, so a write that finds the table damaged ({@link
 * SnapshotTable.Damaged}) has changed nothing.
 *
 * <p>Not thread-safe: one writer at a time, inside the snapshot table's gate; the {@link
 * KeyDirectory} owning it ensures both (recovery writes before anyone else can see it). Readers may
 * read {@link #overlay()} and {@link #size()} while a write runs (see {@link HeapTable}).
 */
final class LayeredTable {
  private final @Nullable SnapshotTable snapshot; // null when none
  private volatile HeapTable overlay;
  private volatile int size; // live keys, both layers

  /** Entries without a snapshot, sized for {@code expectedKeys}. */
  LayeredTable(int expectedKeys) {
    this.snapshot = null;
    this.overlay = HeapTable.forKeys(expectedKeys);
  }

  /** What {@code snapshot}'s table holds, with an empty overlay. */
  LayeredTable(SnapshotTable snapshot) {
    this.snapshot = snapshot;
    this.overlay = HeapTable.forKeys(0);
    this.size = snapshot.entryCount();
  }

  /** The snapshot's table, or {@code null} if none. */
  @Nullable SnapshotTable snapshot() {
    return snapshot;
  }

  /** The overlay; replaced whole when it grows or rewrites its arena. */
  HeapTable overlay() {
    return overlay;
  }

  /** The number of live keys. */
  int size() {
    return size;
  }

  /** The heap these entries hold: the overlay, and a snapshot table's page checks. */
  long heapBytes() {
    return overlay.heapBytes() + (snapshot == null ? 0 : snapshot.heapBytes());
  }

  /**
   * Applies one record read from the log: a Put of the frame of {@code length} bytes at {@code
   * offset} of {@code segment}, else a Delete. Entries loaded over a snapshot are pinned.
   *
   * @return the Put it replaces or removes, or {@link KeyDirectory#NONE}
   */
  long load(
      boolean put,
      byte[] buf,
      int from,
      int keyLen,
      int hash,
      long segment,
      long offset,
      int length) {
    boolean pinned = snapshot != null;
    return put
        ? store(buf, from, keyLen, hash, Place.of(segment, offset, length), length, pinned)
        : delete(buf, from, keyLen, hash, pinned);
  }

  /**
   * Records that the key {@code buf[from, from + keyLen)} is at {@code place}.
   *
   * @return the Put it replaces, or {@link KeyDirectory#NONE}
   */
  long store(byte[] buf, int from, int keyLen, int hash, long place, int length, boolean pinned) {
    HeapTable t = overlay;
    int i = t.slotOf(buf, from, keyLen, hash);
    long m = t.meta(i);
    if (m != 0) {
      long previous = KeyDirectory.NONE;
      if ((m & DELETED) == 0) {
        previous = previous(t, i);
      } else {
        size++;
      }
      t.set(i, (long) hash << 32 | (m & (IN_SNAPSHOT | PINNED)) | length, place);
      return previous;
    }
    long flags = pinned ? PINNED : 0;
    long previous = KeyDirectory.NONE;
    if (snapshot != null) {
      long slot = snapshot.slotOf(buf, from, keyLen, hash);
      if (slot >= 0) {
        flags |= IN_SNAPSHOT;
        previous = previousInSnapshot(snapshot, slot);
      }
    }
    overlay = t.insert(i, buf, from, keyLen, (long) hash << 32 | flags | length, place);
    if (previous == KeyDirectory.NONE) {
      size++;
    }
    return previous;
  }

  /**
   * Forgets the key {@code buf[from, from + keyLen)}.
   *
   * @return the Put it was at, or {@link KeyDirectory#NONE} if it was not live
   */
  long delete(byte[] buf, int from, int keyLen, int hash, boolean pinned) {
    HeapTable t = overlay;
    int i = t.slotOf(buf, from, keyLen, hash);
    long m = t.meta(i);
    if (m != 0) {
      if ((m & DELETED) != 0) {
        return KeyDirectory.NONE;
      }
      long previous = previous(t, i);
      size--;
      if ((m & (IN_SNAPSHOT | PINNED)) != 0) {
        t.set(i, (long) hash << 32 | (m & (IN_SNAPSHOT | PINNED)) | DELETED, 0);
      } else {
        overlay = t.remove(i);
      }
      return previous;
    }
    if (snapshot == null) {
      return KeyDirectory.NONE;
    }
    long slot = snapshot.slotOf(buf, from, keyLen, hash);
    long previous = slot < 0 ? KeyDirectory.NONE : previousInSnapshot(snapshot, slot);
    if (previous != KeyDirectory.NONE || pinned) {
      long flags =
          DELETED | (previous != KeyDirectory.NONE ? IN_SNAPSHOT : 0) | (pinned ? PINNED : 0);
      overlay = t.insert(i, buf, from, keyLen, (long) hash << 32 | flags, 0);
    }
    if (previous != KeyDirectory.NONE) {
      size--;
    }
    return previous;
  }

  /**
   * Moves {@code key} from place {@code from} to place {@code to} if its latest Put is at {@code
   * from}.
   *
   * @return whether it was moved
   */
  boolean move(byte[] key, int hash, long from, long to) {
    HeapTable t = overlay;
    int i = t.slotOf(key, 0, key.length, hash);
    long m = t.meta(i);
    if (m != 0) {
      if ((m & DELETED) != 0 || t.place(i) != from) {
        return false;
      }
      t.setPlace(i, to);
      return true;
    }
    if (snapshot == null) {
      return false;
    }
    long slot = snapshot.slotOf(key, 0, key.length, hash);
    if (slot < 0 || snapshot.place(slot) != from) {
      return false;
    }
    long meta = (long) hash << 32 | IN_SNAPSHOT | (snapshot.meta(slot) & LENGTH_MASK);
    overlay = t.insert(i, key, 0, key.length, meta, to);
    return true;
  }

  private static long previous(HeapTable t, int i) {
    return Place.previous(t.place(i), (int) (t.meta(i) & LENGTH_MASK));
  }

  private static long previousInSnapshot(SnapshotTable snapshot, long slot) {
    return Place.previous(snapshot.place(slot), (int) snapshot.meta(slot));
  }
}
