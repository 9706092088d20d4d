package dev.datawal.internal.io;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Maps with {@link FileChannel#map}, and unmaps with {@code sun.misc.Unsafe#invokeCleaner} (module
 * jdk.unsupported), reached by reflection: a compile-time reference would be a warning. Only where
 * that method is not deprecated for removal (Java 17 to 22): see {@link Mmap}.
 */
final class CleanerMapper implements Mmap.Mapper {
  private final MethodHandle invokeCleaner; // (ByteBuffer) -> void, bound to the Unsafe instance

  private CleanerMapper(MethodHandle invokeCleaner) {
    this.invokeCleaner = invokeCleaner;
  }

  /**
   * @throws ReflectiveOperationException if {@code invokeCleaner} is missing, not accessible, or
   *     deprecated for removal in this runtime
   */
  static CleanerMapper create() throws ReflectiveOperationException {
    Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
    Deprecated deprecated =
        unsafeClass.getMethod("invokeCleaner", ByteBuffer.class).getAnnotation(Deprecated.class);
    if (deprecated != null && deprecated.forRemoval()) {
      throw new NoSuchMethodException(
          "sun.misc.Unsafe#invokeCleaner is deprecated for removal since Java "
              + deprecated.since()
              + " (a call prints a warning or fails)");
    }
    Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
    theUnsafe.setAccessible(true);
    MethodHandle handle =
        MethodHandles.lookup()
            .findVirtual(
                unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
            .bindTo(theUnsafe.get(null));
    return new CleanerMapper(handle);
  }

  @Override
  public MappedView map(FileChannel channel, FileChannel.MapMode mode, long position, long size)
      throws IOException {
    MappedByteBuffer buffer = channel.map(mode, position, size);
    return new MappedView() {
      @Override
      public ByteBuffer buffer() {
        return buffer;
      }

      @Override
      public void release() {
        unmap(buffer);
      }
    };
  }

  /**
   * Unmaps {@code buffer}, a buffer {@link FileChannel#map} returned (not a slice or duplicate).
   */
  private void unmap(ByteBuffer buffer) {
    try {
      invokeCleaner.invokeExact(buffer);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new AssertionError("invokeCleaner threw " + e, e);
    }
  }
}
