package dev.datawal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/** Small file helpers for tests. */
public final class TestFiles {
  private TestFiles() {}

  /** Writes a store of RAW records with these payloads into {@code dir} and closes it. */
  public static Path rawStore(Path dir, String... payloads) {
    try (RecordLog log = RecordLog.open(dir)) {
      for (String p : payloads) {
        log.append(utf8(p));
      }
    }
    return dir;
  }

  /**
   * Writes a store of RAW records with these payloads, fsyncs them, and leaves the store as a
   * process killed right after that fsync would: every record is durable, but the close's own
   * writes (the manifest's record of a clean close, the key-directory snapshot) never happened.
   * Damage made to its tail afterwards is what a crash can leave, a torn tail.
   */
  public static Path rawStoreKilled(Path dir, String... payloads) {
    RecordLog log = RecordLog.open(dir);
    for (String p : payloads) {
      log.append(utf8(p));
    }
    log.fsync();
    closeAsIfKilled(log, dir);
    return dir;
  }

  /**
   * Closes {@code store} (whose writes the test made durable), then undoes what only a clean close
   * writes: the manifest goes back to what it was before the close, and the key-directory snapshot
   * (if the close wrote one) to what was there before. The store is then as a process killed before
   * its close would have left it.
   */
  public static void closeAsIfKilled(AutoCloseable store, Path dir) {
    Path manifest = dir.resolve("datawal.manifest");
    Path snapshot = dir.resolve("keydir.snapshot");
    byte[] manifestBefore = Files.exists(manifest) ? read(manifest) : null;
    byte[] snapshotBefore = Files.exists(snapshot) ? read(snapshot) : null;
    try {
      store.close();
      restore(manifest, manifestBefore);
      restore(snapshot, snapshotBefore);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void restore(Path file, byte[] bytes) throws IOException {
    if (bytes == null) {
      Files.deleteIfExists(file);
    } else {
      write(file, bytes);
    }
  }

  public static void delete(Path file) {
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a command, discarding its output, and returns its exit code (-1 if it cannot run). */
  public static int exec(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * Waits until {@code condition} holds, checking every few milliseconds, and fails after 30 s. Not
   * a timing assertion: the bound only stops a broken test from hanging.
   */
  public static void await(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(2); // the poll interval of this condition wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what, e);
      }
    }
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static String str(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  public static Path segment(Path dir, long id) {
    return dir.resolve(String.format("%08d.dwal", id));
  }

  public static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void write(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void append(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void truncate(Path file, long size) {
    write(file, Arrays.copyOf(read(file), (int) size));
  }

  public static void patch(Path file, long offset, byte... bytes) {
    byte[] content = read(file);
    System.arraycopy(bytes, 0, content, (int) offset, bytes.length);
    write(file, content);
  }

  public static List<String> payloads(List<Record> records) {
    return records.stream().map(r -> str(r.payload())).toList();
  }

  /** Copies the committed fixture {@code name} into {@code target} (created). */
  public static Path copyFixture(String name, Path target) {
    try {
      Files.createDirectories(target);
      for (String file : fixtureFiles(name)) {
        try (InputStream in = resource("fixtures/" + name + "/" + file)) {
          Files.copy(in, target.resolve(file));
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The segment files of fixture {@code name}, as docs/reference/format-v1.md lists them. */
  public static List<String> fixtureFiles(String name) {
    return FixtureGenerator.SHA256.keySet().stream()
        .filter(k -> k.startsWith(name + "/"))
        .map(k -> k.substring(name.length() + 1))
        .sorted()
        .toList();
  }

  public static InputStream resource(String path) {
    InputStream in = TestFiles.class.getClassLoader().getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException("missing test resource " + path);
    }
    return in;
  }

  /** Every file in {@code dir} with its bytes in hex, to compare a directory before and after. */
  public static java.util.Map<String, String> snapshot(Path dir) {
    java.util.Map<String, String> files = new java.util.TreeMap<>();
    for (String name : names(dir)) {
      files.put(name, java.util.HexFormat.of().formatHex(read(dir.resolve(name))));
    }
    return files;
  }

  public static List<String> names(Path dir) {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
