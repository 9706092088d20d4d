package dev.datawal;

import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentScanner;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.log.CorruptionMessages;
import dev.datawal.internal.log.LogScanner;
import dev.datawal.internal.log.ScanIterator;
import dev.datawal.internal.log.ShapeCheck;
import dev.datawal.internal.log.StoreManifest;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A read-only view of a store: takes no lock, never creates or changes anything, and works while a
 * writer has the store open (in this process or another).
 *
 * <p>The segment ids are fixed when the reader is opened; each scan reads every one of those
 * segments up to its size at the moment the scan reaches it, so it sees frames a live writer
 * appended after the reader was opened. A frame the writer is still writing looks like a torn tail
 * and is left out, as is any torn tail: the reader reports it but leaves the bytes in place.
 *
 * <p>Thread-safe: each scan is independent.
 */
public final class RecordLogReader {
  /** How often a shape check is made while a live writer changes the manifest under it. */
  private static final int SHAPE_CHECK_ATTEMPTS = 5;

  private final FileIo io;
  private final Path dir;
  private final List<Long> segments;

  private RecordLogReader(FileIo io, Path dir, List<Long> segments) {
    this.io = io;
    this.dir = dir;
    this.segments = List.copyOf(segments);
  }

  /**
   * Opens a read-only view of the store in {@code dir}.
   *
   * @param dir the store directory
   * @return the reader, fixed to the segments there now
   * @throws DatawalException if {@code dir} does not exist, is not a directory, or cannot be listed
   */
  public static RecordLogReader open(Path dir) {
    return open(dir, FileIo.system());
  }

  static RecordLogReader open(Path dir, FileIo io) {
    Objects.requireNonNull(dir, "dir");
    try {
      SegmentFiles.requireStoreDirectory(io, dir);
      return new RecordLogReader(io, dir, SegmentFiles.list(io, dir));
    } catch (IOException e) {
      throw Errors.readFailed(dir, e);
    }
  }

  /**
   * {@return the ids of the segments this reader reads, ascending; the last is the writer's tail}
   */
  public List<Long> segments() {
    return segments;
  }

  /**
   * {@return the sizes of this reader's segments now, id to bytes} A segment deleted since the
   * reader was opened (by retention or compaction) is listed with size 0.
   *
   * @throws DatawalException if a segment's size cannot be read
   */
  public SortedMap<Long, Long> segmentSizes() {
    TreeMap<Long, Long> sizes = new TreeMap<>();
    for (long id : segments) {
      try (FileHandle segment = io.openRead(SegmentFiles.path(dir, id))) {
        sizes.put(id, segment.size());
      } catch (NoSuchFileException e) {
        sizes.put(id, 0L);
      } catch (IOException e) {
        throw Errors.readFailed(dir, e);
      }
    }
    return Collections.unmodifiableSortedMap(sizes);
  }

  /** {@return the store directory} */
  public Path dir() {
    return dir;
  }

  /**
   * A lazy scan of every valid record, in log order, with bounded memory. Damage in a sealed
   * segment, mid-stream or of an unsupported version throws {@link CorruptStoreException} from the
   * iterator; a torn tail ends the scan and is in its {@link RecordIterator#report()}.
   *
   * @return the scan, not started yet; close it when stopping early
   */
  public RecordIterator scanIter() {
    checkShape();
    return new ScanIterator(io, dir, spans(), true);
  }

  /**
   * {@return every valid record, in log order} All of them are held in memory: prefer {@link
   * #scanIter()} for large stores.
   */
  public List<Record> scan() {
    List<Record> records = new ArrayList<>();
    try (RecordIterator it = scanIter()) {
      it.forEachRemaining(records::add);
    }
    return records;
  }

  /**
   * What a writer's recovery would find now, without changing anything: scans every frame,
   * validating CRCs, and returns the report.
   *
   * @return what the scan found; a torn tail is reported and left in place
   * @throws CorruptStoreException on damage recovery would refuse
   */
  public RecoveryReport report() {
    ShapeCheck shape = checkShape();
    try (LogScanner scanner = new LogScanner(io, dir, spans(), true, SegmentScanner.Content.NONE)) {
      shape.prepare(scanner);
      try {
        while (scanner.next()) {
          // validating only
        }
      } catch (CorruptStoreException e) {
        throw shape.explain(e); // a swapped segment is named, not the one after it
      }
      StoreManifest manifest = shape.manifest();
      shape.checkScanned(
          scanner.summaries(),
          manifest == null ? null : scanner.checkpoint(manifest.active().id()));
      return scanner.report(null, List.of());
    } catch (IOException e) {
      throw Errors.readFailed(dir, e);
    }
  }

  /**
   * Checks the store's segment files against its manifest, as a writer's open does. A live writer
   * may change both meanwhile (a seal, a compaction swap); a check that fails while the manifest
   * changed under it is made again.
   *
   * @throws CorruptStoreException if the store lost or changed what its manifest records
   */
  private ShapeCheck checkShape() {
    try {
      for (int attempt = 1; ; attempt++) {
        StoreManifest before = readManifest();
        try {
          return ShapeCheck.check(io, dir, SegmentFiles.list(io, dir), before);
        } catch (CorruptStoreException | IOException e) {
          if (attempt >= SHAPE_CHECK_ATTEMPTS || Objects.equals(before, readManifest())) {
            throw e;
          }
        }
      }
    } catch (IOException e) {
      throw Errors.readFailed(dir, e);
    }
  }

  private @Nullable StoreManifest readManifest() throws IOException {
    try {
      return StoreManifest.read(io, dir);
    } catch (StoreManifest.Unreadable e) {
      throw CorruptionMessages.manifest(dir, e.getMessage());
    }
  }

  private List<LogScanner.Span> spans() {
    List<LogScanner.Span> spans = new ArrayList<>(segments.size());
    for (long id : segments) {
      spans.add(new LogScanner.Span(id, LogScanner.Span.TO_END));
    }
    return spans;
  }
}
