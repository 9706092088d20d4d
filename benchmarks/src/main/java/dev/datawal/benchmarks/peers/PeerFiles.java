package dev.datawal.benchmarks.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Directories, keys and values of the peer benchmarks. Not a benchmark. */
final class PeerFiles {
  /** The seed of every key and value, so every run writes the same bytes. */
  static final long SEED = 42;

  /** Bytes of every key: 8 bytes of writer index, 8 of a counter. */
  static final int KEY_SIZE = 16;

  /**
   * Bytes a datawal frame adds to its key and value (datawal-engine's {@code
   * FrameFormat.frameLength}: a 24-byte header and a 4-byte CRC-32C), so the loop baselines write
   * as many bytes per record as datawal does.
   */
  static final int FRAME_OVERHEAD = 28;

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

  /** Makes a directory's entries durable (Linux: fsync of the directory opened for reading). */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
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

  /**
   * One record of the loop baselines in {@code reuse} (or in a new direct buffer if it is too
   * small), flipped for writing: a 24-byte header holding the key and value lengths, the key, the
   * value, and 4 bytes in place of a checksum (not computed: the baselines measure the I/O only),
   * {@link #FRAME_OVERHEAD} + key + value bytes in all, as a datawal frame.
   */
  static ByteBuffer frame(ByteBuffer reuse, byte[] key, byte[] value) {
    int length = FRAME_OVERHEAD + key.length + value.length;
    ByteBuffer buf = reuse.capacity() >= length ? reuse : ByteBuffer.allocateDirect(length);
    buf.clear();
    buf.putLong(0).putLong(0).putInt(key.length).putInt(value.length);
    buf.put(key).put(value).putInt(0);
    return buf.flip();
  }

  /** The key of writer {@code writer}'s {@code n}th distinct key. */
  static byte[] key(long writer, long n) {
    return ByteBuffer.allocate(KEY_SIZE).putLong(writer).putLong(n).array();
  }
}
