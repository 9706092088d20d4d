package dev.datawal.crash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a {@link CrashFs} holds after a simulated power cut: directories and files, by path relative
 * to the simulated file system's mount point ({@code "store/00000001.dwal"}), plus a description of
 * every seeded choice that produced it, for failure messages.
 *
 * <p>Immutable. {@link #materialize(Path)} writes it to a real directory, so the real engine can
 * reopen it; {@link CrashFs#fromImage} loads it back into a simulated file system (everything in it
 * durable), for a crash during recovery of a crash.
 */
public final class CrashImage {
  private final long seed;
  private final SortedSet<String> directories;
  private final SortedMap<String, byte[]> files;
  private final Map<String, CrashFs.DataOutcome> outcomes;
  private final Map<String, Integer> garbageFrom;
  private final List<String> choices;

  CrashImage(
      long seed,
      SortedSet<String> directories,
      SortedMap<String, byte[]> files,
      Map<String, CrashFs.DataOutcome> outcomes,
      Map<String, Integer> garbageFrom,
      List<String> choices) {
    this.seed = seed;
    this.directories = Collections.unmodifiableSortedSet(new TreeSet<>(directories));
    this.files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    this.outcomes = Map.copyOf(outcomes);
    this.garbageFrom = Map.copyOf(garbageFrom);
    this.choices = List.copyOf(choices);
  }

  /** The seed the image was drawn with. */
  public long seed() {
    return seed;
  }

  /** Every directory below the mount point, parents before children. */
  public SortedSet<String> directories() {
    return directories;
  }

  /** Every file, by relative path. The arrays are the image's own: do not change them. */
  public SortedMap<String, byte[]> files() {
    return files;
  }

  /** The bytes of the file at {@code path}, if it survived. */
  public Optional<byte[]> file(String path) {
    return Optional.ofNullable(files.get(path)).map(byte[]::clone);
  }

  /** Whether a file or directory exists at {@code path}. */
  public boolean exists(String path) {
    return files.containsKey(path) || directories.contains(path);
  }

  /**
   * What happened to the unsynced data of the file at {@code path}; empty if the file had nothing
   * unsynced (or did not survive).
   */
  public Optional<CrashFs.DataOutcome> outcomeOf(String path) {
    return Optional.ofNullable(outcomes.get(path));
  }

  /**
   * Where the seeded garbage that the crash left in the file at {@code path} starts ({@link
   * CrashFs.DataOutcome#GARBAGE} or {@link CrashFs.DataOutcome#TORN_GARBAGE}); it runs to the end
   * of the file. Empty if the crash left no garbage in it.
   */
  public OptionalInt garbageFrom(String path) {
    Integer from = garbageFrom.get(path);
    return from == null ? OptionalInt.empty() : OptionalInt.of(from);
  }

  /** Each seeded choice, e.g. {@code "store/00000002.dwal: TORN at 40 (durable 0 B, ...)"}. */
  public List<String> choices() {
    return choices;
  }

  /** The choices on one line, or a note that nothing was unsynced. */
  public String describe() {
    return choices.isEmpty() ? "nothing was unsynced" : String.join("; ", choices);
  }

  /** A hash of the content (directories, names and bytes), to skip images already checked. */
  public String fingerprint() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String d : directories) {
        sha.update(("d " + d + "\n").getBytes(StandardCharsets.UTF_8));
      }
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        sha.update(
            ("f " + f.getKey() + " " + f.getValue().length + "\n")
                .getBytes(StandardCharsets.UTF_8));
        sha.update(f.getValue());
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes the image below {@code realDir} (created if missing): each directory and file at its
   * relative path.
   */
  public void materialize(Path realDir) {
    try {
      Files.createDirectories(realDir);
      for (String d : directories) {
        Files.createDirectories(realDir.resolve(d));
      }
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        Files.write(realDir.resolve(f.getKey()), f.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot materialize crash image in " + realDir, e);
    }
  }

  @Override
  public String toString() {
    return "CrashImage[seed="
        + Long.toHexString(seed)
        + ", "
        + directories.size()
        + " directories, "
        + files.size()
        + " files: "
        + describe()
        + "]";
  }
}
