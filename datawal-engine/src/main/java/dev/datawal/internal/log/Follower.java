package dev.datawal.internal.log;

import dev.datawal.LogFollower;
import dev.datawal.Record;
import dev.datawal.internal.format.FrameFault;
import dev.datawal.internal.format.FrameFormat;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentScanner;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * {@link LogFollower} over a live log: reads frames below the written or durable watermark, and
 * sleeps on {@link Watermarks} when it has caught up. Record groups' markers are skipped; a group
 * is never half below a mark, since the writer moves its marks past a group once all of it is
 * written.
 */
public final class Follower implements LogFollower {
  private static final int WINDOW = 64 * 1024;

  private final FileIo io;
  private final Path dir;
  private final LogWriter writer;
  private final Watermarks marks;
  private final boolean durableOnly;
  private long nextTxid;
  private long markerRead; // the txid of a group marker just read, 0 once a record follows it
  private long markerBeforeLast;

  private long segment = -1;
  private long offset;
  private @Nullable FileHandle file; // of segment; null before the first read, after a failed open
  private @Nullable SegmentScanner scanner;
  private boolean closed;

  /**
   * @param fromTxid the first txid to return (records before it are skipped)
   * @param durableOnly whether to stop at the durable watermark rather than the written one
   */
  public Follower(
      FileIo io, Path dir, LogWriter writer, Watermarks marks, long fromTxid, boolean durableOnly) {
    this.io = io;
    this.dir = dir;
    this.writer = writer;
    this.marks = marks;
    this.nextTxid = Math.max(1, fromTxid);
    this.durableOnly = durableOnly;
  }

  @Override
  public @Nullable Record poll(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (closed || marks.closed()) {
        throw new IllegalStateException("datawal: follower of " + dir + " is closed");
      }
      Position mark = durableOnly ? marks.durable() : marks.written();
      Record r;
      try {
        r = readBelow(mark);
      } catch (IOException e) {
        throw Errors.readFailed(dir, e);
      }
      if (r != null) {
        long marker = markerRead;
        markerRead = 0;
        if (r.txid() >= nextTxid) {
          nextTxid = r.txid() + 1;
          markerBeforeLast = marker;
          return r;
        }
        continue; // before the txid asked for
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      marks.awaitBeyond(mark, durableOnly, left, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public long nextTxid() {
    return nextTxid;
  }

  @Override
  public long markerBeforeLast() {
    return markerBeforeLast;
  }

  @Override
  public void close() {
    closed = true;
    closeFile();
  }

  /** The next record that ends at or before {@code mark}, or {@code null} if there is none. */
  private @Nullable Record readBelow(Position mark) throws IOException {
    if (mark.txid() == 0) {
      return null; // an empty log
    }
    FileHandle file = this.file;
    if (file == null) {
      // The first read, or the one after a read whose change of segment failed to open the file:
      // find the segment again from the txid asked for.
      file = startAt(firstSegmentFor(nextTxid));
    }
    while (true) {
      long limit = segment < mark.segment() ? file.size() : mark.offset();
      if (segment > mark.segment() || offset >= limit) {
        if (segment >= mark.segment()) {
          return null;
        }
        file = startAt(nextSegmentAfter(segment));
        continue;
      }
      SegmentScanner scanner = this.scanner;
      if (scanner == null) {
        scanner = new SegmentScanner(file, offset, limit, SegmentScanner.Content.ALL, WINDOW);
        this.scanner = scanner;
      }
      scanner.extendTo(limit);
      if (!scanner.next()) {
        FrameFault fault = scanner.fault();
        if (fault == null) {
          // The file ends at a frame boundary below the mark: it was cut, as a cut inside a frame
          // would say.
          fault = FrameFault.truncated(FrameFormat.HEADER_SIZE, 0);
        }
        throw CorruptionMessages.frame(
            fault,
            dir,
            segment,
            scanner.position(),
            false,
            " (below the log's " + (durableOnly ? "durable" : "written") + " end)");
      }
      offset = scanner.position();
      if (scanner.groupMarker() != null) {
        // Framing of a record group, not a record. The writer moves its marks past a group only
        // once all of it is written, so the members below the mark are whole.
        markerRead = scanner.txid();
        continue;
      }
      return new Record(
          scanner.type(),
          scanner.txid(),
          Objects.requireNonNull(scanner.key(), "read with Content.ALL"),
          Objects.requireNonNull(scanner.payload(), "read with Content.ALL"),
          segment,
          scanner.frameOffset(),
          scanner.frameLength());
    }
  }

  /**
   * The segment holding {@code txid}: the last one whose first record's txid is not above it (found
   * by reading one header per segment, newest first), or the first segment.
   */
  private long firstSegmentFor(long txid) throws IOException {
    List<LogScanner.Span> spans = writer.spans();
    ByteBuffer header = ByteBuffer.allocate(FrameFormat.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = spans.size() - 1; i > 0; i--) {
      long id = spans.get(i).id();
      try (FileHandle h = io.openRead(SegmentFiles.path(dir, id))) {
        header.clear();
        while (header.hasRemaining() && h.read(header, header.position()) >= 0) {
          // read the first header, or as much of it as there is
        }
        if (!header.hasRemaining()
            && FrameFormat.checkHeader(header, 0, h.size()) == null
            && FrameFormat.txid(header, 0) <= txid) {
          return id;
        }
      }
    }
    return spans.get(0).id();
  }

  private long nextSegmentAfter(long id) {
    for (LogScanner.Span span : writer.spans()) {
      if (span.id() > id) {
        return span.id();
      }
    }
    throw new IllegalStateException("datawal: no segment after " + id + " in " + dir);
  }

  /** Moves to the start of segment {@code id} and returns its open file. */
  private FileHandle startAt(long id) throws IOException {
    closeFile();
    segment = id;
    offset = 0;
    try {
      FileHandle opened = io.openRead(SegmentFiles.path(dir, id));
      file = opened;
      return opened;
    } catch (NoSuchFileException e) {
      // Deleted by compaction or retention since it was listed: follow on from the next one.
      return startAt(nextSegmentAfter(id));
    }
  }

  private void closeFile() {
    scanner = null;
    if (file != null) {
      try {
        file.close();
      } catch (IOException ignored) {
        // a read handle: nothing was written, nothing is lost
      }
      file = null;
    }
  }
}
