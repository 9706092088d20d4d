package dev.datawal.internal.log;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.internal.format.SegmentFacts;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentTail;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Compares a store's segment files with its manifest ({@link StoreManifest}), so that a store that
 * lost durable data never opens as if it had not: a missing, shorter, emptied, changed, reordered
 * or extra segment is a {@link CorruptStoreException} that names the segment and what is gone.
 *
 * <p>Two steps. {@link #check} runs before recovery reads any frame and looks only at names, sizes
 * and each segment's last 4 KiB ({@link SegmentTail}): a missing, shorter, longer or extra segment
 * fails at once. A segment of the right length whose last bytes differ is only suspect: the scan,
 * which must then read every segment ({@link #trusted()} is false), reports a damaged frame in it
 * with the usual precision (offset, kind, mid-stream or not); if all its frames are valid, {@link
 * #checkScanned} reports it as changed. {@link #checkScanned} also compares what the scan read of
 * each segment (records, txids, frame digest) with the manifest, which catches frames edited with a
 * fixed CRC anywhere in a segment that was read.
 *
 * <p>A store without a manifest (written by the reference implementation or an older datawal)
 * passes with nothing to compare but the segment ids; it gets a manifest at its first open.
 */
public final class ShapeCheck {
  private final FileIo io;
  private final Path dir;
  private final SegmentFacts files; // what run() reads of the files
  private final @Nullable StoreManifest manifest;
  private final List<Long> ids;
  private final SortedMap<Long, StoreManifest.Shape> matched = new TreeMap<>();
  private final SortedMap<Long, String> suspects = new TreeMap<>();
  private final @Nullable List<CorruptStoreException> problems; // null: throw the first
  private boolean changed;

  private ShapeCheck(
      SegmentFacts files,
      @Nullable StoreManifest manifest,
      List<Long> ids,
      @Nullable List<CorruptStoreException> problems) {
    this.io = files.io();
    this.dir = files.dir();
    this.files = files;
    this.manifest = manifest;
    this.ids = ids;
    this.problems = problems;
  }

  /**
   * Every problem {@link #check} would fail on (not only the first), for a repair to act on;
   * segments that are only suspect are in {@link #suspects()}.
   */
  public static ShapeCheck survey(
      FileIo io, Path dir, List<Long> ids, @Nullable StoreManifest manifest) throws IOException {
    try (SegmentFacts files = new SegmentFacts(io, dir)) {
      ShapeCheck check = new ShapeCheck(files, manifest, ids, new java.util.ArrayList<>());
      check.run();
      return check;
    }
  }

  /** What {@link #survey} found, in segment order. */
  public List<CorruptStoreException> problems() {
    return problems == null ? List.of() : List.copyOf(problems);
  }

  /**
   * Segments of the recorded length whose last bytes differ from the record, by id, with what
   * differs: a damaged frame or other frames, which only reading them tells.
   */
  public SortedMap<Long, String> suspects() {
    return suspects;
  }

  /** Fails with {@code e}, or notes it when surveying. */
  private void fail(CorruptStoreException e) {
    if (problems == null) {
      throw e;
    }
    problems.add(e);
  }

  /**
   * Checks the segments {@code ids} (ascending, as listed) of the store in {@code dir} against
   * {@code manifest} (null: none).
   *
   * @throws CorruptStoreException naming the first segment that is not what the manifest records,
   *     or damage the manifest recorded while the store was open
   */
  public static ShapeCheck check(
      FileIo io, Path dir, List<Long> ids, @Nullable StoreManifest manifest) throws IOException {
    try (SegmentFacts files = new SegmentFacts(io, dir)) {
      return check(files, ids, manifest);
    }
  }

  /**
   * As {@link #check(FileIo, Path, List, StoreManifest)}, reading the files' sizes and tails
   * through {@code files}, which keeps them for the rest of the open.
   */
  public static ShapeCheck check(
      SegmentFacts files, List<Long> ids, @Nullable StoreManifest manifest) throws IOException {
    ShapeCheck check = new ShapeCheck(files, manifest, ids, null);
    check.run();
    return check;
  }

  private void run() throws IOException {
    if (!ids.isEmpty() && ids.get(ids.size() - 1) == SegmentFiles.MAX_ID) {
      fail(
          CorruptionMessages.segment(
              CorruptionKind.SEGMENT_UNEXPECTED,
              dir,
              SegmentFiles.MAX_ID,
              0,
              "the last segment has the largest id eight digits can name, so no segment can follow it"
                  + " and the store could not rotate; if the file does not belong to this store, move"
                  + " it out"));
    }
    if (manifest != null) {
      checkRecordedDamage(manifest);
      checkSealed(manifest);
      checkActive(manifest);
      checkNewSegments(manifest);
    }
  }

  /**
   * Whether the files are as the manifest records, as far as names, sizes and tails tell: only then
   * may an open skip reading what a key-directory snapshot covers.
   */
  public boolean trusted() {
    return manifest != null && suspects.isEmpty();
  }

  /** The manifest checked against, or {@code null} if the store has none. */
  public @Nullable StoreManifest manifest() {
    return manifest;
  }

  /**
   * The shape each sealed segment's file matched (the recorded one, or the replacement of a rewrite
   * in progress), by id; segments the manifest does not record (new ones) are not in it.
   */
  public SortedMap<Long, StoreManifest.Shape> matched() {
    return matched;
  }

  /**
   * Whether the files differ from the manifest in a way that is expected (a rewrite or deletion in
   * progress that took effect, or segments added after it), so the manifest should be rewritten.
   */
  public boolean changed() {
    return changed;
  }

  /**
   * Tells {@code scanner} which prefix of the active segment must be valid (the part the manifest
   * records durable) and where its digest starts if the scan resumes inside it.
   */
  public void prepare(LogScanner scanner) {
    if (manifest != null && manifest.active().shape().length() > 0) {
      scanner.requireValidTo(
          manifest.active().id(),
          manifest.active().shape().length(),
          manifest.clean()
              ? "written by the last clean close"
              : "recorded in " + StoreManifest.FILE_NAME);
    }
  }

  /**
   * Compares what the scan read of each segment from its first byte with the manifest's record.
   *
   * @param summaries what the scan read, by segment id
   * @param activeAt what it read of the active segment up to the manifest's recorded length, or
   *     {@code null} if it did not read that part
   * @throws CorruptStoreException naming the first segment whose frames differ
   */
  public void checkScanned(
      Map<Long, LogScanner.SegmentSummary> summaries, LogScanner.@Nullable SegmentSummary activeAt)
      throws IOException {
    if (manifest == null) {
      return;
    }
    if (!suspects.isEmpty()) {
      // Read whole without a damaged frame (the scan would have thrown): other frames.
      throw changedSuspect(manifest, suspects.firstKey());
    }
    for (Map.Entry<Long, StoreManifest.Shape> e : matched.entrySet()) {
      LogScanner.SegmentSummary read = summaries.get(e.getKey());
      if (read != null && read.complete() && e.getValue().complete()) {
        compare(e.getKey(), read, e.getValue(), "");
      }
    }
    StoreManifest.Shape active = manifest.active().shape();
    LogScanner.SegmentSummary whole = summaries.get(manifest.active().id());
    if (active.length() == 0
        || whole == null
        || whole.start() >= active.length()
        || !active.complete()) {
      return; // nothing recorded, or that part was not read (a resume at or after its end)
    }
    if (activeAt == null) {
      throw CorruptionMessages.segment(
          CorruptionKind.SEGMENT_CHANGED,
          dir,
          manifest.active().id(),
          active.length(),
          "no frame ends at offset "
              + active.length()
              + ", where "
              + StoreManifest.FILE_NAME
              + " records the end of the durable part: frames before it were replaced");
    }
    compare(
        manifest.active().id(), activeAt, active, " in its first " + active.length() + " bytes");
  }

  /**
   * The report of a scan that failed on txids going backwards ({@link CorruptionKind#TXID_ORDER})
   * after a suspect segment: that segment was replaced by another one of the same length (segments
   * swapped, or one copied over another), so it is the one named, as changed, with what it holds,
   * and the scan's failure is kept as suppressed. Any other failure is returned as it is.
   */
  public CorruptStoreException explain(CorruptStoreException scanFailure) throws IOException {
    if (manifest == null
        || scanFailure.kind() != CorruptionKind.TXID_ORDER
        || suspects.isEmpty()
        || suspects.firstKey() > scanFailure.segment()) {
      return scanFailure;
    }
    CorruptStoreException changed = changedSuspect(manifest, suspects.firstKey());
    changed.addSuppressed(scanFailure);
    return changed;
  }

  private CorruptStoreException changedSuspect(StoreManifest manifest, long id) throws IOException {
    long length = id == manifest.active().id() ? manifest.active().shape().length() : size(id);
    return CorruptionMessages.segment(
        CorruptionKind.SEGMENT_CHANGED,
        dir,
        id,
        Math.max(0, length - SegmentTail.BYTES),
        suspects.get(id)
            + " are whole, valid frames but not the ones "
            + StoreManifest.FILE_NAME
            + " records"
            + holdsAnother(manifest, id, length, SegmentTail.crc(io, dir, id, length))
            + ": frames were edited and given a fixed CRC, or the file replaced");
  }

  private void compare(
      long id, LogScanner.SegmentSummary read, StoreManifest.Shape recorded, String part) {
    boolean txidsDiffer =
        read.records() != recorded.records()
            || (read.records() > 0
                && (read.firstTxid() != recorded.firstTxid() && recorded.firstTxid() != 0
                    || read.lastTxid() != recorded.lastTxid()));
    if (txidsDiffer || read.digest() != recorded.digest()) {
      throw CorruptionMessages.segment(
          CorruptionKind.SEGMENT_CHANGED,
          dir,
          id,
          0,
          "its frames"
              + part
              + " are valid but not the ones "
              + StoreManifest.FILE_NAME
              + " records: it holds "
              + describe(read.records(), read.firstTxid(), read.lastTxid())
              + ", the manifest records "
              + describe(recorded.records(), recorded.firstTxid(), recorded.lastTxid())
              + (txidsDiffer ? "" : " with other contents (the frame digest differs)")
              + ": frames were edited and given a fixed CRC, or replaced");
    }
  }

  private void checkRecordedDamage(StoreManifest manifest) {
    if (manifest.damage().isEmpty()) {
      return;
    }
    StoreManifest.Damage d = manifest.damage().get(0);
    fail(
        CorruptionMessages.segment(
            d.kind(),
            dir,
            d.segment(),
            d.offset(),
            "found while the store was open (by a verification of its segments or a read) and recorded"
                + " in "
                + StoreManifest.FILE_NAME
                + (manifest.damage().size() > 1
                    ? ", with " + (manifest.damage().size() - 1) + " more damaged place(s)"
                    : "")
                + "; `datawal verify` shows it, `datawal repair --yes` quarantines it and accepts the"
                + " loss"));
  }

  private void checkSealed(StoreManifest manifest) throws IOException {
    long activeId = manifest.active().id();
    for (StoreManifest.Sealed entry : manifest.sealed().values()) {
      long id = entry.id();
      if (!ids.contains(id)) {
        if (entry.mayBeAbsent()) {
          changed = true; // a deletion in progress took effect
          continue;
        }
        fail(
            CorruptionMessages.segment(
                CorruptionKind.SEGMENT_MISSING,
                dir,
                id,
                0,
                "the segment is gone: "
                    + StoreManifest.FILE_NAME
                    + " records it with "
                    + describe(entry.shape())
                    + "; those records are lost from the log"));
        continue;
      }
      long size = files.size(id);
      int tail = files.tailCrc(id, size);
      StoreManifest.Shape shape = entry.matching(size, tail);
      if (shape != null) {
        matched.put(id, shape);
        changed |= shape != entry.shape() || entry.mayBeAbsent();
        continue;
      }
      if (size == entry.shape().length()
          || (entry.replacement() != null && size == entry.replacement().length())) {
        // The right length, other last bytes: the scan says where, or that the frames differ.
        suspects.put(id, "its last " + Math.min(size, SegmentTail.BYTES) + " bytes");
        matched.put(id, size == entry.shape().length() ? entry.shape() : entry.replacement());
        continue;
      }
      fail(mismatch(manifest, id, size, tail, entry.shape()));
    }
    for (long id : ids) {
      if (id < activeId && !manifest.sealed().containsKey(id)) {
        long size = files.size(id);
        fail(
            CorruptionMessages.segment(
                CorruptionKind.SEGMENT_UNEXPECTED,
                dir,
                id,
                0,
                "the segment is not in "
                    + StoreManifest.FILE_NAME
                    + " (which records "
                    + manifest.sealed().keySet()
                    + " before the active segment "
                    + activeId
                    + "): a segment that compaction or retention deleted, copied or moved back into"
                    + " its place"
                    + holdsAnother(manifest, id, size, files.tailCrc(id, size))
                    + "; it is not read, so nothing of it can come back"));
      }
    }
  }

  private void checkActive(StoreManifest manifest) throws IOException {
    long id = manifest.active().id();
    StoreManifest.Shape recorded = manifest.active().shape();
    if (!ids.contains(id)) {
      boolean nothingRecorded = recorded.length() == 0;
      boolean nothingAfter = ids.isEmpty() || ids.get(ids.size() - 1) < id;
      if (nothingRecorded && nothingAfter) {
        return; // an empty active segment whose creation did not survive: recovery creates it
      }
      fail(
          CorruptionMessages.segment(
              CorruptionKind.SEGMENT_MISSING,
              dir,
              id,
              0,
              "the segment that was active is gone: "
                  + StoreManifest.FILE_NAME
                  + " records its first "
                  + describe(recorded)
                  + " as durable"));
      return;
    }
    long size = files.size(id);
    if (size < recorded.length()) {
      fail(shorter(id, size, recorded, "as durable", ""));
      return;
    }
    if (recorded.length() > 0 && files.tailCrc(id, recorded.length()) != recorded.tailCrc()) {
      suspects.put(id, "the last bytes before offset " + recorded.length());
    }
  }

  private void checkNewSegments(StoreManifest manifest) {
    long expected = manifest.active().id() + 1;
    for (long id : ids) {
      if (id <= manifest.active().id()) {
        continue;
      }
      if (id != expected) {
        fail(
            CorruptionMessages.segment(
                CorruptionKind.SEGMENT_UNEXPECTED,
                dir,
                id,
                0,
                "segment ids jump from "
                    + (expected - 1)
                    + " to "
                    + id
                    + ": segments are created one after another, so either segments "
                    + expected
                    + " to "
                    + (id - 1)
                    + " are missing or this file does not belong to the store; it is not read"));
        continue;
      }
      changed = true; // created after the manifest was written (or by another writer)
      expected++;
    }
  }

  /** The error for sealed segment {@code id} that matches no shape of its entry. */
  private CorruptStoreException mismatch(
      StoreManifest manifest, long id, long size, int tail, StoreManifest.Shape recorded) {
    if (size < recorded.length()) {
      return shorter(id, size, recorded, "", holdsAnother(manifest, id, size, tail));
    }
    if (size > recorded.length()) {
      return CorruptionMessages.segment(
          CorruptionKind.SEGMENT_CHANGED,
          dir,
          id,
          recorded.length(),
          "the sealed segment has "
              + size
              + " bytes, but "
              + StoreManifest.FILE_NAME
              + " records "
              + recorded.length()
              + " (sealed segments never grow)"
              + holdsAnother(manifest, id, size, tail));
    }
    throw new IllegalStateException("segment " + id + " has its recorded length");
  }

  private CorruptStoreException shorter(
      long id, long size, StoreManifest.Shape recorded, String how, String holds) {
    return CorruptionMessages.segment(
        CorruptionKind.SEGMENT_SHORTER,
        dir,
        id,
        size,
        (size == 0 ? "the segment is empty" : "the segment has " + size + " bytes")
            + ", but "
            + StoreManifest.FILE_NAME
            + " records "
            + describe(recorded)
            + (how.isEmpty() ? "" : " " + how)
            + ": "
            + (recorded.length() - size)
            + " bytes at its end are gone"
            + (recorded.lastTxid() > 0 ? ", up to the record with txid " + recorded.lastTxid() : "")
            + holds);
  }

  /** ", and it holds what the manifest records for segment N" when it does, else "". */
  private String holdsAnother(StoreManifest manifest, long id, long size, int tail) {
    for (StoreManifest.Sealed other : manifest.sealed().values()) {
      if (other.id() != id && other.matching(size, tail) != null) {
        return "; it holds what " + StoreManifest.FILE_NAME + " records for segment " + other.id();
      }
    }
    return "";
  }

  /** The size of segment {@code id}'s file now (after the scan: not what {@link #run} saw). */
  private long size(long id) throws IOException {
    try (FileHandle file = io.openRead(SegmentFiles.path(dir, id))) {
      return file.size();
    }
  }

  /** "51200 bytes with 400 records, txids 1601 to 2000" or as much of it as is known. */
  static String describe(StoreManifest.Shape s) {
    return s.length()
        + " bytes"
        + (s.complete() ? " with " + describe(s.records(), s.firstTxid(), s.lastTxid()) : "");
  }

  private static String describe(long records, long first, long last) {
    if (records == 0) {
      return "no records";
    }
    return records
        + (records == 1 ? " record" : " records")
        + (first > 0 ? ", txids " + first + " to " + last : ", up to txid " + last);
  }
}
