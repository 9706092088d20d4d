package dev.datawal.internal.kv;

import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The key-directory snapshot file of a store ({@code keydir.snapshot}): where it is, and its
 * durable deletion. {@link SnapshotWriter} writes one, {@link SnapshotLoader} loads one at open,
 * {@link SnapshotEvidence} reads one for a repair; {@link SnapshotFormat} describes its bytes and
 * when they may be trusted.
 *
 * <p>Stateless.
 */
public final class KeyDirectorySnapshot {
  /** The snapshot's file name in the store directory. */
  public static final String FILE_NAME = "keydir.snapshot";

  /** The name a snapshot is written under before it is renamed to {@link #FILE_NAME}. */
  static final String TMP_NAME = FILE_NAME + ".tmp";

  private KeyDirectorySnapshot() {}

  /** The snapshot file of the store in {@code dir}. */
  public static Path path(Path dir) {
    return dir.resolve(FILE_NAME);
  }

  /**
   * Deletes the snapshot, durably, before something changes the bytes it covers (compaction).
   *
   * @return whether there was one
   */
  public static boolean delete(FileIo io, Path dir) throws IOException {
    if (io.kind(path(dir)) == FileIo.Kind.MISSING) {
      return false;
    }
    io.deleteIfExists(path(dir));
    io.syncDirectory(dir); // a power cut must not bring it back next to the changed segments
    return true;
  }
}
