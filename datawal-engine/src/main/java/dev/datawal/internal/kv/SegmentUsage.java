package dev.datawal.internal.kv;

import java.util.HashMap;
import java.util.Map;

/**
 * Live bytes per segment: the frames of Puts the key directory still points at. Together with a
 * segment's size this is its garbage (superseded Puts, tombstones, Raw records), which decides
 * whether compacting it pays.
 *
 * <p>Thread-safe. Updated in log order by the writer (and by recovery before the store is shared).
 */
public final class SegmentUsage {
  private final Map<Long, Long> live = new HashMap<>();
  private long total;

  /** Applies a key directory change: {@code previous} (see {@link KeyDirectory#put}) is dead. */
  public synchronized void replaced(long previous) {
    if (previous != KeyDirectory.NONE) {
      long segment = KeyDirectory.previousSegment(previous);
      int length = KeyDirectory.previousLength(previous);
      live.merge(segment, (long) -length, Long::sum);
      total -= length;
    }
  }

  /** A new live Put of {@code length} bytes in {@code segment}. */
  public synchronized void added(long segment, int length) {
    live.merge(segment, (long) length, Long::sum);
    total += length;
  }

  /** {@code bytes} more live bytes in {@code segment}, at once (loading a snapshot). */
  synchronized void addedAll(long segment, long bytes) {
    live.merge(segment, bytes, Long::sum);
    total += bytes;
  }

  /** The live bytes in {@code segment}. */
  public synchronized long live(long segment) {
    return live.getOrDefault(segment, 0L);
  }

  /** The live bytes of every segment. */
  public synchronized long total() {
    return total;
  }

  /** Forgets a segment that was deleted (it holds no live bytes). */
  public synchronized void deleted(long segment) {
    Long left = live.remove(segment);
    if (left != null && left != 0) {
      total -= left;
      throw new IllegalStateException("segment " + segment + " still held " + left + " live bytes");
    }
  }
}
