package dev.datawal.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Replaces a whole file so that a crash leaves either the old contents or the new, never a mix: the
 * new contents go to {@code <name>.tmp}, which is forced, renamed over the file atomically, and the
 * directory is synced. A leftover {@code .tmp} (a crash before the rename) holds nothing that was
 * ever in effect and may be deleted.
 */
public final class DurableFiles {
  /** The suffix of a replacement being written. */
  public static final String TMP = ".tmp";

  private DurableFiles() {}

  /** Replaces {@code dir/name} with the remaining bytes of {@code contents}, durably. */
  public static void replace(FileIo io, Path dir, String name, ByteBuffer contents)
      throws IOException {
    Path tmp = dir.resolve(name + TMP);
    io.deleteIfExists(tmp);
    try {
      try (FileHandle out = io.openWrite(tmp, true)) {
        out.write(contents, 0);
        out.force(); // the new bytes are on disk before the name points at them
      }
      io.atomicMove(tmp, dir.resolve(name));
    } catch (IOException | RuntimeException e) {
      try {
        io.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    io.syncDirectory(dir); // and the rename survives a power cut
  }
}
