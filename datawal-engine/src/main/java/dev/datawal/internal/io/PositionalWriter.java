package dev.datawal.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes a new file front to back through one buffer, with positional writes: small pieces are
 * gathered, pieces larger than the buffer go straight to the file. Not thread-safe.
 */
public final class PositionalWriter {
  private final FileHandle out;
  private final ByteBuffer buffer;
  private long flushed;

  public PositionalWriter(FileHandle out, int bufferSize) {
    this.out = out;
    this.buffer = ByteBuffer.allocate(bufferSize);
  }

  /** Where the next byte goes. */
  public long position() {
    return flushed + buffer.position();
  }

  public void write(byte[] bytes) throws IOException {
    write(ByteBuffer.wrap(bytes));
  }

  public void write(ByteBuffer piece) throws IOException {
    if (piece.remaining() > buffer.remaining()) {
      flush();
    }
    if (piece.remaining() > buffer.capacity()) {
      int n = piece.remaining();
      out.write(piece, flushed);
      flushed += n;
    } else {
      buffer.put(piece);
    }
  }

  /** Writes out what is buffered. Forcing it is the caller's decision. */
  public void flush() throws IOException {
    buffer.flip();
    int n = buffer.remaining();
    out.write(buffer, flushed);
    flushed += n;
    buffer.clear();
  }
}
