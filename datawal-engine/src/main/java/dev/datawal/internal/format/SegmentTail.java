package dev.datawal.internal.format;

import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * The tail check of a segment: a CRC-32 (IEEE, not the frames' CRC-32C) of its last {@link #BYTES}
 * bytes up to a given length. The manifest and the key-directory snapshot keep it per segment, so
 * an open can tell cheaply whether a segment still ends as it did.
 *
 * <p>CRC-32 on purpose: every frame ends with the CRC-32C of its own bytes, so the CRC-32C of a run
 * of whole frames is the same for any contents of the same frame lengths, and would not tell two
 * segments apart.
 */
public final class SegmentTail {
  /** How many bytes at the end of a segment the check covers. */
  public static final int BYTES = 4096;

  private SegmentTail() {}

  /** The tail check of the first {@code length} bytes of segment {@code id} in {@code dir}. */
  public static int crc(FileIo io, Path dir, long id, long length) throws IOException {
    try (FileHandle file = io.openRead(SegmentFiles.path(dir, id))) {
      return crc(file, length);
    }
  }

  /**
   * The tail check of the first {@code length} bytes of {@code file}.
   *
   * @throws EOFException if the file is shorter than {@code length}
   */
  public static int crc(FileHandle file, long length) throws IOException {
    long from = Math.max(0, length - BYTES);
    ByteBuffer buf = ByteBuffer.allocate((int) (length - from));
    while (buf.hasRemaining()) {
      if (file.read(buf, from + buf.position()) < 0) {
        throw new EOFException("segment ends before " + length);
      }
    }
    CRC32 crc = new CRC32();
    crc.update(buf.flip());
    return (int) crc.getValue();
  }
}
