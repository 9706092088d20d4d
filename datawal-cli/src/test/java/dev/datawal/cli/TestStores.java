package dev.datawal.cli;

import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RecordRef;
import dev.datawal.RecordType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Stores on disk for the tests: built through the engine's public API, then damaged by hand. */
final class TestStores {
  /** The reference fixtures, kept once in the engine's test resources. */
  private static final Path FIXTURES =
      Path.of(
              System.getProperty(
                  "datawal.fixtures", "../datawal-engine/src/test/resources/fixtures"))
          .toAbsolutePath();

  private TestStores() {}

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Path segment(Path dir, long id) {
    return dir.resolve(String.format("%08d.dwal", id));
  }

  /** A copy of reference fixture {@code name} (segment files only, no {@code .lock}). */
  static Path fixture(String name, Path target) {
    try {
      Files.createDirectories(target);
      try (Stream<Path> files = Files.list(FIXTURES.resolve(name))) {
        for (Path f : files.toList()) {
          Files.copy(f, target.resolve(f.getFileName()));
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A store of Raw records, one segment each for the groups given, closed. */
  static Path rawStore(Path dir, List<List<String>> segments) {
    try (RecordLog log = RecordLog.open(dir)) {
      for (int i = 0; i < segments.size(); i++) {
        if (i > 0) {
          log.rotate();
        }
        for (String p : segments.get(i)) {
          log.append(utf8(p));
        }
      }
    }
    return dir;
  }

  static Path rawStore(Path dir, String... payloads) {
    return rawStore(dir, List.of(List.of(payloads)));
  }

  /**
   * The exact bytes of one frame, made by appending it to a scratch store after {@code txid - 1}
   * others (so the CLI's tests need no engine internals).
   */
  static byte[] frame(Path scratch, RecordType type, long txid, String key, String payload) {
    DatawalOptions manual = DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build();
    RecordRef ref;
    try (RecordLog log = RecordLog.open(scratch, manual)) {
      for (long t = 1; t < txid; t++) {
        log.append(new byte[0]);
      }
      ref = log.appendRecord(type, utf8(key), utf8(payload));
    }
    byte[] bytes = read(segment(scratch, ref.segment()));
    return Arrays.copyOfRange(bytes, (int) ref.offset(), (int) ref.offset() + ref.length());
  }

  /** Deletes the store manifest, leaving a store as the reference implementation writes it. */
  static void deleteManifest(Path dir) {
    try {
      Files.delete(dir.resolve("datawal.manifest"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void append(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void truncate(Path file, long size) {
    try {
      Files.write(file, Arrays.copyOf(read(file), (int) size));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void patch(Path file, long offset, byte... bytes) {
    byte[] content = read(file);
    System.arraycopy(bytes, 0, content, (int) offset, bytes.length);
    try {
      Files.write(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every file in {@code dir} with its bytes in hex: a directory compared before and after. */
  static Map<String, String> snapshot(Path dir) {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path f : list.toList()) {
        files.put(f.getFileName().toString(), HexFormat.of().formatHex(read(f)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  static String sha256(Path file) {
    try {
      return HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(read(file)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
