package dev.datawal.internal.format;

import dev.datawal.internal.io.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Tells the writer's preallocated space from damage. The writer keeps the last segment's file ahead
 * of its data by zeros it wrote itself, always ending the file at a multiple of {@link #STEP} (and
 * only in stores whose segment size is at least one step). So after a crash, a kill or a failed
 * writer, the last segment can end in zeros up to such a multiple: space never written, not a torn
 * frame, and neither reported as damage nor kept as evidence. Zeros that end anywhere else remain a
 * zero-filled torn tail, as the format says, and so does any suffix with a non-zero byte. The rule
 * is stated in {@code docs/format.md} ("Recovery: the longest valid prefix").
 */
public final class UnwrittenSpace {
  /** The preallocation step: the writer's zeros always end at a multiple of it. */
  public static final int STEP = 1 << 20;

  private UnwrittenSpace() {}

  /** The first multiple of {@link #STEP} at or after {@code offset}. */
  public static long stepEnd(long offset) {
    return (offset + STEP - 1) / STEP * STEP;
  }

  /**
   * Whether {@code [from, end)} of {@code file}, the end of the last segment, is the writer's
   * unwritten space: {@code end} a positive multiple of {@link #STEP} and every byte zero.
   */
  public static boolean isUnwritten(FileHandle file, long from, long end) throws IOException {
    if (end <= from || end % STEP != 0) {
      return false;
    }
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(64 * 1024, end - from));
    long pos = from;
    while (pos < end) {
      buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
      int n = file.read(buf, pos);
      if (n < 0) {
        return false; // cut under the check: not what the writer left
      }
      if (!allZero(buf.flip())) {
        return false;
      }
      pos += n;
    }
    return true;
  }

  /**
   * Whether every byte between the position and the limit of {@code buf}, a heap buffer, is zero.
   */
  public static boolean allZero(ByteBuffer buf) {
    byte[] bytes = buf.array();
    int end = buf.arrayOffset() + buf.limit();
    for (int i = buf.arrayOffset() + buf.position(); i < end; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
