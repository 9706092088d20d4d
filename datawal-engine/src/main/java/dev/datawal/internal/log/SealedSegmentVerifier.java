package dev.datawal.internal.log;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.internal.format.FrameDigest;
import dev.datawal.internal.format.GroupCheck;
import dev.datawal.internal.format.GroupMarker;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentScanner;
import dev.datawal.internal.format.SegmentTail;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Reads every sealed segment of an open store whole, as a scrub: each frame's CRC, txids that go up
 * within and across segments, that every record group is whole ({@link GroupCheck}), and each
 * segment against the manifest's record of it (length, tail, records, txids, frame digest). Runs
 * beside appends, compaction and retention: a segment that one of them replaced or deleted while it
 * was read is skipped, not reported.
 *
 * <p>Not thread-safe: one verification at a time.
 */
public final class SealedSegmentVerifier {
  /** Told of progress at the start and after each segment. */
  @FunctionalInterface
  public interface Progress {
    void at(int segmentsDone, int segmentsTotal, long bytesDone, long bytesTotal);
  }

  /**
   * What a verification found.
   *
   * @param segmentsTotal sealed segments when it started
   * @param bytesTotal their bytes
   * @param segmentsChecked segments read whole
   * @param segmentsSkipped segments changed or deleted while it ran
   * @param frames frames checked
   * @param bytes bytes read
   * @param problems damage found, at most one per segment
   */
  public record Result(
      int segmentsTotal,
      long bytesTotal,
      int segmentsChecked,
      int segmentsSkipped,
      long frames,
      long bytes,
      List<CorruptStoreException> problems) {}

  private final FileIo io;
  private final Path dir;
  private final LogWriter writer;
  private final ManifestKeeper manifest;
  private final BooleanSupplier stop;

  /**
   * @param stop asked between frames: {@code true} ends the verification early (the store closes)
   */
  public SealedSegmentVerifier(
      FileIo io, Path dir, LogWriter writer, ManifestKeeper manifest, BooleanSupplier stop) {
    this.io = io;
    this.dir = dir;
    this.writer = writer;
    this.manifest = manifest;
    this.stop = stop;
  }

  /** Verifies every segment sealed now. */
  public Result verify(Progress progress) throws IOException {
    TreeMap<Long, Long> sealed = writer.sealedSegments();
    long bytesTotal = sealed.values().stream().mapToLong(Long::longValue).sum();
    List<CorruptStoreException> problems = new ArrayList<>();
    int checked = 0;
    int skipped = 0;
    long frames = 0;
    long bytes = 0;
    long previousTxid = 0;
    int done = 0;
    progress.at(0, sealed.size(), 0, bytesTotal);
    for (Map.Entry<Long, Long> segment : sealed.entrySet()) {
      if (stop.getAsBoolean()) {
        break;
      }
      long id = segment.getKey();
      Segment read = verify(id, previousTxid);
      if (read == null) {
        skipped++;
      } else {
        checked++;
        frames += read.frames;
        bytes += read.bytes;
        previousTxid = Math.max(previousTxid, read.lastTxid);
        if (read.problem != null) {
          problems.add(read.problem);
        }
      }
      progress.at(++done, sealed.size(), bytes, bytesTotal);
    }
    return new Result(sealed.size(), bytesTotal, checked, skipped, frames, bytes, problems);
  }

  /** What one segment's verification found; {@code null} from verify if it was skipped. */
  private record Segment(
      long frames, long bytes, long lastTxid, @Nullable CorruptStoreException problem) {}

