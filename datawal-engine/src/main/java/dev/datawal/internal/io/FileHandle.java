package dev.datawal.internal.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

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
   * A read-only view of {@code size} bytes of the file from {@code position}, for reading in place.
   * The real file system maps them ({@link java.nio.channels.FileChannel.MapMode#READ_ONLY}, see
   * {@link Mmap}): the view stays valid after the handle is closed, until it is released (or, where
   * the runtime cannot unmap, garbage collected), and the caller must never let the file be
   * truncated or written in place meanwhile (replace it by a rename). This default reads the bytes
   * into the heap instead.
   *
   * @throws java.io.EOFException if the file ends before {@code position + size}
   */
  default MappedView map(long position, long size) throws IOException {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IOException("cannot read " + size + " bytes into the heap at once");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size);
    while (buf.hasRemaining()) {
      if (read(buf, position + buf.position()) < 0) {
        throw new java.io.EOFException("file ends before " + (position + size));
      }
    }
    return MappedView.withoutRelease(buf.flip().asReadOnlyBuffer());
  }

  /**
   * A writable view of {@code size} bytes of the file from {@code position}, which the file already
   * holds, for writing in place without a system call per write: the real file system maps them
   * shared ({@link java.nio.channels.FileChannel.MapMode#READ_WRITE}), so what is put into the view
   * is in the file at once for every reader, and {@link #force()} makes it durable. The owner
   * releases the view before the file is truncated below its end or closed. This default returns
   * {@code null}: the caller then writes with {@link #write} (as test implementations that record
   * or drop writes need).
   */
  default @Nullable MappedView mapForWriting(long position, long size) throws IOException {
    return null;
  }

  /**
   * Whether {@link #map} maps the file in place (the real file system), so a view costs no copy and
   * shares the page cache, rather than reading the bytes into the heap as the default does. A
   * caller that would map a growing file again and again reads it positionally where this is false.
   */
  default boolean mapsInPlace() {
    return false;
  }

  /**
   * Takes an exclusive, non-blocking lock on the whole file, held until the handle is closed. On
   * the real file system that is an {@code fcntl} record lock, plus a {@code flock} where the JVM
   * can take one (Linux, Java 22+, native access enabled): the two kinds do not exclude each other.
   *
   * @return whether the lock was taken; {@code false} if another process holds it, and then this
   *     handle holds no lock
   */
  boolean tryLock() throws IOException;
}
