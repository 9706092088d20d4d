package dev.datawal.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The one way datawal replaces or creates a whole file so that a crash leaves either the old state
 * or the new, never a mix: the new contents go to a temporary file beside it ({@code <name>.tmp}
 * unless the caller names another), which is forced, renamed over the file atomically, and then the
 * directory is synced. A leftover temporary file (a crash before the rename) holds nothing that was
 * ever in effect and may be deleted; one is deleted here whenever writing or renaming it fails (a
 * crash can still leave one: the next open, or repair, deletes it).
 */
public final class DurableFiles {
  /** The suffix of a replacement being written. */
  public static final String TMP = ".tmp";

  /** Writes a file's new contents, front to back, into {@code out}. */
  @FunctionalInterface
  public interface Contents {
    void writeTo(FileHandle out) throws IOException;
  }

  /** Looks at the forced temporary file before the rename; throws to keep the old file. */
  @FunctionalInterface
  public interface Check {
    void check(Path written) throws IOException;

    /** No check. */
    Check NONE = written -> {};
  }

  private DurableFiles() {}

  /** Replaces {@code dir/name} with the remaining bytes of {@code contents}, durably. */
  public static void replace(FileIo io, Path dir, String name, ByteBuffer contents)
      throws IOException {
    replace(io, dir.resolve(name), out -> out.write(contents, 0));
  }

  /** Replaces (or creates) {@code target} with what {@code contents} writes, durably. */
  public static void replace(FileIo io, Path target, Contents contents) throws IOException {
    replace(io, target, target.resolveSibling(target.getFileName() + TMP), contents, Check.NONE);
  }

  /**
   * Replaces (or creates) {@code target} with what {@code contents} writes into {@code tmp},
   * durably, if {@code beforeRename} accepts the written file; else deletes {@code tmp} and throws
   * what the check threw, {@code target} unchanged.
   */
  public static void replace(
      FileIo io, Path target, Path tmp, Contents contents, Check beforeRename) throws IOException {
    io.deleteIfExists(tmp);
    try {
      try (FileHandle out = io.openWrite(tmp, true)) {
        contents.writeTo(out);
        out.force(); // the new bytes are on disk before the name points at them
      }
      beforeRename.check(tmp);
      io.atomicMove(tmp, target);
    } catch (IOException | RuntimeException e) {
      try {
        io.deleteIfExists(tmp); // worthless, and may hold space that is needed
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    Path parent =
        target.getParent() != null
            ? target.getParent()
            : Objects.requireNonNull(
                target.toAbsolutePath().getParent(), "a replaced file is never a root");
    io.syncDirectory(parent); // and the rename survives a power cut
  }
}
