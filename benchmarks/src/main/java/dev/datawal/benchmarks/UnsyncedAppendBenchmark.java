package dev.datawal.benchmarks;

import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RecordRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appends without fsync (the page cache absorbs them), one writer, in appends per second, for
 * payloads of 64 B, 1 KiB and 64 KiB ({@code payloadSize}). The same deterministic payload every
 * time.
 *
 * <ul>
 *   <li>{@link #datawalAppend}: {@code RecordLog.append(payload)} on a log opened with {@link
 *       FsyncPolicy#MANUAL} and default 64 MiB segments, never calling {@code fsync()}. Note: when
 *       a segment fills, the engine seals it with a force before starting the next (a sealed
 *       segment must never have an unsynced tail), so every 64 MiB of appends pays one fdatasync of
 *       the segment's dirty pages; that is part of what is measured.
 *   <li>{@link #fileChannelWrite} (baseline): a plain {@link FileChannel} loop, one positional
 *       {@code write} per record of the same frame size ({@code payloadSize + 28} bytes, from one
 *       direct buffer, so no JDK copy) at the end of a file, never forced. It rolls over to a new
 *       file every 64 MiB, as the engine does, but without a force.
 * </ul>
 *
 * <p>Disk use is bounded: every iteration starts from a new, empty store (or directory) made in
 * {@code @Setup(Level.Iteration)}, deleted with its dirty pages in
 * {@code @TearDown(Level.Iteration)} (the engine's {@code close()} first forces at most one
 * segment); iterations are 1 s by default; and within an iteration, once more than 1 GiB of 64 MiB
 * files exists, each competitor deletes its oldest full file whenever it starts a new one (the
 * engine does not use sealed segments for appending, and nothing here scans), so at most about 1
 * GiB is ever on disk or dirty in the page cache. Keep {@code -r} short: longer iterations measure
 * the disk's writeback rather than the append path. Files go under {@code -Ddatawal.bench.dir}
 * (default the JVM's temp dir).
 *
 * <p>Run (the full suite, on a quiet machine):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar UnsyncedAppendBenchmark -rf json -rff unsynced-append.json
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
@Threads(1)
public class UnsyncedAppendBenchmark {
  static final long SEGMENT_SIZE = DatawalOptions.DEFAULT_MAX_SEGMENT_SIZE;

  /** Beyond this many bytes of full files, the oldest is deleted at each rollover. */
  static final long MAX_LIVE_BYTES = 1L << 30;

  /** Shared by both states: the payload size. */
  @State(Scope.Benchmark)
  public static class Payload {
    /** Payload bytes per record; the frame adds 28. */
    @Param({"64", "1024", "65536"})
    public int payloadSize;
  }

  /** A log opened with {@link FsyncPolicy#MANUAL}, new for every iteration. */
  @State(Scope.Benchmark)
  public static class ManualLog {
    byte[] payload;
    Path base;
    Path dir;
    RecordLog log;
    long activeSegment;
    long oldestSegment;

    @Setup(Level.Trial)
    public void createBase(Payload p) throws IOException {
      payload = BenchFiles.randomBytes(p.payloadSize, BenchFiles.SEED);
      base = BenchFiles.newDir("datawal-unsynced-append");
      dir = base.resolve("log");
    }

    @Setup(Level.Iteration)
    public void open() {
      log = RecordLog.open(dir, DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build());
      activeSegment = log.activeSegment();
      oldestSegment = activeSegment;
    }

    /** Called when an append went to a new segment: bounds the bytes on disk. */
    void rolledOver(long segment) throws IOException {
      activeSegment = segment;
      while ((activeSegment - oldestSegment) * SEGMENT_SIZE > MAX_LIVE_BYTES) {
        Files.deleteIfExists(BenchFiles.segmentPath(dir, oldestSegment++));
      }
    }

    @TearDown(Level.Iteration)
    public void closeAndDelete() throws IOException {
      if (log != null) {
        log.close();
        log = null;
      }
      BenchFiles.deleteRecursively(dir);
    }

    @TearDown(Level.Trial)
    public void deleteBase() throws IOException {
      closeAndDelete();
      BenchFiles.deleteRecursively(base);
    }
  }

  /** The baseline's files, new for every iteration. */
  @State(Scope.Benchmark)
  public static class PlainFiles {
    ByteBuffer frame;
    Path base;
    Path dir;
    FileChannel channel;
    long position;
    int fileNo;
    int oldestFile;

    @Setup(Level.Trial)
    public void createBase(Payload p) throws IOException {
      int frameSize = p.payloadSize + BenchFiles.FRAME_OVERHEAD;
      frame = ByteBuffer.allocateDirect(frameSize);
      frame.put(BenchFiles.randomBytes(frameSize, BenchFiles.SEED)).flip();
      base = BenchFiles.newDir("datawal-unsynced-append-file");
      dir = base.resolve("files");
    }

    @Setup(Level.Iteration)
    public void open() throws IOException {
      Files.createDirectories(dir);
      fileNo = 0;
      oldestFile = 1;
      nextFile();
    }

    void nextFile() throws IOException {
      if (channel != null) {
        channel.close();
      }
      fileNo++;
      channel =
          FileChannel.open(
              dir.resolve("file-" + fileNo),
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE);
      position = 0;
      while ((long) (fileNo - oldestFile) * SEGMENT_SIZE > MAX_LIVE_BYTES) {
        Files.deleteIfExists(dir.resolve("file-" + oldestFile++));
      }
    }

    @TearDown(Level.Iteration)
    public void closeAndDelete() throws IOException {
      if (channel != null) {
        channel.close();
        channel = null;
      }
      BenchFiles.deleteRecursively(dir);
    }

    @TearDown(Level.Trial)
    public void deleteBase() throws IOException {
      closeAndDelete();
      BenchFiles.deleteRecursively(base);
    }
  }

  /** {@code append} under {@link FsyncPolicy#MANUAL}, never synced. */
  @Benchmark
  public RecordRef datawalAppend(ManualLog s) throws IOException {
    RecordRef ref = s.log.append(s.payload);
    if (ref.segment() != s.activeSegment) {
      s.rolledOver(ref.segment());
    }
    return ref;
  }

  /** Baseline: one write of the frame at the end of the file, never forced. */
  @Benchmark
  public long fileChannelWrite(PlainFiles s) throws IOException {
    int frameSize = s.frame.capacity();
    if (s.position + frameSize > SEGMENT_SIZE && s.position > 0) {
      s.nextFile();
    }
    s.position += BenchFiles.writeFully(s.channel, s.frame.clear(), s.position);
    return s.position;
  }
}
