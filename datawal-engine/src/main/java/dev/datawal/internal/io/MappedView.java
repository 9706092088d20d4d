package dev.datawal.internal.io;

import java.nio.ByteBuffer;

/**
 * A view of part of a file, read-only ({@link FileHandle#map}) or writable ({@link
 * FileHandle#mapForWriting}), and the way to let it go.
 *
 * <p>Not thread-safe as to {@link #release()}: the owner calls it once, when no thread reads the
 * buffer any more. Reading the buffer after an explicit unmap would crash the JVM on some runtimes
 * (see {@link Mmap}), which is why the owner guards its readers ({@link ReaderGate}).
 */
public interface MappedView {
  /** The bytes (read-only unless mapped for writing), position 0 and limit the view's size. */
  ByteBuffer buffer();

  /**
   * Releases the view: unmaps it now where the runtime allows ({@link Mmap#unmapsExplicitly()}),
   * else leaves it to the garbage collector. The buffer must not be read afterwards.
   */
  void release();

  /**
   * A view whose release does nothing: bytes read into the heap, or a mapping left to the garbage
   * collector.
   */
  static MappedView withoutRelease(ByteBuffer buffer) {
    return new MappedView() {
      @Override
      public ByteBuffer buffer() {
        return buffer;
      }

      @Override
      public void release() {}
    };
  }
}
