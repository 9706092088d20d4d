package dev.datawal.testing;

import dev.datawal.internal.io.Mmap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Counts this process's memory mappings of files, from Linux's {@code /proc/self/maps}, so tests
 * can check that datawal unmaps what it mapped. A line there reads {@code <range> <perms> <offset>
 * <dev> <inode> <path>}, the path followed by {@code (deleted)} once the file is gone.
 */
public final class ProcessMappings {
  private static final Path MAPS = Path.of("/proc/self/maps");

  private ProcessMappings() {}

  /** Whether mappings can be listed here (Linux) at all. */
  public static boolean listable() {
    return Files.isReadable(MAPS);
  }

  /** Whether mappings can be listed and this runtime unmaps them explicitly, not at a GC. */
  public static boolean unmappingVisible() {
    return listable() && Mmap.unmapsExplicitly();
  }

  /** Mappings of {@code file} (a real path), deleted or not. */
  public static long of(Path file) {
    String name = " " + file;
    return count(l -> l.endsWith(name) || l.endsWith(name + " (deleted)"));
  }

  /**
   * Shared mappings of segment files ({@code .dwal}) in {@code dir} whose permissions start with
   * {@code perms}: {@code "r-"} for readers' mappings, {@code "rw"} for the writer's.
   */
  public static long segments(Path dir, String perms) {
    String prefix = " " + realPath(dir) + "/";
    return count(
        l -> l.contains(prefix) && l.contains(".dwal") && l.split(" ")[1].startsWith(perms));
  }

  private static long count(Predicate<String> line) {
    try (Stream<String> lines = Files.lines(MAPS)) {
      return lines.filter(line).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path realPath(Path dir) {
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
