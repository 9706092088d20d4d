package dev.datawal.internal;

import dev.datawal.RecoveryReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a writer does when it opens a store it has locked: find the longest valid prefix, keep and
 * cut a torn tail, and make the recovered state durable before anything new is appended.
 */
public final class Recovery {

  /**
   * A recovered store, ready for appends.
   *
   * @param sealed the segments before the active one: id to size in bytes, ascending
   * @param active the last segment, open for appends at the end of its valid prefix
   * @param report what recovery found
   * @param sealedLastTxid a txid at least that of every record in the sealed segments and below
   *     that of every record in the active one
   */
  public record Result(
      SortedMap<Long, Long> sealed,
      ActiveSegment active,
      RecoveryReport report,
      long sealedLastTxid) {}

  /** Sees every valid record during recovery's single pass, in log order. */
  @FunctionalInterface
  public interface Visitor {
    /**
     * Called for each valid record; {@code frame} describes it (its key is present, its payload is
     * not). A record seen here can still be dropped if the open then fails, or seen again from the
     * first segment on if the scan refutes a resume point ({@link Resumer#abandon} is called first,
     * so the visitor can start over).
     */
    void visit(long segment, SegmentScanner frame);
  }

  private Recovery() {}

  /**
   * A known state of a prefix of the log, offered before the scan (a key-directory snapshot): the
   * covered segments and their sizes, already checked against the files by whoever offers it.
   *
   * @param sizes every covered segment, id to size in bytes; the last one is where the scan resumes
   * @param lastTxid the highest txid in the covered part; every record after it must be higher
   * @param keys how many live keys the offerer loaded (for the report)
   * @param durable whether every covered byte and every covered segment's name was known durable
   *     when the offer was made (a snapshot written by a clean close, after its final fsync): if it
   *     covers the whole log, the open has nothing new to make durable
   */
  public record Resume(SortedMap<Long, Long> sizes, long lastTxid, long keys, boolean durable) {}

  /**
   * Offers a {@link Resume} once the segments are known, and takes it back if the scan refutes it.
   */
  public interface Resumer {
    /**
     * Where to resume, given the segment ids now in the store (ascending), or {@code null} to scan
     * every segment. Whatever it returns must cover only segments in {@code ids}, each with its
     * current size or less for the last, and no id below the last covered one may be missing.
     */
    Resume resume(List<Long> ids) throws IOException;

    /**
     * The scan after the resume point contradicted it ({@code reason}): forget it, the recovery
     * starts over from the first segment.
     */
    void abandon(String reason);
  }

