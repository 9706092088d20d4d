package dev.datawal.internal.kv;

import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * What a key-directory snapshot says the store held, for a repair that names the keys a loss
 * changed ({@link #read}). Immutable.
 *
 * @param covered the segments it covers and how far, by id
 * @param lastTxid its last txid
 * @param items every live key it holds and where its latest Put was, in key order
 */
public record SnapshotEvidence(
    SortedMap<Long, Long> covered, long lastTxid, List<KeyDirectory.Item> items) {
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  /**
   * Reads the snapshot of the store in {@code dir} whole, without checking it against the segments,
   * or returns {@code null} if there is none or it is damaged (its own checks fail).
   */
  public static @Nullable SnapshotEvidence read(FileIo io, Path dir) {
    try (FileHandle file = io.openRead(KeyDirectorySnapshot.path(dir))) {
      SnapshotHead head = SnapshotHead.read(file);
      SnapshotTable table = head.table(io, dir, file, SnapshotTable.MAP_CHUNK_SHIFT);
      KeyDirectory directory = new KeyDirectory(table);
      try {
        table.verifyAll(); // every page and entry, before anything of it is believed
        return new SnapshotEvidence(head.sizes(), head.lastTxid(), directory.itemsSorted());
      } finally {
        directory.close(); // unmaps the table: the items are copies
      }
    } catch (IOException | SnapshotHead.Rejected | RuntimeException e) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "datawal: the key-directory snapshot of {0} is no evidence: {1}",
          dir,
          e.toString());
      return null;
    }
  }
}
