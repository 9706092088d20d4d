package dev.datawal.tools;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.DatawalException;
import dev.datawal.internal.format.FrameDigest;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentTail;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.kv.KeyDirectorySnapshot;
import dev.datawal.internal.kv.SnapshotEvidence;
import dev.datawal.internal.kv.SnapshotLoader;
import dev.datawal.internal.log.ShapeCheck;
import dev.datawal.internal.log.StoreManifest;
import dev.datawal.tools.StoreRepair.KeyChanges;
import dev.datawal.tools.StoreRepair.Loss;
import dev.datawal.tools.StoreRepair.Plan;
import dev.datawal.tools.StoreRepair.Quarantine;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Plans a {@link StoreRepair}: reads the store's segments, manifest and key-directory snapshot and
 * works out the regions and whole segments to quarantine, the losses to accept, the keys that
 * change and the txid floor to keep, without changing anything.
 *
 * <p>Stateless: every method is static and reads only the store it is given.
 */
final class RepairPlanner {
  private RepairPlanner() {}

  /**
   * Plans a repair of the store in {@code dir} as it is now; changes nothing.
   *
   * @param io the file system
   * @param dir the store directory, already checked to be one
   * @return the plan
   * @throws IOException if the store cannot be read
   */
  static Plan compute(FileIo io, Path dir) throws IOException {
    List<Long> ids = SegmentFiles.list(io, dir);
    List<Loss> losses = new ArrayList<>();
    StoreManifest manifest = null;
    try {
      manifest = StoreManifest.read(io, dir);
    } catch (StoreManifest.Unreadable e) {
      losses.add(
          new Loss(
              CorruptionKind.MANIFEST_DAMAGED,
              -1,
              StoreManifest.FILE_NAME
                  + " is damaged ("
                  + e.getMessage()
                  + "): what it recorded is unknown; a new one is written from the segments"));
    }
    long floor = manifest == null ? 0 : manifest.highestTxid();
    Set<Path> taken = new HashSet<>();
    List<Quarantine> quarantines = new ArrayList<>();
    Set<Long> wholeFiles = new HashSet<>();
    SortedMap<Long, Long> sizes = new TreeMap<>();
    for (long id : ids) {
      sizes.put(id, size(io, dir, id));
    }
    ShapeCheck survey = ShapeCheck.survey(io, dir, ids, manifest);
    for (CorruptStoreException problem : survey.problems()) {
      Long size = sizes.get(problem.segment());
      if (problem.kind() == CorruptionKind.SEGMENT_UNEXPECTED && size != null) {
        long id = problem.segment();
        quarantines.add(
            new Quarantine(
                id,
                0,
                size,
                problem.kind(),
                message(problem),
                freeName(
                    io, dir, SegmentFiles.fileName(id) + StoreRepair.QUARANTINE_MARKER, 0, taken),
                true));
        wholeFiles.add(id);
      } else {
        losses.add(new Loss(problem.kind(), problem.segment(), message(problem)));
      }
    }
    SnapshotEvidence evidence = SnapshotEvidence.read(io, dir);
    if (evidence != null) {
      floor = Math.max(floor, evidence.lastTxid());
      if (manifest == null) {
        CorruptStoreException loss = new SnapshotLoader(io, dir).lossWithoutManifest(ids);
        if (loss != null) {
          losses.add(new Loss(loss.kind(), loss.segment(), message(loss)));
        }
      }
    }
    List<Long> kept = ids.stream().filter(id -> !wholeFiles.contains(id)).toList();
    List<SegmentWalker.Damage> tornTails = new ArrayList<>();
    long previousTxid = 0;
    for (int i = 0; i < kept.size(); i++) {
      long id = kept.get(i);
      boolean last = i == kept.size() - 1;
      SegmentRead read = walk(io, dir, id, last, previousTxid, taken);
      if (read == null) {
        continue; // deleted by a live writer since the listing (lockless plans only)
      }
      quarantines.addAll(read.quarantines);
      tornTails.addAll(read.tornTails);
      previousTxid = Math.max(previousTxid, read.lastTxid);
      StoreManifest.Shape recorded = survey.matched().get(id);
      boolean differs =
          read.quarantines.isEmpty()
              && (survey.suspects().containsKey(id)
                  || (recorded != null
                      && recorded.complete()
                      && (recorded.records() != read.records || recorded.digest() != read.digest)));
      if (differs) {
        losses.add(
            new Loss(
                CorruptionKind.SEGMENT_CHANGED,
                id,
                "segment "
                    + id
                    + " holds valid frames, but not the ones "
                    + StoreManifest.FILE_NAME
                    + " records (edited, or replaced by another file): accepted as they are"));
      }
      floor = Math.max(floor, read.lastTxid);
    }
    quarantines.sort(
        Comparator.comparingLong(Quarantine::segment).thenComparingLong(Quarantine::offset));
    boolean rewrite = !quarantines.isEmpty() || !losses.isEmpty();
    KeyChanges keys =
        rewrite && evidence != null
            ? RepairKeyChanges.compute(
                io, dir, kept, quarantines, evidence, relocations(io, dir, sizes, manifest))
            : KeyChanges.unknown();
    boolean snapshot = io.kind(KeyDirectorySnapshot.path(dir)) != FileIo.Kind.MISSING;
    return new Plan(dir, sizes, quarantines, tornTails, snapshot, losses, keys, rewrite, floor);
  }

  /**
   * What a walk of one segment finds for a repair.
   *
   * @param quarantines its damaged regions and records whose txid is not above the one before
   * @param tornTails its torn tail, left to the writer
   * @param records the frames kept
   * @param digest their frame digest
   * @param lastTxid the highest txid kept (or {@code previousTxid} if none)
   */
  private record SegmentRead(
      List<Quarantine> quarantines,
      List<SegmentWalker.Damage> tornTails,
      long records,
      long digest,
      long lastTxid) {}

