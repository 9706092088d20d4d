package dev.datawal.internal;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.DamageEvent;
import dev.datawal.Record;
import dev.datawal.RecoveryReport;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a store's segments in ascending id order and applies the recovery rules of format v1: the
 * result is the longest valid prefix of the log.
 *
 * <ul>
 *   <li>A segment that is not the last must be valid to its end; any damage is a hard error.
 *   <li>In the last segment, damage is a tolerated torn tail (reported, never returned) when
 *       tolerated at all, when it is not an unsupported version, and when no CRC-valid frame or
 *       frame of an unsupported version starts after it ({@link TornTailCheck}); otherwise it is a
 *       hard error. Which version fields are damage and which are unsupported is {@link
 *       FrameFormat}'s rule.
 * </ul>
 *
 * Hard errors are thrown as {@link CorruptStoreException} naming file, segment, offset and kind.
 * Segment files are opened one at a time and read with bounded memory ({@link SegmentScanner}).
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

  private final FileIo io;
  private final Path dir;
  private final List<Span> spans;
  private final boolean tolerateTornTail;
  private final SegmentScanner.Content content;

  private int index = -1;
  private FileHandle file;
  private SegmentScanner scanner;

  private final java.util.Map<Long, Long> sizes = new java.util.TreeMap<>();
  private int filesScanned;
  private long recordsReplayed;
  private long lastTxidSeen;
  private TornTail tornTail;

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
  }

  /**
   * Moves to the next valid record.
   *
   * @return {@code false} when the valid prefix is exhausted
   * @throws CorruptStoreException on damage that is not a tolerated torn tail
   */
  public boolean next() throws IOException {
    while (true) {
      if (scanner == null && !openNextSegment()) {
        return false;
      }
      if (scanner.next()) {
        recordsReplayed++;
        lastTxidSeen = Math.max(lastTxidSeen, scanner.txid());
        return true;
      }
      finishSegment();
    }
  }

  /** The current record, with the content asked for ({@code null} arrays for what was not). */
  public Record record() {
    return new Record(
        scanner.type(),
        scanner.txid(),
        scanner.key(),
        scanner.payload(),
        spans.get(index).id(),
        scanner.frameOffset(),
        scanner.frameLength());
  }

  /** The current record's segment, frame offset and so on, without copying. */
  public SegmentScanner current() {
    return scanner;
  }

  /** The id of the segment being scanned. */
  public long currentSegment() {
    return spans.get(index).id();
  }

  /** The size of every segment opened so far (the range scanned), by id. */
  public java.util.Map<Long, Long> sizes() {
    return java.util.Collections.unmodifiableMap(sizes);
  }

  /** The torn tail left out, or {@code null}. Final once {@link #next()} returned false. */
  public TornTail tornTail() {
    return tornTail;
  }

  /**
   * The report of what was scanned so far; complete once {@link #next()} returned false.
   *
   * @param tailKeptIn where the torn tail's bytes are kept, or {@code null} for the segment file
   * @param leftoversRemoved files recovery deleted before scanning
   */
  public RecoveryReport report(Path tailKeptIn, List<Path> leftoversRemoved) {
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

  private boolean openNextSegment() throws IOException {
    if (index + 1 >= spans.size()) {
      return false;
    }
    index++;
    Span span = spans.get(index);
    try {
      file = io.openRead(SegmentFiles.path(dir, span.id()));
    } catch (NoSuchFileException e) {
      // Compaction emptied it or retention expired it after the scan began: nothing to read.
      return openNextSegment();
    }
    filesScanned++;
    long end = span.end() == Span.TO_END ? file.size() : span.end();
    sizes.put(span.id(), end);
    scanner = new SegmentScanner(file, span.start(), end, content, SegmentScanner.MAX_WINDOW);
    return true;
  }

  private void finishSegment() throws IOException {
    FrameFault fault = scanner.fault();
    if (fault != null) {
      boolean last = index == spans.size() - 1;
      long segment = spans.get(index).id();
      long at = scanner.position();
      if (!last || !tolerateTornTail || fault.kind() == CorruptionKind.UNSUPPORTED_VERSION) {
        throw corrupt(fault, segment, at, last ? "segment " : "sealed segment ", "");
      }
      TornTailCheck.Follower later = TornTailCheck.findFollower(file, at + 1, scanner.end());
      if (later != null && later.fault() != null) {
        throw corrupt(
            new FrameFault(
                CorruptionKind.UNSUPPORTED_VERSION,
                "a frame that must not be discarded follows damage at offset "
                    + at
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
            fault,
            segment,
            at,
            "segment ",
            "; a valid frame follows at offset "
                + later.offset()
                + ", so this is mid-stream corruption, not a torn tail");
      }
      tornTail = new TornTail(segment, at, scanner.end(), fault);
    }
    close();
  }

  private CorruptStoreException corrupt(
      FrameFault fault, long segment, long offset, String where, String suffix) {
    Path path = SegmentFiles.path(dir, segment);
    return new CorruptStoreException(
        fault.kind(),
        path,
        segment,
        offset,
        "datawal: "
            + fault.kindPhrase()
            + " in "
            + where
            + segment
            + " at offset "
            + offset
            + " ("
            + path
            + "): "
            + fault.detail()
            + suffix);
  }
}
