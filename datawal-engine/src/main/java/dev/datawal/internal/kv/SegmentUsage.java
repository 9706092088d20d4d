package dev.datawal.internal.kv;

import java.util.Arrays;

/**
 * Live bytes per segment: the frames of Puts the key directory still points at. Together with a
 * segment's size this is its garbage (superseded Puts, tombstones, Raw records), which decides
 * whether compacting it pays.
 *
 * <p>Segment ids only grow and are dense, so the counts are one array indexed from the lowest id
 * still counted: a put's update is two array writes, with no boxing or hashing on the write path.
 *
 * <p>Thread-safe. Updated in log order by the writer (and by recovery before the store is shared).
 */
public final class SegmentUsage {
  private long[] live = new long[16]; // live[i] is segment base + i
  private long base = -1; // -1 until the first segment is counted
  private long total;

  /** Applies a key directory change: {@code previous} (see {@link KeyDirectory#put}) is dead. */
  public synchronized void replaced(long previous) {
    dead(previous);
  }

  /**
   * A new live Put of {@code length} bytes in {@code segment}, which replaced {@code previous} (see
   * {@link KeyDirectory#put}; {@link KeyDirectory#NONE} if the key was not live).
   */
  public synchronized void put(long previous, long segment, int length) {
    dead(previous);
    add(segment, length);
  }

  /** A new live Put of {@code length} bytes in {@code segment}. */
  public synchronized void added(long segment, int length) {
    add(segment, length);
  }

  /** {@code bytes} more live bytes in {@code segment}, at once (loading a snapshot). */
  synchronized void addedAll(long segment, long bytes) {
    add(segment, bytes);
  }

  /** The live bytes in {@code segment}. */
  public synchronized long live(long segment) {
    long i = segment - base;
    return base < 0 || i < 0 || i >= live.length ? 0 : live[(int) i];
  }

  /** The live bytes of every segment. */
  public synchronized long total() {
    return total;
  }

  /** Forgets a segment that was deleted (it holds no live bytes). */
  public synchronized void deleted(long segment) {
    long left = live(segment);
    if (left != 0) {
      total -= left;
      live[(int) (segment - base)] = 0;
      throw new IllegalStateException("segment " + segment + " still held " + left + " live bytes");
    }
    if (segment == base) {
      int gone = 1; // the leading empty slots go too; a segment below base counts 0
      while (gone < live.length && live[gone] == 0) {
        gone++;
      }
      live = Arrays.copyOfRange(live, gone, Math.max(gone + 16, live.length));
      base += gone;
    }
  }

  private void dead(long previous) {
    if (previous != KeyDirectory.NONE) {
      add(KeyDirectory.previousSegment(previous), -KeyDirectory.previousLength(previous));
    }
  }

  private void add(long segment, long bytes) {
    if (base < 0) {
      base = segment;
    }
    if (segment < base) { // a snapshot lists segments in any order; or all below were empty
      long[] wider = new long[(int) (live.length + base - segment)];
      System.arraycopy(live, 0, wider, (int) (base - segment), live.length);
      live = wider;
      base = segment;
    }
    long i = segment - base;
    if (i >= live.length) {
      live = Arrays.copyOf(live, (int) Math.max(i + 1, 2L * live.length));
    }
    live[(int) i] += bytes;
    total += bytes;
  }
}