  /**
   * Walks segment {@code id}: its damaged regions, and runs of frames whose txids do not go up
   * (after {@code previousTxid}, the last one kept before it), become regions to quarantine.
   *
   * @return what it found, or {@code null} if the segment is gone
   */
  private static @Nullable SegmentRead walk(
      FileIo io, Path dir, long id, boolean last, long previousTxid, Set<Path> taken)
      throws IOException {
    SegmentWalker walker;
    try {
      walker = SegmentWalker.open(io, SegmentFiles.path(dir, id), id, false);
    } catch (DatawalException e) {
      if (e.getCause() instanceof NoSuchFileException) {
        return null;
      }
      throw e;
    }
    List<Quarantine> quarantines = new ArrayList<>();
    List<SegmentWalker.Damage> tornTails = new ArrayList<>();
    String prefix = SegmentFiles.fileName(id) + StoreRepair.QUARANTINE_MARKER;
    long records = 0;
    long digest = FrameDigest.EMPTY;
    long lastTxid = previousTxid;
    long outOfOrderFrom = -1; // the start of a run of frames whose txids go back
    long outOfOrderEnd = -1;
    String outOfOrderDetail = null; // set with outOfOrderFrom
    try (walker) {
      for (SegmentWalker.Item item = walker.next(); item != null; item = walker.next()) {
        if (item instanceof SegmentWalker.Frame f && f.txid() > lastTxid) {
          records++;
          digest = FrameDigest.next(digest, f.txid(), f.crc());
          lastTxid = f.txid();
        } else if (item instanceof SegmentWalker.Frame f) {
          if (outOfOrderFrom < 0 || outOfOrderEnd != f.offset()) {
            addRun(
                io,
                dir,
                id,
                prefix,
                outOfOrderFrom,
                outOfOrderEnd,
                outOfOrderDetail,
                taken,
                quarantines);
            outOfOrderFrom = f.offset();
            outOfOrderDetail =
                "the record at offset "
                    + f.offset()
                    + " has txid "
                    + f.txid()
                    + ", not above txid "
                    + lastTxid
                    + " of a record before it";
          }
          outOfOrderEnd = f.end();
        } else {
          SegmentWalker.Damage d = (SegmentWalker.Damage) item;
          if (d.tornTail(last)) {
            tornTails.add(d);
          } else {
            quarantines.add(
                new Quarantine(
                    id,
                    d.offset(),
                    d.length(),
                    d.kind(),
                    d.detail(),
                    freeName(io, dir, prefix, d.offset(), taken)));
          }
        }
      }
    }
    addRun(
        io, dir, id, prefix, outOfOrderFrom, outOfOrderEnd, outOfOrderDetail, taken, quarantines);
    return new SegmentRead(quarantines, tornTails, records, digest, lastTxid);
  }

  private static void addRun(
      FileIo io,
      Path dir,
      long id,
      String prefix,
      long from,
      long end,
      @Nullable String detail,
      Set<Path> taken,
      List<Quarantine> quarantines)
      throws IOException {
    if (from >= 0) {
      quarantines.add(
          new Quarantine(
              id,
              from,
              end - from,
              CorruptionKind.TXID_ORDER,
              Objects.requireNonNull(detail, "a run has a detail"),
              freeName(io, dir, prefix, from, taken)));
    }
  }

  /**
   * Segments whose contents now lie in a file of another id (swapped or moved): recorded id to the
   * id of the file that matches its record, where its own file no longer does.
   */
  private static Map<Long, Long> relocations(
      FileIo io, Path dir, SortedMap<Long, Long> sizes, @Nullable StoreManifest manifest)
      throws IOException {
    Map<Long, Long> moved = new TreeMap<>();
    if (manifest == null) {
      return moved;
    }
    Map<Long, FileEnd> files = new TreeMap<>();
    for (Map.Entry<Long, Long> file : sizes.entrySet()) {
      long size = file.getValue();
      files.put(file.getKey(), new FileEnd(size, SegmentTail.crc(io, dir, file.getKey(), size)));
    }
    for (StoreManifest.Sealed recorded : manifest.sealed().values()) {
      long id = recorded.id();
      FileEnd own = files.get(id);
      if (own != null && recorded.matching(own.size(), own.tailCrc()) != null) {
        continue; // its own file still holds it
      }
      for (Map.Entry<Long, FileEnd> file : files.entrySet()) {
        FileEnd end = file.getValue();
        if (file.getKey() != id && recorded.matching(end.size(), end.tailCrc()) != null) {
          moved.put(id, file.getKey());
          break;
        }
      }
    }
    return moved;
  }

  /** A segment file's size and its {@link SegmentTail} check. */
  private record FileEnd(long size, int tailCrc) {}

  /** What {@code e} says: every exception datawal makes has a message. */
  private static String message(CorruptStoreException e) {
    return Objects.requireNonNull(e.getMessage(), "datawal's exceptions have a message");
  }

  private static long size(FileIo io, Path dir, long id) throws IOException {
    try (FileHandle file = io.openRead(SegmentFiles.path(dir, id))) {
      return file.size();
    } catch (NoSuchFileException e) {
      return 0;
    }
  }

  private static Path freeName(FileIo io, Path dir, String prefix, long offset, Set<Path> taken)
      throws IOException {
    String base = prefix + offset;
    Path candidate = dir.resolve(base);
    for (int n = 2; taken.contains(candidate) || io.kind(candidate) != FileIo.Kind.MISSING; n++) {
      candidate = dir.resolve(base + "." + n);
    }
    taken.add(candidate);
    return candidate;
  }
}
