package dev.datawal.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Tells a torn tail from mid-stream corruption. Damage at the end of the last segment is a torn
 * tail, what a crash leaves, only if no CRC-valid frame starts anywhere after it: a valid frame
 * after damage means records were written after the damaged bytes, so the damage is corruption of
 * acknowledged data and must not be discarded.
 */
final class TornTailCheck {
  private static final int CHUNK = 64 * 1024;
  private static final byte[] MAGIC_BYTES = {'D', 'W', 'A', 'L'};

  private TornTailCheck() {}

  /**
   * The offset of the first CRC-valid frame that starts in {@code [from, end)} of {@code file}, or
   * -1 if there is none. Reads the range once, plus each candidate frame that starts with the
   * magic.
   */
  static long findValidFrame(FileHandle file, long from, long end) throws IOException {
    SegmentScanner candidate = new SegmentScanner(file, end, SegmentScanner.Content.NONE);
    ByteBuffer chunk = ByteBuffer.allocate((int) Math.max(16, Math.min(CHUNK, end - from)));
    long pos = from;
    while (end - pos >= FrameFormat.OVERHEAD) {
      chunk.clear().limit((int) Math.min(chunk.capacity(), end - pos));
      while (chunk.hasRemaining() && file.read(chunk, pos + chunk.position()) >= 0) {
        // keep reading until the chunk is full or the file ends
      }
      int n = chunk.position();
      byte[] bytes = chunk.array();
      for (int i = 0; i + MAGIC_BYTES.length <= n; i++) {
        if (startsWithMagic(bytes, i) && candidate.validFrameAt(pos + i)) {
          return pos + i;
        }
      }
      if (chunk.hasRemaining() || n < MAGIC_BYTES.length) {
        break; // the file ended
      }
      // Step back so a magic split across two chunks is still seen.
      pos += n - (MAGIC_BYTES.length - 1);
    }
    return -1;
  }

  private static boolean startsWithMagic(byte[] bytes, int i) {
    return bytes[i] == MAGIC_BYTES[0]
        && bytes[i + 1] == MAGIC_BYTES[1]
        && bytes[i + 2] == MAGIC_BYTES[2]
        && bytes[i + 3] == MAGIC_BYTES[3];
  }
}
