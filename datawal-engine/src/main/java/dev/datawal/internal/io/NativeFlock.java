package dev.datawal.internal.io;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A {@code flock(LOCK_EX|LOCK_NB)} on a file, held through a descriptor of its own until {@link
 * #close()}: the lock the reference implementation takes on {@code .lock}. On Linux, {@code flock}
 * and the JDK's {@code fcntl} record locks do not exclude each other, so without this a datawal
 * writer and a reference writer could both hold a store.
 *
 * <p>Design: the JDK exposes neither {@code flock} nor a channel's descriptor, so this calls libc's
 * {@code open}, {@code flock} and {@code close} through the foreign-function API. That API is final
 * only since Java 22 and the engine is compiled for 17, so it is bound by reflection, once, and
 * used only if every piece is there. Binding a native function is a restricted operation: without
 * native access the JVM prints a warning (or, when configured so, refuses), so flock is taken only
 * when native access is enabled for this class's module ({@code
 * --enable-native-access=ALL-UNNAMED}); an application must opt in, never sees a warning, and
 * otherwise keeps the fcntl lock alone. Why flock is not taken is logged once, at DEBUG: on the
 * supported baseline (Java 17, no flag) that is the normal case, not worth a line on every
 * application's stderr; the documentation states what it leaves open. A binding that fails although
 * native access was enabled is unexpected, so that one is logged at INFO.
 *
 * <p>Linux on x86-64 and AArch64 only: the {@code open} flags and {@code errno} values below are
 * theirs.
 */
final class NativeFlock implements Closeable {
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  // Linux, asm-generic values (x86-64 and AArch64).
  private static final int O_RDWR = 2;
  private static final int O_CLOEXEC = 0x80000;
  private static final int LOCK_EX = 2;
  private static final int LOCK_NB = 4;
  private static final int EINTR = 4;
  private static final int EWOULDBLOCK = 11;
  private static final Set<String> ARCHES = Set.of("amd64", "x86_64", "aarch64");

  private final Libc libc;
  private final Path file;
  private int fd;

  private NativeFlock(Libc libc, Path file, int fd) {
    this.libc = libc;
    this.file = file;
    this.fd = fd;
  }

  /** Whether this JVM can take a flock; the first call logs why not. */
  static boolean available() {
    return Binding.LIBC != null;
  }

  /**
   * Opens {@code file} on a new descriptor and takes {@code flock(LOCK_EX|LOCK_NB)} on it.
   *
   * <p>Careful: when the flock is held elsewhere, the new descriptor is closed at once, and on
   * Linux that drops every {@code fcntl} lock this process holds on the file.
   *
   * @return the lock, held until closed; {@code null} if another open file holds a flock on it
   * @throws IllegalStateException if not {@link #available()}
   * @throws IOException if the file cannot be opened or flock fails otherwise, naming the errno
   */
  static @Nullable NativeFlock tryLock(Path file) throws IOException {
    Libc libc = Binding.LIBC;
    if (libc == null) {
      throw new IllegalStateException("flock is not available in this JVM");
    }
    int fd = libc.open(file);
    boolean taken = false;
    try {
      taken = libc.flock(file, fd);
    } finally {
      if (!taken) {
        libc.close(file, fd);
      }
    }
    return taken ? new NativeFlock(libc, file, fd) : null;
  }

  /** Releases the flock by closing its descriptor. Idempotent. */
  @Override
  public synchronized void close() throws IOException {
    if (fd >= 0) {
      int closing = fd;
      fd = -1;
      libc.close(file, closing);
    }
  }

  /** Bound on first use, once per JVM; {@code null} when flock cannot be taken here. */
  private static final class Binding {
    static final @Nullable Libc LIBC = bind();

    private static @Nullable Libc bind() {
      String os = System.getProperty("os.name", "");
      String arch = System.getProperty("os.arch", "");
      int feature = Runtime.version().feature();
      String skipped;
      if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
        skipped = "the operating system is " + os + ", not Linux";
      } else if (!ARCHES.contains(arch)) {
        skipped = "no libc constants for os.arch " + arch;
      } else if (feature < 22) {
        skipped = "Java " + feature + " has no final foreign-function API (Java 22+ has)";
      } else if (!nativeAccessEnabled()) {
        skipped =
            "native access is not enabled for "
                + describe(NativeFlock.class.getModule())
                + " (--enable-native-access=ALL-UNNAMED, or the module's name)";
      } else {
        try {
          return new Libc();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
          // Caught whole: a failure escaping this initializer would break every later lock.
          LOG.log(
              System.Logger.Level.INFO,
              "datawal: store directories get only an fcntl lock on .lock, no flock: binding libc's"
                  + " flock failed although native access is enabled: "
                  + e);
          return null;
        }
      }
      LOG.log(
          System.Logger.Level.DEBUG,
          "datawal: store directories get only an fcntl lock on .lock, no flock: {0}; a writer"
              + " of the reference implementation is not kept out",
          skipped);
      return null;
    }

