package dev.datawal.internal.kv;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.RecordType;
import dev.datawal.internal.format.FrameFault;
import dev.datawal.internal.format.FrameFormat;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.log.CorruptionMessages;
import dev.datawal.internal.log.ReadHandles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a key's value from the frame the key directory points at: one read of the segment (from its
 * mapping, see {@link ReadHandles}), then the same checks as recovery (header, CRC) plus two more:
 * the frame is a Put, and its key is the key asked for. Any mismatch is a {@link
 * CorruptStoreException}: the file changed under the store.
 */
public final class ValueReader {
  private ValueReader() {}

  /** The value of {@code key}, whose latest Put the directory places at {@code location}. */
  public static byte[] read(
      ReadHandles handles, Path dir, KeyDirectory.Location location, byte[] key)
      throws IOException {
    byte[] frame = readVerified(handles, dir, location, key);
    int valueAt = FrameFormat.HEADER_SIZE + key.length;
    return Arrays.copyOfRange(frame, valueAt, frame.length - FrameFormat.CRC_SIZE);
  }

  /** The txid of {@code key}'s latest Put, which the directory places at {@code location}. */
  public static long txid(ReadHandles handles, Path dir, KeyDirectory.Location location, byte[] key)
      throws IOException {
    byte[] frame = readVerified(handles, dir, location, key);
    return FrameFormat.txid(ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN), 0);
  }

  private static byte[] readVerified(
      ReadHandles handles, Path dir, KeyDirectory.Location location, byte[] key)
      throws IOException {
    byte[] frame = new byte[location.length()];
    int read = handles.read(location.segment(), location.offset(), frame);
    FrameFault fault = FrameFormat.check(frame, read);
    if (fault == null) {
      ByteBuffer view = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
      int keyLen = FrameFormat.keyLength(view, 0);
      if (FrameFormat.frameLength(keyLen, FrameFormat.payloadLength(view, 0)) != frame.length
          || FrameFormat.type(view, 0) != RecordType.PUT
          || !Arrays.equals(
              frame,
              FrameFormat.HEADER_SIZE,
              FrameFormat.HEADER_SIZE + keyLen,
              key,
              0,
              key.length)) {
        fault =
            new FrameFault(
                CorruptionKind.STRUCTURAL,
                "the frame there is not the Put of the key asked for",
                0);
      } else {
        return frame;
      }
    }
    throw CorruptionMessages.reading(
        fault,
        "a value",
        SegmentFiles.path(dir, location.segment()),
        location.segment(),
        location.offset());
  }
}
