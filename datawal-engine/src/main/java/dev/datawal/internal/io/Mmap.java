package dev.datawal.internal.io;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Maps parts of files (read-only, or for writing in place), in the way this runtime lets a mapping
 * be unmapped explicitly, chosen once: on Java 22 and later through a shared {@code
 * java.lang.foreign.Arena} ({@link ArenaMapper}); before that through {@code
 * sun.misc.Unsafe#invokeCleaner} ({@link CleanerMapper}), as Lucene's MMapDirectory does on Java
 * 17. {@code invokeCleaner} is terminally deprecated since Java 23 (JEP 471): from Java 24 a call
 * prints a warning (JEP 498) and fails under {@code --sun-misc-unsafe-memory-access=deny}, so it is
 * never called where it is deprecated for removal. If neither way is available, a mapping lives
 * until it is garbage collected, as {@link FileChannel#map} alone gives, and the reason is logged
 * once at DEBUG.
 *
 * <p>Either way of unmapping makes the owner responsible for reading a mapping no more once it is
 * released: after {@code invokeCleaner} a read crashes the JVM (SIGSEGV); after an arena closes, a
 * read throws {@link IllegalStateException}.
 */
public final class Mmap {
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  /** One way of mapping and unmapping. */
  interface Mapper {
    MappedView map(FileChannel channel, FileChannel.MapMode mode, long position, long size)
        throws IOException;
  }

  private static final Mapper MAPPER = choose();

  private Mmap() {}

  /** Maps {@code size} bytes of {@code channel} from {@code position}, read-only. */
  static MappedView map(FileChannel channel, long position, long size) throws IOException {
    return MAPPER.map(channel, FileChannel.MapMode.READ_ONLY, position, size);
  }

  /**
   * Maps {@code size} bytes of {@code channel} (open for reading and writing) from {@code position}
   * for writing in place: the bytes written to the view are the file's (shared page cache), visible
   * to every reader at once and made durable by the channel's {@code force}.
   */
  static MappedView mapForWriting(FileChannel channel, long position, long size)
      throws IOException {
    return MAPPER.map(channel, FileChannel.MapMode.READ_WRITE, position, size);
  }

  /** Whether releasing a mapped view unmaps it at once (else the garbage collector does). */
  public static boolean unmapsExplicitly() {
    return !(MAPPER instanceof LeftToGc);
  }

  private static Mapper choose() {
    String whyNotArena;
    try {
      return ArenaMapper.create();
    } catch (ReflectiveOperationException | RuntimeException e) {
      whyNotArena = e.toString();
    }
    String whyNotCleaner;
    try {
      return CleanerMapper.create();
    } catch (ReflectiveOperationException | RuntimeException e) {
      whyNotCleaner = e.toString();
    }
    LOG.log(
        System.Logger.Level.DEBUG,
        "datawal: this runtime cannot unmap a mapped file explicitly, so a key-directory snapshot"
            + " stays mapped until it is garbage collected (no shared foreign arena: {0}; no"
            + " usable sun.misc.Unsafe#invokeCleaner: {1})",
        whyNotArena,
        whyNotCleaner);
    return new LeftToGc();
  }

  /** Maps as {@link FileChannel#map} does; the mapping lives until it is garbage collected. */
  private static final class LeftToGc implements Mapper {
    @Override
    public MappedView map(FileChannel channel, FileChannel.MapMode mode, long position, long size)
        throws IOException {
      return MappedView.withoutRelease(channel.map(mode, position, size));
    }
  }
}