    private static boolean nativeAccessEnabled() {
      try {
        Method enabled = Module.class.getMethod("isNativeAccessEnabled");
        return (Boolean) enabled.invoke(NativeFlock.class.getModule());
      } catch (ReflectiveOperationException | RuntimeException e) {
        return false;
      }
    }

    private static String describe(Module module) {
      return module.isNamed() ? "module " + module.getName() : "the unnamed module";
    }
  }

  /**
   * libc's {@code open}, {@code flock} and {@code close}, bound through {@code java.lang.foreign}
   * by reflection. Each call captures {@code errno} (the JVM may change it before Java code could
   * read it) into a segment of a confined arena, closed when the call returns.
   */
  private static final class Libc {
    private final MethodHandle open; // (errnoState, path, flags, mode) -> int
    private final MethodHandle flock; // (errnoState, fd, operation) -> int
    private final MethodHandle close; // (errnoState, fd) -> int
    private final MethodHandle ofConfined; // () -> Arena
    private final MethodHandle allocateLayout; // (Arena, MemoryLayout) -> MemorySegment
    private final MethodHandle
        allocateBytes; // (Arena, ValueLayout.OfByte, byte[]) -> MemorySegment
    private final MethodHandle closeArena; // (Arena) -> void
    private final MethodHandle getInt; // (MemorySegment, ValueLayout.OfInt, long) -> int
    private final Object stateLayout;
    private final Object javaByte;
    private final Object javaInt;
    private final long errnoOffset;
    private final Charset pathCharset;

    Libc() throws ReflectiveOperationException {
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
      Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
      Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
      Class<?> pathElementClass = Class.forName("java.lang.foreign.MemoryLayout$PathElement");
      Class<?> valueLayoutClass = Class.forName("java.lang.foreign.ValueLayout");
      Class<?> ofByteClass = Class.forName("java.lang.foreign.ValueLayout$OfByte");
      Class<?> ofIntClass = Class.forName("java.lang.foreign.ValueLayout$OfInt");
      Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
      Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
      Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");
      Class<?> arenaClass = Class.forName("java.lang.foreign.Arena");
      Class<?> allocatorClass = Class.forName("java.lang.foreign.SegmentAllocator");

      javaByte = valueLayoutClass.getField("JAVA_BYTE").get(null);
      javaInt = valueLayoutClass.getField("JAVA_INT").get(null);
      Object address = valueLayoutClass.getField("ADDRESS").get(null);
      stateLayout = optionClass.getMethod("captureStateLayout").invoke(null);
      Object errnoPath = Array.newInstance(pathElementClass, 1);
      Array.set(
          errnoPath,
          0,
          pathElementClass.getMethod("groupElement", String.class).invoke(null, "errno"));
      errnoOffset =
          (Long)
              layoutClass
                  .getMethod("byteOffset", errnoPath.getClass())
                  .invoke(stateLayout, errnoPath);

      Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
      Object libc = linkerClass.getMethod("defaultLookup").invoke(linker);
      Method find = lookupClass.getMethod("find", String.class);
      Method of = descriptorClass.getMethod("of", layoutClass, layoutClass.arrayType());
      Method captureCallState = optionClass.getMethod("captureCallState", String.class.arrayType());
      Method firstVariadicArg = optionClass.getMethod("firstVariadicArg", int.class);
      Method downcallHandle =
          linkerClass.getMethod(
              "downcallHandle", segmentClass, descriptorClass, optionClass.arrayType());
      Object captureErrno = captureCallState.invoke(null, (Object) new String[] {"errno"});

      // int open(const char *path, int flags, ...): variadic, so declared as such, with the mode.
      Object openDescriptor =
          of.invoke(null, javaInt, layouts(layoutClass, address, javaInt, javaInt));
      open =
          (MethodHandle)
              downcallHandle.invoke(
                  linker,
                  symbol(find, libc, "open"),
                  openDescriptor,
                  options(optionClass, captureErrno, firstVariadicArg.invoke(null, 2)));
      Object flockDescriptor = of.invoke(null, javaInt, layouts(layoutClass, javaInt, javaInt));
      flock =
          (MethodHandle)
              downcallHandle.invoke(
                  linker,
                  symbol(find, libc, "flock"),
                  flockDescriptor,
                  options(optionClass, captureErrno));
      Object closeDescriptor = of.invoke(null, javaInt, layouts(layoutClass, javaInt));
      close =
          (MethodHandle)
              downcallHandle.invoke(
                  linker,
                  symbol(find, libc, "close"),
                  closeDescriptor,
                  options(optionClass, captureErrno));

      ofConfined = lookup.unreflect(arenaClass.getMethod("ofConfined"));
      allocateLayout = lookup.unreflect(allocatorClass.getMethod("allocate", layoutClass));
      allocateBytes =
          lookup.unreflect(allocatorClass.getMethod("allocateFrom", ofByteClass, byte[].class));
      closeArena = lookup.unreflect(arenaClass.getMethod("close"));
      getInt = lookup.unreflect(segmentClass.getMethod("get", ofIntClass, long.class));
      // The bytes the JDK itself passes to the OS for a file name.
      pathCharset =
          Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
    }

    /** {@code open(file, O_RDWR|O_CLOEXEC)}: a descriptor of its own, not inherited by children. */
    int open(Path file) throws IOException {
      byte[] name = file.toAbsolutePath().toString().getBytes(pathCharset);
      int[] result =
          call((arena, state) -> open.invoke(state, cString(arena, name), O_RDWR | O_CLOEXEC, 0));
      if (result[0] < 0) {
        throw new IOException("open(" + file + ") for flock failed: errno " + result[1]);
      }
      return result[0];
    }

    /** {@code flock(fd, LOCK_EX|LOCK_NB)}: whether it was taken. */
    boolean flock(Path file, int fd) throws IOException {
      while (true) {
        int[] result = call((arena, state) -> flock.invoke(state, fd, LOCK_EX | LOCK_NB));
        if (result[0] == 0) {
          return true;
        }
        if (result[1] == EWOULDBLOCK) {
          return false;
        }
        if (result[1] != EINTR) {
          throw new IOException("flock(" + file + ", LOCK_EX|LOCK_NB) failed: errno " + result[1]);
        }
      }
    }

    /** {@code close(fd)}; on Linux the descriptor is gone even when this fails. */
    void close(Path file, int fd) throws IOException {
      int[] result = call((arena, state) -> close.invoke(state, fd));
      if (result[0] < 0) {
        throw new IOException(
            "close(" + file + ") of the flock descriptor failed: errno " + result[1]);
      }
    }

    /** Runs one downcall in a fresh confined arena: its int result and the errno it left. */
    private int[] call(Downcall downcall) throws IOException {
      Object arena;
      try {
        arena = ofConfined.invoke();
      } catch (Throwable e) {
        throw failed(e);
      }
      try {
        Object state = allocateLayout.invoke(arena, stateLayout);
        int result = (int) downcall.run(arena, state);
        return new int[] {result, (int) getInt.invoke(state, javaInt, errnoOffset)};
      } catch (Throwable e) {
        throw failed(e);
      } finally {
        try {
          closeArena.invoke(arena);
        } catch (Throwable e) {
          // only frees the arena's memory, which is then left to the GC
        }
      }
    }

    private Object cString(Object arena, byte[] text) throws Throwable {
      return allocateBytes.invoke(arena, javaByte, Arrays.copyOf(text, text.length + 1));
    }

    /** Rethrows an unchecked failure as it is; wraps any other in an IOException to throw. */
    private static IOException failed(Throwable e) {
      if (e instanceof RuntimeException r) {
        throw r;
      }
      if (e instanceof Error r) {
        throw r;
      }
      return new IOException("libc call through java.lang.foreign failed: " + e, e);
    }

    private static Object symbol(Method find, Object lookup, String name)
        throws ReflectiveOperationException {
      Optional<?> symbol = (Optional<?>) find.invoke(lookup, name);
      return symbol.orElseThrow(() -> new NoSuchMethodException("libc has no symbol " + name));
    }

    private static Object layouts(Class<?> layoutClass, Object... layouts) {
      Object array = Array.newInstance(layoutClass, layouts.length);
      for (int i = 0; i < layouts.length; i++) {
        Array.set(array, i, layouts[i]);
      }
      return array;
    }

    private static Object options(Class<?> optionClass, Object... options) {
      return layouts(optionClass, options);
    }

    /** One libc call, given the arena of the call and the segment that captures errno. */
    @FunctionalInterface
    private interface Downcall {
      Object run(Object arena, Object errnoState) throws Throwable;
    }
  }
}
