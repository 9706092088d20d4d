package dev.datawal.benchmarks.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Directories, keys and values of the peer benchmarks. Not a benchmark. */
final class PeerFiles {
  /** The seed of every key and value, so every run writes the same bytes. */
  static final long SEED = 42;

  /** Bytes of every key: 8 bytes of writer index, 8 of a counter. */
  static final int KEY_SIZE = 16;

  private PeerFiles() {}

  /** A new, empty directory under {@code -Ddatawal.bench.dir}, else the JVM's temp dir. */
  static Path newDir(String prefix) throws IOException {
    Path base =
        Path.of(System.getProperty("datawal.bench.dir", System.getProperty("java.io.tmpdir")));
    Files.createDirectories(base);
    return Files.createTempDirectory(base, prefix);
  }

  /** Deletes {@code path} and everything under it; nothing if it is null or missing. */
  static void deleteRecursively(Path path) throws IOException {
    if (path == null || !Files.exists(path)) {
      return;
    }
    try (Stream<Path> files = Files.walk(path)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The sum of the sizes of the regular files under {@code dir}. */
  static long bytesUnder(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      long total = 0;
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        total += Files.size(p);
      }
      return total;
    }
  }

  /** {@code size} deterministic pseudo-random bytes. */
  static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }

  /** The key of writer {@code writer}'s {@code n}th distinct key. */
  static byte[] key(long writer, long n) {
    return ByteBuffer.allocate(KEY_SIZE).putLong(writer).putLong(n).array();
  }
}