  /**
   * Thrown by a {@link Visitor} when what it loaded from the resume point turns out unusable (a
   * damaged key-directory snapshot): recovery then abandons the resume point, as for a txid that
   * contradicts it, and reads every segment.
   */
  public static final class Refutation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Refutation(String reason) {
      super(reason, null, false, false);
    }
  }

  /** The scan after a resume point contradicted it. */
  private static final class Refuted extends Exception {
    private static final long serialVersionUID = 1L;

    Refuted(String reason) {
      super(reason, null, false, false);
    }
  }

  /** {@link #recover(FileIo, Path, Visitor)} without a visitor. */
  public static Result recover(FileIo io, Path dir) throws IOException {
    return recover(io, dir, null, null);
  }

  /** {@link #recover(FileIo, Path, Visitor, Resumer)} scanning every segment. */
  public static Result recover(FileIo io, Path dir, Visitor visitor) throws IOException {
    return recover(io, dir, visitor, null);
  }

  /**
   * Recovers the store in {@code dir}, whose lock the caller holds, showing each valid record to
   * {@code visitor} (if not null) in the same pass. Creates {@code 00000001.dwal} in a store
   * without segments. If {@code resumer} offers a resume point, only the log after it is read
   * (torn-tail handling applies to the last segment as always); if that part contradicts it (a txid
   * not above the resume point's), the resumer is told and every segment is read instead.
   *
   * @throws dev.datawal.CorruptStoreException on damage recovery must not discard; nothing on disk
   *     was changed then
   */
  public static Result recover(FileIo io, Path dir, Visitor visitor, Resumer resumer)
      throws IOException {
    List<Path> leftovers = TornTailRepair.deleteLeftovers(io, dir);
    List<Long> ids = SegmentFiles.list(io, dir);
    if (ids.isEmpty()) {
      // Made durable with the directory sync below, before open returns.
      long first = SegmentFiles.nextId(0);
      ActiveSegment.create(io, dir, first).close();
      ids = List.of(first);
      resumer = null; // nothing to resume: a snapshot cannot cover a segment just created
    }
    Resume resume = resumer == null ? null : resumer.resume(ids);
    LogScanner scanner = null;
    if (resume != null) {
      try {
        scanner = scan(io, dir, ids, visitor, resume);
      } catch (Refuted e) {
        resumer.abandon(e.getMessage());
        resume = null;
      }
    }
    if (scanner == null) {
      try {
        scanner = scan(io, dir, ids, visitor, null);
      } catch (Refuted e) {
        throw new AssertionError("a full scan has nothing to refute", e);
      }
    }
    LogScanner.TornTail tail = scanner.tornTail();

    long activeId = ids.get(ids.size() - 1);
    Path activePath = SegmentFiles.path(dir, activeId);
    FileHandle handle = io.openWrite(activePath, false);
    try {
      Path evidence = null;
      long validEnd = handle.size();
      if (tail != null) {
        validEnd = tail.validEnd();
        evidence = TornTailRepair.preserveAndCut(io, dir, activePath, handle, validEnd);
      }
      // What this process reads now must not vanish in a power cut: the previous writer may have
      // been killed before it forced its last appends or synced a new segment's name. Unless a
      // clean close forced all of it already, and nothing has been added or cut since.
      boolean durableAlready =
          resume != null
              && resume.durable()
              && tail == null
              && leftovers.isEmpty()
              && resume.sizes().lastKey() == activeId
              && resume.sizes().get(activeId) == validEnd;
      if (!durableAlready) {
        handle.force();
        io.syncDirectory(dir);
      }
      SortedMap<Long, Long> sealed = new TreeMap<>();
      if (resume != null) {
        sealed.putAll(resume.sizes()); // the last one is overwritten below if it was scanned
      }
      sealed.putAll(scanner.sizes());
      sealed.remove(activeId);
      RecoveryReport report = scanner.report(evidence, leftovers);
      // Records in the active segment come after every sealed one: below its first txid.
      long sealedLastTxid = report.lastTxidSeen();
      if (validEnd > 0) {
        sealedLastTxid = SegmentFiles.firstTxid(io, activePath).orElseThrow() - 1;
      }
      return new Result(
          sealed,
          new ActiveSegment(activeId, activePath, handle, validEnd),
          resume == null ? report : report.withSnapshot(resume.keys()),
          sealedLastTxid);
    } catch (IOException | RuntimeException e) {
      handle.close();
      throw e;
    }
  }

  /**
   * Reads the segments of {@code ids} after {@code resume} (every one if it is null), showing each
   * record to {@code visitor}.
   *
   * @throws Refuted if a record after the resume point has a txid not above its last one
   */
  private static LogScanner scan(
      FileIo io, Path dir, List<Long> ids, Visitor visitor, Resume resume)
      throws IOException, Refuted {
    List<LogScanner.Span> spans = new ArrayList<>(ids.size());
    long resumeSegment = resume == null ? -1 : resume.sizes().lastKey();
    for (long id : ids) {
      if (id == resumeSegment) {
        spans.add(new LogScanner.Span(id, resume.sizes().get(id), LogScanner.Span.TO_END));
      } else if (id > resumeSegment) {
        spans.add(new LogScanner.Span(id, LogScanner.Span.TO_END));
      }
    }
    long after = resume == null ? 0 : resume.lastTxid();
    SegmentScanner.Content content =
        visitor == null ? SegmentScanner.Content.NONE : SegmentScanner.Content.KEYS;
    LogScanner scanner = new LogScanner(io, dir, spans, true, content);
    scanner.alreadySeen(after);
    try (scanner) {
      while (scanner.next()) {
        SegmentScanner frame = scanner.current();
        if (resume != null && frame.txid() <= after) {
          throw new Refuted(
              "segment "
                  + scanner.currentSegment()
                  + " holds txid "
                  + frame.txid()
                  + " at offset "
                  + frame.frameOffset()
                  + ", not above the snapshot's last txid "
                  + after);
        }
        if (visitor != null) {
          try {
            visitor.visit(scanner.currentSegment(), frame);
          } catch (Refutation e) {
            if (resume == null) {
              throw new IllegalStateException("a full scan has nothing to refute", e);
            }
            throw new Refuted(e.getMessage());
          }
        }
      }
    }
    return scanner;
  }
}
