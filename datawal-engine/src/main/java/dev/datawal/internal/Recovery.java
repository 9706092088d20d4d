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
   */
  public record Result(SortedMap<Long, Long> sealed, ActiveSegment active, RecoveryReport report) {}

  /** Sees every valid record during recovery's single pass, in log order. */
  @FunctionalInterface
  public interface Visitor {
    /**
     * Called for each valid record; {@code frame} describes it (its key is present, its payload is
     * not). A record seen here can still be dropped if the open then fails.
     */
    void visit(long segment, SegmentScanner frame);
  }

  private Recovery() {}

  /** {@link #recover(FileIo, Path, Visitor)} without a visitor. */
  public static Result recover(FileIo io, Path dir) throws IOException {
    return recover(io, dir, null);
  }

  /**
   * Recovers the store in {@code dir}, whose lock the caller holds, showing each valid record to
   * {@code visitor} (if not null) in the same pass. Creates {@code 00000001.dwal} in a store
   * without segments.
   *
   * @throws dev.datawal.CorruptStoreException on damage recovery must not discard; nothing on disk
   *     was changed then
   */
  public static Result recover(FileIo io, Path dir, Visitor visitor) throws IOException {
    List<Path> leftovers = TornTailRepair.deleteLeftovers(io, dir);
    List<Long> ids = SegmentFiles.list(io, dir);
    if (ids.isEmpty()) {
      // Made durable with the directory sync below, before open returns.
      long first = SegmentFiles.nextId(0);
      ActiveSegment.create(io, dir, first).close();
      ids = List.of(first);
    }
    List<LogScanner.Span> spans = new ArrayList<>(ids.size());
    for (long id : ids) {
      spans.add(new LogScanner.Span(id, LogScanner.Span.TO_END));
    }
    SegmentScanner.Content content =
        visitor == null ? SegmentScanner.Content.NONE : SegmentScanner.Content.KEYS;
    LogScanner scanner = new LogScanner(io, dir, spans, true, content);
    try (scanner) {
      while (scanner.next()) {
        if (visitor != null) {
          visitor.visit(scanner.currentSegment(), scanner.current());
        }
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
      // been killed before it forced its last appends or synced a new segment's name.
      handle.force();
      io.syncDirectory(dir);
      SortedMap<Long, Long> sealed = new TreeMap<>(scanner.sizes());
      sealed.remove(activeId);
      return new Result(
          sealed,
          new ActiveSegment(activeId, activePath, handle, validEnd),
          scanner.report(evidence, leftovers));
    } catch (IOException | RuntimeException e) {
      handle.close();
      throw e;
    }
  }
}