  private @Nullable Segment verify(long id, long previousTxid) throws IOException {
    StoreManifest.Sealed before = manifest.current().sealed().get(id);
    FileHandle file;
    try {
      file = io.openRead(SegmentFiles.path(dir, id));
    } catch (NoSuchFileException e) {
      return null; // compaction or retention deleted it meanwhile
    }
    try (file) {
      long size = file.size();
      SegmentScanner scanner =
          new SegmentScanner(file, 0, size, SegmentScanner.Content.NONE, SegmentScanner.MAX_WINDOW);
      long frames = 0;
      long first = 0;
      long last = previousTxid;
      long digest = FrameDigest.EMPTY;
      CorruptStoreException problem = null;
      while (scanner.next()) {
        if (stop.getAsBoolean()) {
          return null;
        }
        if (scanner.txid() <= last) {
          problem =
              CorruptionMessages.segment(
                  CorruptionKind.TXID_ORDER,
                  dir,
                  id,
                  scanner.frameOffset(),
                  "the record at offset "
                      + scanner.frameOffset()
                      + " has txid "
                      + scanner.txid()
                      + ", not above txid "
                      + last
                      + " of the record before it");
          break;
        }
        GroupMarker marker = scanner.groupMarker();
        if (marker != null) {
          problem = groupProblem(file, id, scanner, marker, size);
          if (problem != null) {
            break;
          }
        }
        if (frames++ == 0) {
          first = scanner.txid();
        }
        last = scanner.txid();
        digest = FrameDigest.next(digest, last, scanner.frameCrc());
      }
      if (problem == null && scanner.fault() != null) {
        problem = CorruptionMessages.frame(scanner.fault(), dir, id, scanner.position(), true, "");
      }
      StoreManifest.Sealed after = manifest.current().sealed().get(id);
      if (after == null || !after.equals(before)) {
        return null; // compaction replaced or deleted it while it was read: next time
      }
      if (problem == null) {
        problem =
            compare(id, size, SegmentTail.crc(file, size), frames, first, last, digest, after);
      }
      return new Segment(frames, scanner.position(), last, problem);
    }
  }

  /**
   * The problem if the record group whose marker {@code scanner} just read is not whole, as every
   * group in a sealed segment must be; else {@code null}.
   */
  private @Nullable CorruptStoreException groupProblem(
      FileHandle file, long id, SegmentScanner scanner, GroupMarker marker, long size)
      throws IOException {
    long at = scanner.frameOffset();
    GroupCheck.Result group = GroupCheck.check(file, at, scanner.txid(), marker, size);
    if (group instanceof GroupCheck.Mismatch mismatch) {
      return CorruptionMessages.segment(
          CorruptionKind.GROUP_MISMATCH, dir, id, at, mismatch.detail());
    }
    if (group instanceof GroupCheck.Incomplete incomplete) {
      return CorruptionMessages.segment(
          CorruptionKind.INCOMPLETE_GROUP,
          dir,
          id,
          at,
          GroupCheck.describe(marker, at, incomplete)
              + "; a sealed segment holds only whole groups");
    }
    return null;
  }

  /** The problem if what was read is not what the manifest records, else {@code null}. */
  private @Nullable CorruptStoreException compare(
      long id,
      long size,
      int tail,
      long frames,
      long first,
      long last,
      long digest,
      StoreManifest.Sealed recorded) {
    StoreManifest.Shape shape = recorded.matching(size, tail);
    boolean differs =
        shape == null
            || (shape.complete()
                && (shape.records() != frames
                    || (frames > 0 && (shape.firstTxid() != first || shape.lastTxid() != last))
                    || shape.digest() != digest));
    if (!differs) {
      return null;
    }
    return CorruptionMessages.segment(
        size < recorded.shape().length()
            ? CorruptionKind.SEGMENT_SHORTER
            : CorruptionKind.SEGMENT_CHANGED,
        dir,
        id,
        0,
        "the sealed segment holds "
            + size
            + " bytes with "
            + frames
            + " valid records, but "
            + StoreManifest.FILE_NAME
            + " records "
            + ShapeCheck.describe(recorded.shape())
            + (shape == null ? "" : " with other contents (the frame digest differs)")
            + ": it changed after it was sealed");
  }
}
