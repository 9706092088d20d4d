package dev.datawal.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/** Checks and durability steps for what {@code export} and {@code compact} write. */
final class Targets {
  private Targets() {}

  /**
   * {@code target}, absolute, after checking that its parent directory exists and that it lies
   * outside the store directory (a read-only command never adds anything to a store).
   *
   * @throws UsageException otherwise
   */
  static Path outside(Path store, Path target, String what) {
    Path absolute = target.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new UsageException(
          "cannot write " + what + " " + target + ": its directory " + parent + " does not exist");
    }
    try {
      Path realStore = store.toRealPath();
      Path realTarget = parent.toRealPath().resolve(absolute.getFileName());
      if (realTarget.startsWith(realStore)) {
        throw new UsageException(
            "cannot write "
                + what
                + " "
                + target
                + " inside the store directory "
                + store
                + ": the store is never changed; write it elsewhere");
      }
      return realTarget;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The directory {@code file} is in; {@link #outside} returns only files that have one. */
  static Path parent(Path file) {
    return Objects.requireNonNull(file.getParent(), () -> "datawal: no directory: " + file);
  }

  /** Makes the entries of {@code dir} durable: what was created or renamed in it survives. */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
