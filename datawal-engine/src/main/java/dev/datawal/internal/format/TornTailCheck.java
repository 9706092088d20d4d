package dev.datawal.internal.format;

import dev.datawal.CorruptionKind;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.log.Follower;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * Tells a torn tail from mid-stream corruption. Damage at the end of the last segment is a torn
 * tail, what a crash leaves, only if nothing that must be kept starts anywhere after it:
 *
 * <ul>
 *   <li>a CRC-valid frame after damage means records were written after the damaged bytes, so the
 *       damage is corruption of acknowledged data;
 *   <li>a frame of {@link CorruptionKind#UNSUPPORTED_VERSION} is never discarded: one of a version
 *       from 2 to 255 may have been written by a newer format, and a whole frame whose CRC matches
 *       with its version read as 1 is an acknowledged record whose version bytes were damaged (see
 *       {@link FrameFormat}).
 * </ul>
 *
 * A header torn after its magic, with a version no format can have, is damage like any other and
 * does not count. The rule is stated once, in {@code docs/format.md} ("Recovery: the longest valid
 * prefix"); this class is where it is applied.
 */
public final class TornTailCheck {
  private static final int CHUNK = 64 * 1024;
  private static final byte[] MAGIC_BYTES = {'D', 'W', 'A', 'L'};

  private TornTailCheck() {}

  /**
   * What starts at {@code offset} after the damage and must not be discarded.
   *
   * @param offset where it starts
   * @param fault {@code null} for a valid v1 frame, else why the frame there is of {@link
   *     CorruptionKind#UNSUPPORTED_VERSION}
   */
  public record Follower(long offset, @Nullable FrameFault fault) {}

  /**
   * The first valid frame or frame of an unsupported version that starts in {@code [from, end)} of
   * {@code file}, or {@code null} if there is none. Reads the range once, plus each candidate that
   * starts with the magic.
   */
  public static @Nullable Follower findFollower(FileHandle file, long from, long end)
      throws IOException {
    SegmentScanner candidate = new SegmentScanner(file, end, SegmentScanner.Content.NONE);
    ByteBuffer chunk = ByteBuffer.allocate((int) Math.max(16, Math.min(CHUNK, end - from)));
    long pos = from;
    while (end - pos >= FrameFormat.HEADER_SIZE) {
      chunk.clear().limit((int) Math.min(chunk.capacity(), end - pos));
      while (chunk.hasRemaining() && file.read(chunk, pos + chunk.position()) >= 0) {
        // keep reading until the chunk is full or the file ends
      }
      int n = chunk.position();
      byte[] bytes = chunk.array();
      for (int i = 0; i + MAGIC_BYTES.length <= n; i++) {
        if (startsWithMagic(bytes, i)) {
          if (candidate.validFrameAt(pos + i)) {
            return new Follower(pos + i, null);
          }
          // No fault either if the file was cut under this check to end before pos + i.
          FrameFault fault = candidate.fault();
          if (fault != null && fault.kind() == CorruptionKind.UNSUPPORTED_VERSION) {
            return new Follower(pos + i, fault);
          }
        }
      }
      if (chunk.hasRemaining() || n < MAGIC_BYTES.length) {
        break; // the file ended
      }
      // Step back so a magic split across two chunks is still seen.
      pos += n - (MAGIC_BYTES.length - 1);
    }
    return null;
  }

  private static boolean startsWithMagic(byte[] bytes, int i) {
    return bytes[i] == MAGIC_BYTES[0]
        && bytes[i + 1] == MAGIC_BYTES[1]
        && bytes[i + 2] == MAGIC_BYTES[2]
        && bytes[i + 3] == MAGIC_BYTES[3];
  }
}
