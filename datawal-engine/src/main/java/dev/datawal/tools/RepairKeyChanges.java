package dev.datawal.tools;

import dev.datawal.RecordType;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.kv.KeyDirectory;
import dev.datawal.internal.kv.KeyDirectorySnapshot;
import dev.datawal.internal.kv.SnapshotEvidence;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Names the keys a repair changes: the state the key-directory snapshot records (plus every record
 * kept after the part it covers) against the state of the records the repair keeps. A key live in
 * the first and not the second is lost; live in both at different places, set back to an older (or
 * other) value; live only in the second, come back (its delete, or its absence, is what was lost).
 *
 * <p>Places are compared in the files as they are before the repair; a segment whose contents the
 * manifest finds in another file (swapped, moved) is followed there, so that a value that only
 * moved is not taken for an older one.
 *
 * <p>Holds every key of both states in memory while it runs: a repair is an offline tool.
 */
final class RepairKeyChanges {
  private RepairKeyChanges() {}

  /** A key's latest Put: segment and offset. */
  private record Place(long segment, long offset) {}

  static StoreRepair.KeyChanges compute(
      FileIo io,
      Path dir,
      List<Long> kept,
      List<StoreRepair.Quarantine> quarantines,
      SnapshotEvidence evidence,
      Map<Long, Long> relocated) {
    Map<ByteBuffer, Place> expected = new HashMap<>();
    for (KeyDirectory.Item item : evidence.items()) {
      long segment = item.location().segment();
      expected.put(
          ByteBuffer.wrap(item.key()),
          new Place(relocated.getOrDefault(segment, segment), item.location().offset()));
    }
    long coveredLast = evidence.covered().lastKey();
    long coveredEnd =
        Objects.requireNonNull(evidence.covered().get(coveredLast), "the last key has a size");
    Map<ByteBuffer, Place> after = new HashMap<>();
    for (long id : kept) {
      try (SegmentWalker walker = SegmentWalker.open(io, SegmentFiles.path(dir, id), id, false)) {
        for (SegmentWalker.Item item = walker.next(); item != null; item = walker.next()) {
          if (!(item instanceof SegmentWalker.Frame f)
              || f.type() == RecordType.RAW
              || f.isGroupMarker()
              || quarantined(quarantines, id, f.offset())) {
            continue;
          }
          apply(after, f);
          if (id > coveredLast || (id == coveredLast && f.offset() >= coveredEnd)) {
            apply(expected, f);
          }
        }
      }
    }
    List<byte[]> lost = new ArrayList<>();
    List<byte[]> reverted = new ArrayList<>();
    List<byte[]> cameBack = new ArrayList<>();
    for (Map.Entry<ByteBuffer, Place> e : expected.entrySet()) {
      Place now = after.get(e.getKey());
      if (now == null) {
        lost.add(e.getKey().array());
      } else if (!now.equals(e.getValue())) {
        reverted.add(e.getKey().array());
      }
    }
    for (ByteBuffer key : after.keySet()) {
      if (!expected.containsKey(key)) {
        cameBack.add(key.array());
      }
    }
    lost.sort(Arrays::compareUnsigned);
    reverted.sort(Arrays::compareUnsigned);
    cameBack.sort(Arrays::compareUnsigned);
    return new StoreRepair.KeyChanges(
        KeyDirectorySnapshot.FILE_NAME
            + " (the live keys as of txid "
            + evidence.lastTxid()
            + ") and the records after it",
        lost,
        reverted,
        cameBack);
  }

  private static void apply(Map<ByteBuffer, Place> state, SegmentWalker.Frame f) {
    ByteBuffer key = ByteBuffer.wrap(f.key());
    if (f.type() == RecordType.PUT) {
      state.put(key, new Place(f.segment(), f.offset()));
    } else {
      state.remove(key);
    }
  }

  private static boolean quarantined(
      List<StoreRepair.Quarantine> quarantines, long segment, long offset) {
    for (StoreRepair.Quarantine q : quarantines) {
      if (q.segment() == segment && offset >= q.offset() && offset < q.offset() + q.length()) {
        return true;
      }
    }
    return false;
  }
}
