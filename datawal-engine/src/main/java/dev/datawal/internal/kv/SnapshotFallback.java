package dev.datawal.internal.kv;

import dev.datawal.RecordType;
import dev.datawal.internal.format.SegmentScanner;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.log.LogScanner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a key directory's entries should be once its snapshot's table turns out damaged: the
 * segments the table covers, read into a heap table ({@link #scanCovered}), with the directory's
 * overlay replayed on top ({@link #replay}). The {@link KeyDirectory} then publishes the result as
 * its whole contents and retires the damaged table.
 *
 * <p>Why the replay gives the right answer: the snapshot's table holds, for every key it does not
 * omit, the key's state at the end of the covered part, which is what the scan finds. It may omit a
 * key the covered part holds (a snapshot written after compaction leaves out keys written after the
 * covered part, which the scan would find) only if the log after the covered part wrote that key;
 * recovery replayed that part into the overlay with pinned entries, which never leave it, so the
 * overlay overrides every such key. Every other overlay entry was decided from pages already
 * verified, so replaying it is right too.
 *
 * <p>Stateless; thread-safe as far as its arguments are (the directory runs one fallback at a time
 * and replays under its write lock).
 */
final class SnapshotFallback {
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  private SnapshotFallback() {}

  /**
   * Reads the part of the log {@code damaged} covers (its segments, the last one up to its covered
   * size) into new entries with the same hash seed, without looking at the table, logging that it
   * does so ({@code damage} says why). The covered bytes never change while the table is in use
   * before {@link SnapshotTable#verifyAll} (appends go after them, and compaction verifies first).
   *
   * @throws RuntimeException if the scan fails (logged): a covered segment that cannot be read or
   *     does not decode cleanly ({@link dev.datawal.CorruptStoreException})
   */
  static LayeredTable scanCovered(SnapshotTable damaged, String damage) {
    LOG.log(
        System.Logger.Level.WARNING,
        "datawal: the key-directory snapshot of {0} is damaged ({1}); reading the segments it"
            + " covers instead (a new snapshot is written at close)",
        damaged.dir(),
        damage);
    try {
      return scan(damaged);
    } catch (IOException | RuntimeException e) {
      RuntimeException failed =
          e instanceof IOException io ? Errors.readFailed(damaged.dir(), io) : (RuntimeException) e;
      LOG.log(
          System.Logger.Level.ERROR,
          "datawal: cannot rebuild the key directory of " + damaged.dir() + ": " + failed,
          failed);
      throw failed;
    }
  }

  private static LayeredTable scan(SnapshotTable damaged) throws IOException {
    SnapshotTable.Layout layout = damaged.layout();
    List<LogScanner.Span> spans = new ArrayList<>(layout.segmentIds().length);
    for (int s = 0; s < layout.segmentIds().length; s++) {
      spans.add(new LogScanner.Span(layout.segmentIds()[s], 0, layout.coveredSizes()[s]));
    }
    LayeredTable scanned = new LayeredTable(layout.entryCount());
    try (LogScanner scanner =
        new LogScanner(damaged.io(), damaged.dir(), spans, false, SegmentScanner.Content.KEYS)) {
      while (scanner.next()) {
        SegmentScanner frame = scanner.current();
        if (frame.type() != RecordType.RAW) {
          scanned.load(
              frame.type() == RecordType.PUT,
              frame.keyArray(),
              frame.keyOffset(),
              frame.keyLength(),
              KeyHash.of(layout.seed(), frame.keyArray(), frame.keyOffset(), frame.keyLength()),
              scanner.currentSegment(),
              frame.frameOffset(),
              frame.frameLength());
        }
      }
    }
    return scanned;
  }

  /** Applies every entry of {@code overlay}, live or deleted, to {@code scanned}. */
  static void replay(HeapTable overlay, LayeredTable scanned) {
    for (int i = 0; i < overlay.capacity(); i++) {
      long m = overlay.meta(i);
      if (m == 0) {
        continue;
      }
      byte[] chunk = overlay.keyChunk(i);
      int at = overlay.keyFrom(i);
      int keyLen = overlay.keyLength(i);
      int hash = (int) (m >>> 32);
      if ((m & HeapTable.DELETED) != 0) {
        scanned.delete(chunk, at, keyLen, hash, false);
      } else {
        scanned.store(
            chunk, at, keyLen, hash, overlay.place(i), (int) (m & HeapTable.LENGTH_MASK), false);
      }
    }
  }
}
