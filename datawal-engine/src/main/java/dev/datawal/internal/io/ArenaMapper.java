package dev.datawal.internal.io;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Maps each view into its own shared {@code java.lang.foreign.Arena} (Java 22 and later), through
 * method handles since the engine is built for Java 17; releasing the view closes the arena, which
 * unmaps it. A read after that throws {@link IllegalStateException} rather than crashing.
 */
final class ArenaMapper implements Mmap.Mapper {
  private final MethodHandle ofShared; // () -> Arena
  private final MethodHandle map; // (FileChannel, MapMode, long, long, Arena) -> MemorySegment
  private final MethodHandle asByteBuffer; // (MemorySegment) -> ByteBuffer
  private final MethodHandle close; // (Arena) -> void

  private ArenaMapper(
      MethodHandle ofShared, MethodHandle map, MethodHandle asByteBuffer, MethodHandle close) {
    this.ofShared = ofShared;
    this.map = map;
    this.asByteBuffer = asByteBuffer;
    this.close = close;
  }

  /**
   * @throws ReflectiveOperationException if the runtime has no final foreign memory API
   */
  static ArenaMapper create() throws ReflectiveOperationException {
    if (Runtime.version().feature() < 22) {
      throw new ClassNotFoundException("java.lang.foreign is final only from Java 22");
    }
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    Class<?> arena = Class.forName("java.lang.foreign.Arena");
    Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
    MethodType any = MethodType.methodType(Object.class);
    return new ArenaMapper(
        lookup.findStatic(arena, "ofShared", MethodType.methodType(arena)).asType(any),
        lookup
            .findVirtual(
                FileChannel.class,
                "map",
                MethodType.methodType(
                    segment, FileChannel.MapMode.class, long.class, long.class, arena))
            .asType(
                MethodType.methodType(
                    Object.class,
                    FileChannel.class,
                    FileChannel.MapMode.class,
                    long.class,
                    long.class,
                    Object.class)),
        lookup
            .findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class))
            .asType(MethodType.methodType(ByteBuffer.class, Object.class)),
        lookup
            .findVirtual(arena, "close", MethodType.methodType(void.class))
            .asType(MethodType.methodType(void.class, Object.class)));
  }

  @Override
  public MappedView map(FileChannel channel, FileChannel.MapMode mode, long position, long size)
      throws IOException {
    Object arena = call(() -> (Object) ofShared.invokeExact());
    try {
      Object segment = call(() -> (Object) map.invokeExact(channel, mode, position, size, arena));
      ByteBuffer buffer = call(() -> (ByteBuffer) asByteBuffer.invokeExact(segment));
      return new View(buffer, arena);
    } catch (IOException | RuntimeException | Error e) {
      closeArena(arena);
      throw e;
    }
  }

  private void closeArena(Object arena) {
    try {
      call(
          () -> {
            close.invokeExact(arena);
            return arena; // a Call returns a value: close has none
          });
    } catch (IOException e) {
      throw new AssertionError("closing an arena threw " + e, e);
    }
  }

  private final class View implements MappedView {
    private final ByteBuffer buffer;
    private final Object arena;

    View(ByteBuffer buffer, Object arena) {
      this.buffer = buffer;
      this.arena = arena;
    }

    @Override
    public ByteBuffer buffer() {
      return buffer;
    }

    @Override
    public void release() {
      closeArena(arena);
    }
  }

  @FunctionalInterface
  private interface Call<T> {
    T run() throws Throwable;
  }

  private static <T> T call(Call<T> call) throws IOException {
    try {
      return call.run();
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new AssertionError("unexpected " + e, e); // none of the methods called declares one
    }
  }
}
