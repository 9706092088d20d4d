package dev.datawal.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** An open file of a {@link FileIo}. Positional reads and writes may run concurrently. */
public interface FileHandle extends Closeable {

  /**
   * Reads into {@code dst} from {@code position}, as {@link
   * java.nio.channels.FileChannel#read(ByteBuffer, long)}.
   *
   * @return the bytes read, or -1 at the end of the file
   */
  int read(ByteBuffer dst, long position) throws IOException;

  /** Writes all remaining bytes of {@code src} at {@code position}. */
  void write(ByteBuffer src, long position) throws IOException;

  /** The file's current size. */
  long size() throws IOException;

  /** Cuts the file to {@code size} bytes. Durable only after {@link #force()}. */
  void truncate(long size) throws IOException;

  /** Makes the file's data and size durable ({@code fdatasync} or stronger). */
  void force() throws IOException;

  /**
   * Takes an exclusive, non-blocking lock on the whole file, held until the handle is closed.
   *
   * @return whether the lock was taken; {@code false} if another process holds it
   */
  boolean tryLock() throws IOException;
}
