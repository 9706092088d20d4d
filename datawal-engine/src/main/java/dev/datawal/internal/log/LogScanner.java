package dev.datawal.internal.log;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.DamageEvent;
import dev.datawal.Record;
import dev.datawal.RecoveryReport;
import dev.datawal.internal.format.FrameDigest;
import dev.datawal.internal.format.FrameFault;
import dev.datawal.internal.format.GroupCheck;
import dev.datawal.internal.format.GroupMarker;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentScanner;
import dev.datawal.internal.format.TornTailCheck;
import dev.datawal.internal.format.UnwrittenSpace;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reads a store's segments in ascending id order and applies the recovery rules of {@code
 * docs/format.md} ("Recovery: the longest valid prefix"): the result is the longest valid prefix of
 * the log. Whether damage in the last segment is a torn tail is {@link TornTailCheck}'s call; which
 * version fields are damage and which are unsupported is {@link FrameFormat}'s.
 *
 * <p>Hard errors are thrown as {@link CorruptStoreException} naming file, segment, offset and kind.
 * Segment files are opened one at a time and read with bounded memory ({@link SegmentScanner}).
 *
 * <p>Record groups ({@link GroupMarker}): when a marker is read, its members are read ahead and
 * checked whole ({@link GroupCheck}) before the first of them is returned, so a group is returned
 * all or nothing. An incomplete group at the end of the last segment is a torn tail that starts at
 * its marker (the report's damage has kind {@link CorruptionKind#INCOMPLETE_GROUP}); anywhere else,
 * and any group whose members disagree with its marker, is a hard error. A marker is a frame: it
 * counts in the segments' summaries (records, txids, digest), as the manifest counts frames, but it
 * is never returned and is not among the report's records.
 *
 * <p>Not thread-safe.
 */
public final class LogScanner implements Closeable {

  /**
   * One segment to scan.
   *
   * @param id the segment id
   * @param start the offset of the first frame to read (0 but when resuming after a snapshot)
   * @param end how many bytes of it to scan, or {@link #TO_END} for its size when it is reached
   */
  public record Span(long id, long start, long end) {
    /** Scan a segment to whatever its size is when the scan reaches it. */
    public static final long TO_END = -1;

    /** A segment scanned from its first byte. */
    public Span(long id, long end) {
      this(id, 0, end);
    }
  }

  /**
   * The torn tail the scan left out.
   *
   * @param segment the segment id (always the last scanned)
   * @param validEnd where the valid prefix ends and the damage starts
   * @param end where the scanned range ended
   * @param fault what is wrong at {@code validEnd}
   */
  public record TornTail(long segment, long validEnd, long end, FrameFault fault) {}

  /**
   * Zeros the writer preallocated at the end of the last segment: not damage ({@link
   * UnwrittenSpace}).
   *
   * @param segment the last segment
   * @param validEnd where its valid frames end, and the zeros begin
   * @param end the file's end
   */
  public record Unwritten(long segment, long validEnd, long end) {}

  /**
   * What the scan read of one segment.
   *
   * @param id the segment id
   * @param start where the scan began in it (0 unless resuming)
   * @param complete whether the counts below cover the segment from offset 0: it was read from
   *     there, or the scan resumed inside it from counts given to {@link #resumeSummary}
   * @param validEnd where its valid frames end
   * @param records the valid frames up to {@code validEnd}
   * @param firstTxid the txid of the first of them, 0 if none
   * @param lastTxid the txid of the last of them, 0 if none
   * @param digest their {@link FrameDigest}
   */
  public record SegmentSummary(
      long id,
      long start,
      boolean complete,
      long validEnd,
      long records,
      long firstTxid,
      long lastTxid,
      long digest) {}

  private final FileIo io;
  private final Path dir;
  private final List<Span> spans;
  private final boolean tolerateTornTail;
  private final SegmentScanner.Content content;

  private int index = -1;
  private @Nullable FileHandle file; // of the current segment, with its scanner
  private @Nullable SegmentScanner scanner;

  private final java.util.Map<Long, Long> sizes = new java.util.TreeMap<>();
  private final java.util.Map<Long, SegmentSummary> summaries = new java.util.TreeMap<>();
  private final java.util.Map<Long, ValidTo> validTo = new java.util.HashMap<>();
  private final java.util.Map<Long, SegmentSummary> checkpoints = new java.util.HashMap<>();
  private final java.util.Map<Long, long[]> resumedAt = new java.util.HashMap<>();
  private @Nullable ValidTo segmentValidTo; // the current segment's, or null
  private int filesScanned;
  private long recordsReplayed;
  private long groupMarkers;
  private long lastTxidSeen;
  private @Nullable TornTail tornTail;
  private @Nullable Unwritten unwritten;

  // The record read before the current one (segment -1: the part a resume point covers), and the
  // current segment's running summary.
  private long previousTxid;
  private long previousSegment = -1;
  private long previousOffset = -1;
  private long segmentRecords;
  private long segmentFirstTxid;
  private long segmentLastTxid;
  private long segmentDigest;

  /** A prefix of a segment that must be valid frames, and why. */
  private record ValidTo(long offset, String why) {}

  /**
   * @param io the file system
   * @param dir the store directory
   * @param spans the segments to scan, ascending by id
   * @param tolerateTornTail whether damage at the end of the last span may be a torn tail (the last
   *     segment of a store on disk); {@code false} when every byte scanned is known to be written
   *     and valid, so any damage is corruption
   * @param content what to copy out of each record
   */
  public LogScanner(
      FileIo io,
      Path dir,
      List<Span> spans,
      boolean tolerateTornTail,
      SegmentScanner.Content content) {
    this.io = io;
    this.dir = dir;
    this.spans = List.copyOf(spans);
    this.tolerateTornTail = tolerateTornTail;
    this.content = content;
  }

  /**
   * Counts {@code txid} as seen, as if a record carrying it had been read: a scan that resumes
   * after a snapshot reports the highest txid of the log, not of the part it read.
   */
  public void alreadySeen(long txid) {
    lastTxidSeen = Math.max(lastTxidSeen, txid);
    previousTxid = Math.max(previousTxid, txid);
  }

  /**
   * Requires the first {@code offset} bytes of segment {@code id} to be valid frames: damage there
   * is a hard error even in the last segment (it cannot be a torn tail), because they were known
   * durable and valid ({@code why}, for the message).
   */
  public void requireValidTo(long id, long offset, String why) {
    validTo.put(id, new ValidTo(offset, why));
  }

  /**
   * Moves to the next valid record.
   *
   * @return {@code false} when the valid prefix is exhausted
   * @throws CorruptStoreException on damage that is not a tolerated torn tail
   */
  public boolean next() throws IOException {
    while (true) {
      SegmentScanner scanner = this.scanner != null ? this.scanner : openNextSegment();
      if (scanner == null) {
        return false;
      }
      if (!scanner.next()) {
        finishSegment(scanner);
        continue;
      }
      long txid = scanner.txid();
      if (txid <= previousTxid) {
        throw txidOrder(txid, scanner.frameOffset());
      }
      GroupMarker marker = scanner.groupMarker();
      if (marker != null && !groupComplete(scanner, marker)) {
        continue; // the group was a torn tail: the segment ends at its marker
      }
      counted(scanner, txid);
      if (marker != null) {
        groupMarkers++; // framing, not a record: the members follow, checked whole
        continue;
      }
      recordsReplayed++;
      return true;
    }
  }

  /** Counts the frame just read into the order check and the segment's summary. */
  private void counted(SegmentScanner scanner, long txid) {
    previousTxid = txid;
    previousSegment = currentSegment();
    previousOffset = scanner.frameOffset();
    if (segmentRecords++ == 0) {
      segmentFirstTxid = txid;
    }
    segmentLastTxid = txid;
    segmentDigest = FrameDigest.next(segmentDigest, txid, scanner.frameCrc());
    if (segmentValidTo != null
        && scanner.frameOffset() + scanner.frameLength() == segmentValidTo.offset()) {
      checkpoints.put(currentSegment(), summary(scanner.frameOffset() + scanner.frameLength()));
    }
    lastTxidSeen = Math.max(lastTxidSeen, txid);
  }

  /**
   * Reads ahead over the members of the group whose marker {@code scanner} just read, before any of
   * them is returned. Returns {@code true} if the group is complete; {@code false} if it is a torn
   * tail, which then ends the segment at the marker (see {@link #finishAtIncompleteGroup}).
   *
   * @throws CorruptStoreException if the members disagree with the marker, or the group is
   *     incomplete where that cannot be a torn tail
   */
  private boolean groupComplete(SegmentScanner scanner, GroupMarker marker) throws IOException {
    FileHandle file = Objects.requireNonNull(this.file, "open with its scanner");
    GroupCheck.Result group =
        GroupCheck.check(file, scanner.frameOffset(), scanner.txid(), marker, scanner.end());
    if (group instanceof GroupCheck.Mismatch mismatch) {
      throw CorruptionMessages.segment(
          CorruptionKind.GROUP_MISMATCH,
          dir,
          currentSegment(),
          scanner.frameOffset(),
          mismatch.detail());
    }
    if (group instanceof GroupCheck.Incomplete incomplete) {
      finishAtIncompleteGroup(scanner, marker, incomplete);
      return false;
    }
    return true;
  }

  /**
   * Ends the current segment at the marker of an incomplete group: a torn tail, the whole group
   * with everything after it, if the rules for damage at {@link GroupCheck.Incomplete#stopAt()}
   * make that damage a torn tail; otherwise a hard error naming the marker.
   */
  private void finishAtIncompleteGroup(
      SegmentScanner scanner, GroupMarker marker, GroupCheck.Incomplete group) throws IOException {
    long segment = currentSegment();
    long at = scanner.frameOffset();
    boolean last = index == spans.size() - 1;
    summaries.put(segment, summary(at));
    FrameFault memberFault = group.fault();
    if (memberFault != null && memberFault.kind() == CorruptionKind.UNSUPPORTED_VERSION) {
      throw corrupt(
          memberFault,
          segment,
          group.stopAt(),
          last ? "segment " : "sealed segment ",
          " (in the record group whose marker is at offset " + at + ")");
    }
    FrameFault fault =
        new FrameFault(CorruptionKind.INCOMPLETE_GROUP, GroupCheck.describe(marker, at, group), 0);
    if (!last || !tolerateTornTail) {
      throw corrupt(
          fault,
          segment,
          at,
          last ? "segment " : "sealed segment ",
          last ? "" : "; a sealed segment holds only whole groups");
    }
    if (memberFault != null) {
      FileHandle file = Objects.requireNonNull(this.file, "open with its scanner");
      mustBeTornTail(file, segment, group.stopAt(), memberFault, at, fault, scanner.end());
    }
    requireKnownDurable(segment, at, fault);
    tornTail = new TornTail(segment, at, scanner.end(), fault);
    close();
  }

  /**
   * The markers of complete record groups read so far: frames on disk, counted in the segments'
   * summaries, but never returned by {@link #next()} and not in the report's records.
   */
  public long groupMarkers() {
    return groupMarkers;
  }

  /** The current record; only for a scan with {@link SegmentScanner.Content#ALL}. */
  public Record record() {
    SegmentScanner scanner = current();
    return new Record(
        scanner.type(),
        scanner.txid(),
        Objects.requireNonNull(scanner.key(), "scanned with Content.ALL"),
        Objects.requireNonNull(scanner.payload(), "scanned with Content.ALL"),
        spans.get(index).id(),
        scanner.frameOffset(),
        scanner.frameLength());
  }

  /** The current record's segment, frame offset and so on, without copying. */
  public SegmentScanner current() {
    return Objects.requireNonNull(scanner, "no current record: next() did not return true");
  }

  /** The id of the segment being scanned. */
  public long currentSegment() {
    return spans.get(index).id();
  }

  /** The size of every segment opened so far (the range scanned), by id. */
  public java.util.Map<Long, Long> sizes() {
    return java.util.Collections.unmodifiableMap(sizes);
  }

  /**
   * Continues segment {@code id}'s summary, whose span starts after the first {@code records}
   * frames with digest {@code digest} (a scan resuming inside it).
   */
  public void resumeSummary(long id, long records, long firstTxid, long lastTxid, long digest) {
    resumedAt.put(id, new long[] {records, firstTxid, lastTxid, digest});
  }

  /**
   * What the scan read of segment {@code id} up to the offset given to {@link #requireValidTo}, if
   * a frame ended exactly there; {@code null} otherwise.
   */
  public @Nullable SegmentSummary checkpoint(long id) {
    return checkpoints.get(id);
  }

  /**
   * What the scan read of each segment it finished, by id (a segment's summary is added when the
   * scan leaves it).
   */
  public java.util.Map<Long, SegmentSummary> summaries() {
    return java.util.Collections.unmodifiableMap(summaries);
  }

  /**
   * The writer's preallocated space that ends the last segment ({@link UnwrittenSpace}), or {@code
   * null}. Final once {@link #next()} returned false.
   */
  public @Nullable Unwritten unwritten() {
    return unwritten;
  }

  /** The torn tail left out, or {@code null}. Final once {@link #next()} returned false. */
  public @Nullable TornTail tornTail() {
    return tornTail;
  }

  /**
   * The report of what was scanned so far; complete once {@link #next()} returned false.
   *
   * @param tailKeptIn where the torn tail's bytes are kept, or {@code null} for the segment file
   * @param leftoversRemoved files recovery deleted before scanning
   */
  public RecoveryReport report(@Nullable Path tailKeptIn, List<Path> leftoversRemoved) {
    List<DamageEvent> damage = new ArrayList<>(1);
    if (tornTail != null) {
      Path keptIn = tailKeptIn != null ? tailKeptIn : SegmentFiles.path(dir, tornTail.segment());
      damage.add(
          new DamageEvent(
              tornTail.segment(),
              tornTail.validEnd(),
              tornTail.fault().kind(),
              tornTail.end() - tornTail.validEnd(),
              keptIn));
    }
    return new RecoveryReport(
        filesScanned,
        recordsReplayed,
        tornTail == null ? 0 : 1,
        tornTail == null ? 0 : tornTail.end() - tornTail.validEnd(),
        0,
        0,
        lastTxidSeen,
        damage,
        leftoversRemoved);
  }

  @Override
  public void close() throws IOException {
    scanner = null;
    if (file != null) {
      FileHandle f = file;
      file = null;
      f.close();
    }
  }

  /** Opens the next segment to scan and returns its scanner, or {@code null} if none is left. */
  private @Nullable SegmentScanner openNextSegment() throws IOException {
    if (index + 1 >= spans.size()) {
      return null;
    }
    index++;
    Span span = spans.get(index);
    if (span.start() > 0 && span.start() == span.end()) {
      // Resumed at its end (recovery after a snapshot that covers it whole, the file checked to
      // be this long): nothing of it to read, so it is scanned without opening the file.
      filesScanned++;
      sizes.put(span.id(), span.end());
      startSegment(span);
      summaries.put(span.id(), summary(span.start()));
      return openNextSegment();
    }
    FileHandle file;
    try {
      file = io.openRead(SegmentFiles.path(dir, span.id()));
      this.file = file;
    } catch (NoSuchFileException e) {
      // Compaction emptied it or retention expired it after the scan began: nothing to read.
      return openNextSegment();
    }
    filesScanned++;
    long end = span.end() == Span.TO_END ? file.size() : span.end();
    sizes.put(span.id(), end);
    startSegment(span);
    SegmentScanner scanner =
        new SegmentScanner(file, span.start(), end, content, SegmentScanner.MAX_WINDOW);
    this.scanner = scanner;
    return scanner;
  }

  /** Starts the running summary of {@code span}'s segment (from its resumed counts, if any). */
  private void startSegment(Span span) {
    long[] resumed = resumedAt.get(span.id());
    segmentRecords = resumed == null ? 0 : resumed[0];
    segmentFirstTxid = resumed == null ? 0 : resumed[1];
    segmentLastTxid = resumed == null ? 0 : resumed[2];
    segmentDigest = resumed == null ? FrameDigest.EMPTY : resumed[3];
    segmentValidTo = validTo.get(span.id());
  }

  private void finishSegment(SegmentScanner scanner) throws IOException {
    FrameFault fault = scanner.fault();
    long segment = spans.get(index).id();
    summaries.put(segment, summary(scanner.position()));
    if (fault != null) {
      boolean last = index == spans.size() - 1;
      long at = scanner.position();
      if (!last || !tolerateTornTail || fault.kind() == CorruptionKind.UNSUPPORTED_VERSION) {
        throw corrupt(fault, segment, at, last ? "segment " : "sealed segment ", "");
      }
      FileHandle file = Objects.requireNonNull(this.file, "open with its scanner");
      if (UnwrittenSpace.isUnwritten(file, at, scanner.end())) {
        // The writer's preallocated zeros: the segment ends here, nothing was torn.
        requireKnownDurable(segment, at, fault);
        unwritten = new Unwritten(segment, at, scanner.end());
        sizes.put(segment, at);
        close();
        return;
      }
      mustBeTornTail(file, segment, at, fault, at, fault, scanner.end());
      requireKnownDurable(segment, at, fault);
      tornTail = new TornTail(segment, at, scanner.end(), fault);
    }
    close();
  }

  /**
   * Fails unless the damage {@code fault} at {@code damageAt} of the last segment, whose torn tail
   * would start at {@code tailAt} ({@code tailFault}: the damage itself, or the incomplete group
   * that holds it), is followed by nothing that must be kept ({@link TornTailCheck}).
   */
  private void mustBeTornTail(
      FileHandle file,
      long segment,
      long damageAt,
      FrameFault fault,
      long tailAt,
      FrameFault tailFault,
      long end)
      throws IOException {
    TornTailCheck.Follower later = TornTailCheck.findFollower(file, damageAt + 1, end);
    if (later != null && later.fault() != null) {
      throw corrupt(
          new FrameFault(
              CorruptionKind.UNSUPPORTED_VERSION,
              "a frame that must not be discarded follows damage at offset "
                  + damageAt
                  + " ("
                  + fault
                  + "), so that damage is mid-stream corruption, not a torn tail: "
                  + later.fault().detail(),
              0),
          segment,
          later.offset(),
          "segment ",
          "");
    }
    if (later != null) {
      throw corrupt(
          tailFault,
          segment,
          tailAt,
          "segment ",
          (tailAt == damageAt ? "" : " (at offset " + damageAt + ")")
              + "; a valid frame follows at offset "
              + later.offset()
              + ", so this is mid-stream corruption, not a torn tail");
    }
  }

  /**
   * Fails if the manifest knew segment {@code segment} durable past {@code at}, where its valid
   * frames end: that loss is damage to acknowledged records, whatever the bytes after {@code at}.
   */
  private void requireKnownDurable(long segment, long at, FrameFault fault) {
    ValidTo required = validTo.get(segment);
    if (required != null && at < required.offset()) {
      throw corrupt(
          fault,
          segment,
          at,
          "segment ",
          "; the first "
              + required.offset()
              + " bytes of this segment were known durable ("
              + required.why()
              + "), so this is damage to acknowledged records, not a torn tail");
    }
  }

  /** The current segment's summary, as if it ended at {@code validEnd}. */
  private SegmentSummary summary(long validEnd) {
    Span span = spans.get(index);
    return new SegmentSummary(
        span.id(),
        span.start(),
        span.start() == 0 || resumedAt.containsKey(span.id()),
        validEnd,
        segmentRecords,
        segmentFirstTxid,
        segmentLastTxid,
        segmentDigest);
  }

  private CorruptStoreException txidOrder(long txid, long offset) {
    long segment = currentSegment();
    String before =
        previousSegment < 0
            ? "the last txid of the part of the log before it ("
                + previousTxid
                + ", as recorded by the key-directory snapshot)"
            : "txid "
                + previousTxid
                + " of the record before it (segment "
                + previousSegment
                + ", offset "
                + previousOffset
                + ")";
    return CorruptionMessages.segment(
        CorruptionKind.TXID_ORDER,
        dir,
        segment,
        offset,
        "the record at offset "
            + offset
            + " has txid "
            + txid
            + ", not above "
            + before
            + ": txids only go up, so segments were swapped, copied under another id or moved, or"
            + " frames were edited");
  }

  private CorruptStoreException corrupt(
      FrameFault fault, long segment, long offset, String where, String suffix) {
    return CorruptionMessages.frame(
        fault, dir, segment, offset, where.startsWith("sealed"), suffix);
  }
}
