package dev.datawal.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Files and payloads shared by the benchmarks (public for the benchmarks of subpackages). Not a
 * benchmark.
 */
public final class BenchFiles {
  /**
   * Bytes a DWAL v1 frame adds to its key and payload: a 24-byte header and a 4-byte CRC-32C
   * (docs/reference/format-v1.md). A Raw record of 100 bytes is a 128-byte frame.
   */
  static final int FRAME_OVERHEAD = 28;

  /** The seed of every payload, key and value, so every run writes the same bytes. */
  static final long SEED = 42;

  private BenchFiles() {}

  /** The directory benchmarks write under: {@code -Ddatawal.bench.dir}, else the JVM's temp dir. */
  public static Path baseDir() {
    return Path.of(System.getProperty("datawal.bench.dir", System.getProperty("java.io.tmpdir")));
  }

  /** A new, empty directory under {@link #baseDir()}. */
  public static Path newDir(String prefix) throws IOException {
    Path base = baseDir();
    Files.createDirectories(base);
    return Files.createTempDirectory(base, prefix);
  }

  /** Deletes {@code path} and everything under it; nothing if it is null or missing. */
  public static void deleteRecursively(Path path) throws IOException {
    if (path == null || !Files.exists(path)) {
      return;
    }
    try (Stream<Path> files = Files.walk(path)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The {@code .dwal} segment files of a store, in id order. */
  static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".dwal")).sorted().toList();
    }
  }

  /** The path of segment {@code id} in a store: 8-digit zero-padded id, {@code .dwal}. */
  static Path segmentPath(Path dir, long id) {
    return dir.resolve(String.format("%08d.dwal", id));
  }

  /**
   * Reads every segment of the store in {@code dir} once, sequentially, through one 1 MiB heap
   * buffer: the floor of anything that reads a whole log.
   *
   * @return a value derived from the bytes read, so the reads cannot be optimized away
   */
  static long readAllSegments(Path dir) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    long total = 0;
    for (Path segment : segments(dir)) {
      try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
        int n;
        while ((n = ch.read(buf.clear())) > 0) {
          total += n + buf.get(0); // touch the data so the read cannot be skipped
        }
      }
    }
    return total;
  }

  /** Writes back dirty pages and drops the page cache (root only), for cold-cache runs. */
  static void dropPageCache() throws IOException, InterruptedException {
    new ProcessBuilder("sync").inheritIO().start().waitFor();
    Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
  }

  /** {@code size} deterministic pseudo-random bytes. */
  static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }

  /**
   * Writes {@code bytes} zeros to a new file, forces it, and syncs its directory: every block of it
   * is then allocated and written, so overwriting it changes no metadata.
   */
  static void writeZeros(Path file, long bytes) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long pos = 0;
      while (pos < bytes) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - pos));
        while (zeros.hasRemaining()) {
          pos += ch.write(zeros, pos);
        }
      }
      ch.force(true);
    }
    syncDirectory(file.getParent());
  }

  /** Makes a directory's entries durable (Linux: fsync of the directory opened for reading). */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Writes all of {@code buf} at {@code position}; returns the bytes written. */
  static int writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    int written = 0;
    while (buf.hasRemaining()) {
      written += ch.write(buf, position + written);
    }
    return written;
  }
}
