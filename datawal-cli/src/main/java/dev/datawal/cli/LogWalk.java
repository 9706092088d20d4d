package dev.datawal.cli;

import dev.datawal.DatawalException;
import dev.datawal.RecordLogReader;
import dev.datawal.tools.SegmentWalker;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The valid prefix of a store's log, record by record, as a writer's recovery defines it: segments
 * in id order, ending at the first damage. That damage is either a torn tail (tolerated) or
 * corruption that makes recovery refuse the store ({@link #corrupt()}).
 *
 * <p>Takes no lock and changes nothing: segments are those the {@link RecordLogReader} listed when
 * it opened, each read up to its size when the walk reached it. With {@code keepOpen}, every
 * segment file stays open until {@link #close()}, and {@link #read} reads frames again through the
 * same open file: offsets found by the walk stay valid even if a live writer's compaction replaces
 * a segment file meanwhile.
 *
 * <p>Not thread-safe.
 */
final class LogWalk implements AutoCloseable {
  private final RecordLogReader reader;
  private final List<Long> segments;
  private final long lastSegment;
  private final boolean payloads;
  private final boolean keepOpen;
  private final Map<Long, SegmentWalker> open = new LinkedHashMap<>();
  private int index = -1;
  private @Nullable SegmentWalker current;
  private SegmentWalker.@Nullable Damage end;
  private boolean finished;
  private long frames;
  private Progress.@Nullable Segments progress;

  /**
   * @param reader the store
   * @param fromSegment the first segment to walk (earlier ones are not read)
   * @param payloads whether frames carry payloads
   * @param keepOpen whether to keep segment files open for {@link #read}
   */
  LogWalk(RecordLogReader reader, long fromSegment, boolean payloads, boolean keepOpen) {
    this.reader = reader;
    List<Long> all = reader.segments();
    this.lastSegment = all.isEmpty() ? -1 : all.get(all.size() - 1);
    List<Long> from = new ArrayList<>();
    for (long id : all) {
      if (id >= fromSegment) {
        from.add(id);
      }
    }
    this.segments = from;
    this.payloads = payloads;
    this.keepOpen = keepOpen;
  }

  /** Shows how far the walk has got on {@code progress} as it goes; returns this walk. */
  LogWalk reporting(Progress.Segments progress) {
    this.progress = progress;
    return this;
  }

  /**
   * The next valid record, or {@code null} where the valid prefix ends. The markers of record
   * groups are skipped, as the engine's readers skip them; an incomplete group ends the walk as
   * damage at its marker (see {@link SegmentWalker}).
   */
  SegmentWalker.@Nullable Frame next() {
    while (!finished) {
      SegmentWalker walker = current != null ? current : openNext();
      if (walker == null) {
        finished = true;
        break;
      }
      SegmentWalker.Item item = walker.next();
      if (item instanceof SegmentWalker.Frame frame) {
        if (progress != null) {
          progress.at(frame.segment(), frame.end());
        }
        if (frame.isGroupMarker()) {
          continue; // framing of a record group whose records follow whole, as the log reads it
        }
        frames++;
        return frame;
      }
      if (item instanceof SegmentWalker.Damage damage) {
        end = damage;
        finished = true;
        break;
      }
      doneWith(walker);
    }
    return null;
  }

  /** The damage that ended the walk, or {@code null} if it ran to the end of the log (so far). */
  SegmentWalker.@Nullable Damage end() {
    return end;
  }

  /** Whether the walk ended at damage that makes recovery refuse the store. */
  boolean corrupt() {
    return end != null && !end.tornTail(end.segment() == lastSegment);
  }

  /** Whether the walk ended at a torn tail. */
  boolean tornTail() {
    return end != null && end.tornTail(end.segment() == lastSegment);
  }

  /** The damage that ended the walk, as the CLI shows it; {@code null} if none. */
  @Nullable DamageView endView() {
    return end == null
        ? null
        : DamageView.of(
            end,
            reader.dir().resolve(SegmentFileNames.name(end.segment())),
            end.segment() == lastSegment);
  }

  /** How many valid records the walk returned (group markers are not records). */
  long frames() {
    return frames;
  }

  /**
   * The frame at {@code offset} of {@code segment}, read again whole and checked; the walk must
   * have been opened with {@code keepOpen} and have reached that segment.
   *
   * @throws dev.datawal.CorruptStoreException if no valid frame is there now
   */
  SegmentWalker.Frame read(long segment, long offset) {
    SegmentWalker walker = open.get(segment);
    if (walker == null) {
      throw new IllegalStateException("segment " + segment + " is not open");
    }
    return walker.read(offset);
  }

  @Override
  public void close() {
    DatawalException failure = null;
    for (SegmentWalker walker : open.values()) {
      try {
        walker.close();
      } catch (DatawalException e) {
        failure = failure == null ? e : failure;
      }
    }
    open.clear();
    if (current != null && !keepOpen) {
      current.close();
    }
    current = null;
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Opens the next segment that still exists and makes it {@link #current}; null if none is left.
   */
  private @Nullable SegmentWalker openNext() {
    while (++index < segments.size()) {
      long id = segments.get(index);
      SegmentWalker walker;
      try {
        walker = SegmentWalker.open(reader.dir(), id, payloads);
      } catch (DatawalException e) {
        if (e.getCause() instanceof NoSuchFileException) {
          continue; // a live writer's retention or compaction deleted it since the listing
        }
        throw e;
      }
      current = walker;
      if (keepOpen) {
        open.put(id, walker);
      }
      return walker;
    }
    return null;
  }

  /**
   * Done with {@code walker}, the current segment's: the next call of {@link #next} opens the next.
   */
  private void doneWith(SegmentWalker walker) {
    if (!keepOpen) {
      walker.close();
    }
    current = null;
  }
}
