package dev.datawal.internal.log;

import dev.datawal.CorruptStoreException;
import dev.datawal.RecoveryReport;
import dev.datawal.internal.format.SegmentFacts;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentScanner;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What a writer does when it opens a store it has locked: find the longest valid prefix, keep and
 * cut a torn tail, and make the recovered state durable before anything new is appended. The rules
 * it applies are stated once, in {@code docs/format.md} ("Recovery: the longest valid prefix" and
 * "Store manifest").
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
   * @param manifest the store's shape as recovered (written to disk unless nothing changed, or the
   *     store opened read-only); its active record describes the whole valid prefix of the active
   *     segment, and its floor is the highest txid ever handed out as far as the store records
   * @param activeFirstTxid the txid of the active segment's first record, 0 if it has none
   * @param readOnlyReason why the store could only be opened for reading (no space left to keep a
   *     torn tail's evidence or to record the store's shape, a read-only file system), or {@code
   *     null}: the writer then refuses every change, as a poisoned one does
   */
  public record Result(
      SortedMap<Long, Long> sealed,
      ActiveSegment active,
      RecoveryReport report,
      long sealedLastTxid,
      StoreManifest manifest,
      long activeFirstTxid,
      @Nullable String readOnlyReason) {}

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
  public record Resume(SortedMap<Long, Long> sizes, long lastTxid, long keys, boolean durable) {
    /** The segment the scan resumes in: the last one covered. */
    long segment() {
      return sizes.lastKey();
    }

    /** Where in that segment the scan resumes: its covered size in bytes. */
    long offset() {
      return Objects.requireNonNull(sizes.get(segment()), "the last key has a size");
    }
  }

  /**
   * Offers a {@link Resume} once the segments are known, and takes it back if the scan refutes it.
   */
  public interface Resumer {
    /**
     * Where to resume, given the segment ids now in the store (ascending) and its manifest, which
     * the files have just been checked against (what that read of them is in {@code files}, which
     * the resumer reads them through too); or {@code null} to scan every segment. Whatever it
     * returns must cover only segments in {@code ids} that the manifest records, the last covered
     * one up to the length the manifest records for it, and no id below it may be missing.
     */
    @Nullable Resume resume(List<Long> ids, StoreManifest manifest, SegmentFacts files)
        throws IOException;

    /**
     * For a store without a manifest (written by the reference implementation or an older datawal):
     * checks what the offerer knows of the store's shape against the files (read through {@code
     * files}), and returns the highest txid it knows was handed out (0 if none). Recovery then
     * reads every segment.
     *
     * @throws dev.datawal.CorruptStoreException if the files lost what it knows was durable
     */
    long checkWithoutManifest(List<Long> ids, SegmentFacts files) throws IOException;

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

    /** Why it is unusable: the reason it was made with, never {@code null}. */
    @Override
    public String getMessage() {
      return Objects.requireNonNull(super.getMessage(), "made with a reason");
    }
  }

  /** The scan after a resume point contradicted it. */
  private static final class Refuted extends Exception {
    private static final long serialVersionUID = 1L;

    Refuted(String reason) {
      super(reason, null, false, false);
    }

    /** What contradicted it: the reason it was made with, never {@code null}. */
    @Override
    public String getMessage() {
      return Objects.requireNonNull(super.getMessage(), "made with a reason");
    }
  }

  /** {@link #recover(FileIo, Path, Visitor)} without a visitor. */
  public static Result recover(FileIo io, Path dir) throws IOException {
    return recover(io, dir, null, null);
  }

  /** {@link #recover(FileIo, Path, Visitor, Resumer)} scanning every segment. */
  public static Result recover(FileIo io, Path dir, @Nullable Visitor visitor) throws IOException {
    return recover(io, dir, visitor, null);
  }

  /**
   * Recovers the store in {@code dir}, whose lock the caller holds, showing each valid record to
   * {@code visitor} (if not null) in the same pass. Creates the first segment in a store without
   * segments. Checks the segments against the store's manifest ({@link ShapeCheck}) before and
   * after reading them. If {@code resumer} offers a resume point, only the log after it is read
   * (torn-tail handling applies to the last segment as always); if the visitor refutes it, the
   * resumer is told and every segment is read instead. Writes the manifest of what it recovered if
   * the store had none or changed since; if there is no space left for that (or to keep a torn
   * tail's evidence), the store is recovered read-only instead ({@link Result#readOnlyReason()}).
   *
   * @throws dev.datawal.CorruptStoreException on damage recovery must not discard, or a store that
   *     lost durable data; nothing on disk was changed then
   */
  public static Result recover(
      FileIo io, Path dir, @Nullable Visitor visitor, @Nullable Resumer resumer)
      throws IOException {
    try (SegmentFacts files = new SegmentFacts(io, dir)) {
      return recover(files, visitor, resumer);
    }
  }

  /**
   * Recovers, reading what the checks before the scan need of each segment once ({@code files}).
   */
  private static Result recover(
      SegmentFacts files, @Nullable Visitor visitor, @Nullable Resumer resumer) throws IOException {
    FileIo io = files.io();
    Path dir = files.dir();
    String readOnly = null;
    List<Path> leftovers = List.of();
    List<String> names = io.list(dir); // once: the leftovers deleted below are no segments
    try {
      leftovers = TornTailRepair.deleteLeftovers(io, dir, names);
    } catch (IOException e) {
      readOnly = readOnlyReason(e, "deleting what an interrupted write left");
    }
    List<Long> ids = files.list(names);
    StoreManifest manifest;
    try {
      manifest = StoreManifest.read(io, dir);
    } catch (StoreManifest.Unreadable e) {
      throw CorruptionMessages.manifest(dir, e.getMessage());
    }
    ShapeCheck shape = ShapeCheck.check(files, ids, manifest);
    long activeId = ids.isEmpty() ? 0 : ids.get(ids.size() - 1);
    if (manifest != null && manifest.active().id() > activeId) {
      activeId = manifest.active().id(); // empty, and its creation did not survive a crash
    }
    boolean created = false;
    if (activeId == 0 || !ids.contains(activeId)) {
      // Made durable with the directory sync below, before open returns.
      activeId = activeId == 0 ? SegmentFiles.nextId(0) : activeId;
      ActiveSegment.create(io, dir, activeId).close();
      ids = new ArrayList<>(ids);
      ids.add(activeId);
      created = true;
    }
    long knownFloor = manifest == null ? 0 : manifest.txidFloor();
    Resume resume = null;
    LogScanner scanner = null;
    if (resumer != null) {
      if (manifest == null) {
        knownFloor = resumer.checkWithoutManifest(ids, files);
      } else if (!created && shape.trusted()) {
        resume = resumer.resume(ids, manifest, files);
      }
      if (resume != null) {
        try {
          scanner = scan(files, ids, visitor, resume, shape);
        } catch (Refuted e) {
          resumer.abandon(e.getMessage());
          resume = null;
        }
      }
    }
    if (scanner == null) {
      try {
        scanner = scan(files, ids, visitor, null, shape);
      } catch (Refuted e) {
        throw new AssertionError("a full scan has nothing to refute", e);
      }
    }
    shape.checkScanned(
        scanner.summaries(), manifest == null ? null : scanner.checkpoint(manifest.active().id()));
    LogScanner.TornTail tail = scanner.tornTail();

    Path activePath = files.path(activeId);
    FileHandle handle = io.openWrite(activePath, false);
    try {
      Path evidence = null;
      long validEnd = handle.size();
      LogScanner.Unwritten unwritten = scanner.unwritten();
      if (unwritten != null) {
        // The last writer's preallocated zeros: cut off (no evidence: nothing was written there),
        // so the file is its data again, as a clean close leaves it. Forced with what follows.
        validEnd = unwritten.validEnd();
        if (readOnly == null) {
          try {
            handle.truncate(validEnd);
          } catch (IOException e) {
            readOnly = readOnlyReason(e, "cutting off the preallocated space");
          }
        }
      }
      if (tail != null) {
        validEnd = tail.validEnd();
        if (readOnly == null) {
          try {
            files.forget(activeId); // its length changes now
            evidence = TornTailRepair.preserveAndCut(io, dir, activePath, handle, validEnd);
          } catch (IOException e) {
            readOnly =
                readOnlyReason(
                    e,
                    "keeping the torn tail's "
                        + (handle.size() - validEnd)
                        + " bytes as evidence before cutting them off");
          }
        }
      }
      // What this process reads now must not vanish in a power cut: the previous writer may have
      // been killed before it forced its last appends or synced a new segment's name. Unless a
      // clean close forced all of it already, and nothing has been added or cut since.
      boolean durableAlready =
          resume != null
              && resume.durable()
              && tail == null
              && unwritten == null
              && leftovers.isEmpty()
              && resume.segment() == activeId
              && resume.offset() == validEnd;
      if (!durableAlready && readOnly == null) {
        try {
          handle.force();
          io.syncDirectory(dir);
        } catch (IOException e) {
          readOnly = created ? rethrow(e) : readOnlyReason(e, "forcing the recovered segments");
        }
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
      long activeFirstTxid = 0;
      if (validEnd > 0) {
        activeFirstTxid = files.firstTxid(activeId).orElseThrow();
        sealedLastTxid = activeFirstTxid - 1;
      }
      StoreManifest recovered =
          recoveredShape(files, ids, activeId, validEnd, scanner, shape, knownFloor);
      if (manifest != null && recovered.sameShape(manifest)) {
        recovered = manifest; // what is on disk says it all
      } else if (readOnly == null) {
        try {
          recovered.write(io, dir);
        } catch (IOException e) {
          readOnly =
              created
                  ? rethrow(e)
                  : readOnlyReason(e, "recording the store's shape in " + StoreManifest.FILE_NAME);
        }
      }
      return new Result(
          sealed,
          new ActiveSegment(activeId, activePath, handle, validEnd),
          resume == null ? report : report.withSnapshot(resume.keys()),
          sealedLastTxid,
          recovered,
          activeFirstTxid,
          readOnly);
    } catch (IOException | RuntimeException e) {
      handle.close();
      throw e;
    }
  }

  /**
   * The reason to open read-only if {@code e} says the disk is full or the file system read-only;
   * otherwise rethrows {@code e}: any other failure fails the open.
   */
  private static String readOnlyReason(IOException e, String doing) throws IOException {
    if (!Errors.isOutOfSpace(e) && !Errors.isReadOnlyFileSystem(e)) {
      throw e;
    }
    return doing + " failed (" + Errors.describe(e) + "); free space and reopen the store";
  }

  private static String rethrow(IOException e) throws IOException {
    throw e; // a store created by this open has nothing to read: it fails as it always did
  }

  /** The manifest of the store as recovered. */
  private static StoreManifest recoveredShape(
      SegmentFacts files,
      List<Long> ids,
      long activeId,
      long validEnd,
      LogScanner scanner,
      ShapeCheck shape,
      long knownFloor)
      throws IOException {
    long floor = Math.max(knownFloor, scanner.report(null, List.of()).lastTxidSeen());
    return StoreManifest.of(
        files, ids, activeId, validEnd, scanner.summaries(), shape.matched(), floor);
  }

  /**
   * Lets the summary of segment {@code id}, which the scan reads from {@code covered} on, count
   * from its first byte, so that the store's manifest gets its records and frame digest: from the
   * manifest's record when that ends exactly at {@code covered}, else by reading its first {@code
   * covered} bytes (only after a crash that left the manifest ahead of the snapshot).
   */
  private static void resumeSummary(
      SegmentFacts files, LogScanner scanner, long id, long covered, ShapeCheck shape)
      throws IOException {
    StoreManifest manifest =
        Objects.requireNonNull(shape.manifest(), "a resume point is offered with a manifest");
    StoreManifest.Shape recorded =
        manifest.active().id() == id ? manifest.active().shape() : shape.matched().get(id);
    if (recorded == null || (covered == recorded.length() && id != manifest.active().id())) {
      return; // a sealed segment covered whole: nothing of it is read
    }
    if (covered == recorded.length() && recorded.complete()) {
      long first = files.firstTxid(id).orElse(0);
      scanner.resumeSummary(id, recorded.records(), first, recorded.lastTxid(), recorded.digest());
      return;
    }
    try (LogScanner prefix =
        new LogScanner(
            files.io(),
            files.dir(),
            List.of(new LogScanner.Span(id, covered)),
            false,
            SegmentScanner.Content.NONE)) {
      while (prefix.next()) {
        // counting and checking only
      }
      LogScanner.SegmentSummary read = prefix.summaries().get(id);
      if (read != null) {
        scanner.resumeSummary(id, read.records(), read.firstTxid(), read.lastTxid(), read.digest());
      }
    }
  }

  /**
   * Reads the segments of {@code ids} after {@code resume} (every one if it is null), showing each
   * record to {@code visitor}.
   *
   * @throws Refuted if the visitor finds what the resume point loaded unusable
   */
  private static LogScanner scan(
      SegmentFacts files,
      List<Long> ids,
      @Nullable Visitor visitor,
      @Nullable Resume resume,
      ShapeCheck shape)
      throws IOException, Refuted {
    List<LogScanner.Span> spans = new ArrayList<>(ids.size());
    long resumeSegment = resume == null ? -1 : resume.segment();
    for (long id : ids) {
      if (resume != null && id == resumeSegment) {
        // Its size as checked (the lock is held): at a resume point at its end, nothing is read.
        spans.add(new LogScanner.Span(id, resume.offset(), files.size(id)));
      } else if (id > resumeSegment) {
        spans.add(new LogScanner.Span(id, LogScanner.Span.TO_END));
      }
    }
    SegmentScanner.Content content =
        visitor == null ? SegmentScanner.Content.NONE : SegmentScanner.Content.KEYS;
    LogScanner scanner = new LogScanner(files.io(), files.dir(), spans, true, content);
    shape.prepare(scanner);
    if (resume != null) {
      scanner.alreadySeen(resume.lastTxid());
      resumeSummary(files, scanner, resumeSegment, resume.offset(), shape);
    }
    try (scanner) {
      while (scanner.next()) {
        if (visitor != null) {
          try {
            visitor.visit(scanner.currentSegment(), scanner.current());
          } catch (Refutation e) {
            if (resume == null) {
              throw new IllegalStateException("a full scan has nothing to refute", e);
            }
            throw new Refuted(e.getMessage());
          }
        }
      }
    } catch (CorruptStoreException e) {
      throw shape.explain(e); // a swapped segment is named, not the one after it
    }
    return scanner;
  }
}
