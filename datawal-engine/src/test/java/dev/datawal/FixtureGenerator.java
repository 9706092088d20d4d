package dev.datawal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the six reference fixtures of docs/reference/format-v1.md with datawal's own writer. Their
 * bytes must equal the reference generator's ({@link #SHA256}); {@code CorpusTests} checks that,
 * and that the committed copies in {@code src/test/resources/fixtures} are the same bytes.
 *
 * <p>To look at fresh output: {@code java -cp ... dev.datawal.FixtureGenerator <out-dir>}. The
 * committed fixtures are golden files: never overwrite them from this output without a reason.
 */
public final class FixtureGenerator {
  /** The fixtures, in the order of docs/reference/format-v1.md. */
  public static final List<String> NAMES =
      List.of(
          "valid_log",
          "truncated_tail",
          "bad_crc",
          "unknown_version",
          "delete_tombstone",
          "compact_to_output");

  /** The reference's SHA-256 of every fixture file, from docs/reference/format-v1.md. */
  public static final Map<String, String> SHA256 =
      Map.of(
          "valid_log/00000001.dwal",
          "59ea8fb222ad61a0c3692e95ea34570bb3e91e018e242d42f15de9d09a549564",
          "truncated_tail/00000001.dwal",
          "ba7a29f6d193faf35b7e005ad628537ff213f21357d1c3eeb1a91441f13a9d2c",
          "bad_crc/00000001.dwal",
          "df75013167e2fe81893284eef2796baa2450af76ccfb7db9624927f31ba7b8cb",
          "bad_crc/00000002.dwal",
          "6a7f5c774715000aa3f37b3a544d4b2ea2ffe7473366c27b959177115fd603ae",
          "bad_crc/00000003.dwal",
          "9943bf8b8627e0bb68eff872e4e5296f8b338f7f8f3523623b2a8dd58a75dfd0",
          "unknown_version/00000001.dwal",
          "7f32c494ecac41c9103e294f0f9d23cfc7d86702fe63fd74dd6e75add505ec89",
          "delete_tombstone/00000001.dwal",
          "5cc670d8d21302d697c4c65c0a7ad3c84b29510c0ed26d06a8814553dd00ee38",
          "compact_to_output/00000001.dwal",
          "f864e842cafb610f74c15761eb633b51560bc2b2eb2b24bb78af4ca085141151");

  private FixtureGenerator() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "fixtures-out");
    for (String name : NAMES) {
      generate(name, out.resolve(name));
      System.out.println("wrote " + out.resolve(name));
    }
  }

  /** Writes fixture {@code name} into the new directory {@code dir}: only its .dwal files. */
  public static void generate(String name, Path dir) throws IOException {
    switch (name) {
      case "valid_log" -> raw(dir, "alpha", "beta", "gamma");
      case "truncated_tail" -> {
        raw(dir, "one", "two", "three");
        Path segment = dir.resolve("00000001.dwal");
        byte[] bytes = Files.readAllBytes(segment);
        Files.write(segment, Arrays.copyOf(bytes, bytes.length - 5));
      }
      case "bad_crc" -> {
        try (RecordLog log = RecordLog.open(dir)) {
          log.append(utf8("good"));
          log.rotate();
          log.append(utf8("this-will-be-corrupted"));
          log.rotate();
          log.append(utf8("after"));
          log.fsync();
        }
        flipByte(dir.resolve("00000002.dwal"), 29);
      }
      case "unknown_version" -> {
        raw(dir, "first");
        Path segment = dir.resolve("00000001.dwal");
        byte[] bytes = Files.readAllBytes(segment);
        bytes[4] = (byte) 0xFE;
        bytes[5] = (byte) 0xCA;
        Files.write(segment, bytes);
      }
      case "delete_tombstone" -> {
        try (RecordLog log = RecordLog.open(dir)) {
          put(log, "alpha", "1");
          put(log, "beta", "2");
          put(log, "alpha", "3");
          log.appendRecord(RecordType.DELETE, utf8("beta"), new byte[0]);
          log.fsync();
        }
      }
      case "compact_to_output" -> {
        Path source = Files.createTempDirectory("compact-source");
        try (RecordLog log = RecordLog.open(source)) {
          put(log, "keep", "final");
          put(log, "keep", "old");
          put(log, "keep", "final");
          put(log, "gone", "nope");
          log.appendRecord(RecordType.DELETE, utf8("gone"), new byte[0]);
          put(log, "other", "value");
          log.fsync();
          writeLiveStateSorted(log, dir);
        }
        deleteTree(source);
      }
      default -> throw new IllegalArgumentException("no fixture named " + name);
    }
    // The fixtures are the reference implementation's stores: segments only. datawal's lock and
    // manifest are written beside them, never into them.
    Files.deleteIfExists(dir.resolve(".lock"));
    Files.deleteIfExists(dir.resolve("datawal.manifest"));
  }

  /**
   * What compact_to does at the log level: one Put per live key of {@code source}, in unsigned byte
   * order of the key, txids from 1.
   */
  private static void writeLiveStateSorted(RecordLog source, Path dir) {
    Map<byte[], byte[]> live = new TreeMap<>(Arrays::compareUnsigned);
    for (Record r : source.scan()) {
      switch (r.type()) {
        case PUT -> live.put(r.key(), r.payload());
        case DELETE -> live.remove(r.key());
        case RAW -> {}
      }
    }
    try (RecordLog out = RecordLog.open(dir)) {
      live.forEach((k, v) -> out.appendRecord(RecordType.PUT, k, v));
      out.fsync();
    }
  }

  private static void raw(Path dir, String... payloads) {
    try (RecordLog log = RecordLog.open(dir)) {
      for (String p : payloads) {
        log.append(utf8(p));
      }
      log.fsync();
    }
  }

  private static void put(RecordLog log, String key, String value) {
    log.appendRecord(RecordType.PUT, utf8(key), utf8(value));
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  static void flipByte(Path file, int index) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[index] ^= (byte) 0xFF;
    Files.write(file, bytes);
  }

  static void flipByteUnchecked(Path file, int index) {
    try {
      flipByte(file, index);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
