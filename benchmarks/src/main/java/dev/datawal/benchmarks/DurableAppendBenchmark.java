package dev.datawal.benchmarks;

import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RecordRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
 * Durable appends of 100-byte payloads by one writer, in appends per second: each operation returns
 * only once its record is on stable storage. All four competitors write to the same disk (under
 * {@code -Ddatawal.bench.dir}, default the JVM's temp dir), one 128-byte frame per record (a DWAL
 * v1 Raw frame: 24-byte header + 100-byte payload + 4-byte CRC), the same deterministic payload
 * every time:
 *
 * <ul>
 *   <li>{@link #datawalAlways}: {@code RecordLog.append(payload)} on a log opened with {@link
 *       FsyncPolicy#ALWAYS} (the default), default 64 MiB segments. The append returns after the
 *       engine's {@code FileChannel.force(false)} (fdatasync) covering it, plus a directory fsync
 *       when a segment was created since the last one.
 *   <li>{@link #datawalManualFsync}: {@code append(payload)} then {@code fsync()} on a log opened
 *       with {@link FsyncPolicy#MANUAL}, default 64 MiB segments: the reference's way to make each
 *       record durable.
 *   <li>{@link #fileChannelAppend} (baseline a): a plain {@link FileChannel} loop writing the same
 *       128-byte frame (a direct buffer, one positional write) at the end of the file, then {@code
 *       force(false)}. The file grows, so each fdatasync also commits the new file size (a metadata
 *       journal commit on ext4/xfs), as the engine's appends do. At 64 MiB it rolls over to a new
 *       file, like a segment, and the next force also fsyncs the directory.
 *   <li>{@link #fileChannelPreallocated} (baseline b): the floor of durable appends without any
 *       metadata change. A file of {@code preallocMiB} MiB (default 64) is written with zeros and
 *       forced once per trial, outside the measurement; each record then overwrites the next 128
 *       bytes and calls {@code force(false)}, which flushes data only. When the file is full the
 *       loop wraps to its start: the file is recycled, as preallocating WALs do; its blocks are
 *       still allocated and written, so this costs what a fresh preallocated file would.
 * </ul>
 *
 * <p>The two datawal logs and baseline (a) start every iteration from a new, empty store or file,
 * made in {@code @Setup(Level.Iteration)} and deleted in {@code @TearDown(Level.Iteration)}, so no
 * file grows past one iteration's appends (a few MiB at disk speeds); baseline (b)'s one file is
 * made per trial and stays at its size. Everything is deleted at trial teardown. Expect all four to
 * be bound by the device's flush latency; the interesting ratios are {@code datawalAlways /
 * fileChannelAppend} (engine overhead on the same I/O pattern) and {@code fileChannelAppend /
 * fileChannelPreallocated} (what a growing file costs).
 *
 * <p>Run (the full suite, on a quiet machine):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar DurableAppendBenchmark -rf json -rff durable-append.json
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 5)
@Fork(1)
@Threads(1)
public class DurableAppendBenchmark {
  static final int PAYLOAD_SIZE = 100;
  static final int FRAME_SIZE = PAYLOAD_SIZE + BenchFiles.FRAME_OVERHEAD;
  static final long SEGMENT_SIZE = DatawalOptions.DEFAULT_MAX_SEGMENT_SIZE;

  /** A log with the given policy, new for every iteration. */
  abstract static class LogState {
    byte[] payload;
    Path base;
    Path dir;
    RecordLog log;

    abstract FsyncPolicy policy();

    @Setup(Level.Trial)
    public void createBase() throws IOException {
      payload = BenchFiles.randomBytes(PAYLOAD_SIZE, BenchFiles.SEED);
      base = BenchFiles.newDir("datawal-durable-append");
    }

    @Setup(Level.Iteration)
    public void openLog() throws IOException {
      dir = base.resolve("store");
      log = RecordLog.open(dir, DatawalOptions.builder().fsyncPolicy(policy()).build());
    }

    @TearDown(Level.Iteration)
    public void closeLog() throws IOException {
      if (log != null) {
        log.close();
        log = null;
      }
      BenchFiles.deleteRecursively(dir);
    }

    @TearDown(Level.Trial)
    public void deleteBase() throws IOException {
      closeLog();
      BenchFiles.deleteRecursively(base);
    }
  }

  /** A log opened with {@link FsyncPolicy#ALWAYS}. */
  @State(Scope.Benchmark)
  public static class AlwaysLog extends LogState {
    @Override
    FsyncPolicy policy() {
      return FsyncPolicy.ALWAYS;
    }
  }

  /** A log opened with {@link FsyncPolicy#MANUAL}. */
  @State(Scope.Benchmark)
  public static class ManualLog extends LogState {
    @Override
    FsyncPolicy policy() {
      return FsyncPolicy.MANUAL;
    }
  }

  /** Baseline (a): a growing file, rolled over at the segment size. */
  @State(Scope.Benchmark)
  public static class AppendFile {
    ByteBuffer frame;
    Path dir;
    FileChannel channel;
    long position;
    int fileNo;
    boolean directoryChanged;

    @Setup(Level.Trial)
    public void createDir() throws IOException {
      frame = directFrame();
      dir = BenchFiles.newDir("datawal-durable-append-file");
    }

    @Setup(Level.Iteration)
    public void openFile() throws IOException {
      fileNo = 0;
      nextFile();
      BenchFiles.syncDirectory(dir); // the first file is durable before measuring, as a log's is
      directoryChanged = false;
    }

    void nextFile() throws IOException {
      if (channel != null) {
        channel.force(false); // seal the full file, as the engine does
        channel.close();
      }
      fileNo++;
      channel =
          FileChannel.open(
              dir.resolve("file-" + fileNo),
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE);
      position = 0;
      directoryChanged = true;
    }

    @TearDown(Level.Iteration)
    public void deleteFiles() throws IOException {
      if (channel != null) {
        channel.close();
        channel = null;
      }
      for (int i = 1; i <= fileNo; i++) {
        BenchFiles.deleteRecursively(dir.resolve("file-" + i));
      }
    }

    @TearDown(Level.Trial)
    public void deleteDir() throws IOException {
      deleteFiles();
      BenchFiles.deleteRecursively(dir);
    }
  }

  /** Baseline (b): a file written with zeros once, overwritten in place. */
  @State(Scope.Benchmark)
  public static class PreallocatedFile {
    /** Size of the preallocated file in MiB. */
    @Param({"64"})
    public int preallocMiB;

    ByteBuffer frame;
    Path dir;
    FileChannel channel;
    long size;
    long position;

    @Setup(Level.Trial)
    public void preallocate() throws IOException {
      frame = directFrame();
      dir = BenchFiles.newDir("datawal-durable-append-prealloc");
      Path file = dir.resolve("preallocated");
      size = (long) preallocMiB << 20;
      BenchFiles.writeZeros(file, size);
      channel = FileChannel.open(file, StandardOpenOption.WRITE);
      position = 0;
    }

    @TearDown(Level.Trial)
    public void deleteFile() throws IOException {
      if (channel != null) {
        channel.close();
        channel = null;
      }
      BenchFiles.deleteRecursively(dir);
    }
  }

  static ByteBuffer directFrame() {
    ByteBuffer frame = ByteBuffer.allocateDirect(FRAME_SIZE);
    frame.put(BenchFiles.randomBytes(FRAME_SIZE, BenchFiles.SEED)).flip();
    return frame;
  }

  /** {@code append} under {@link FsyncPolicy#ALWAYS}: durable when it returns. */
  @Benchmark
  public RecordRef datawalAlways(AlwaysLog s) {
    return s.log.append(s.payload);
  }

  /** {@code append} then {@code fsync()} under {@link FsyncPolicy#MANUAL}. */
  @Benchmark
  public RecordRef datawalManualFsync(ManualLog s) {
    RecordRef ref = s.log.append(s.payload);
    s.log.fsync();
    return ref;
  }

  /** Baseline (a): write 128 bytes at the end of a growing file, then {@code force(false)}. */
  @Benchmark
  public long fileChannelAppend(AppendFile s) throws IOException {
    if (s.position + FRAME_SIZE > SEGMENT_SIZE) {
      s.nextFile();
    }
    s.position += BenchFiles.writeFully(s.channel, s.frame.clear(), s.position);
    s.channel.force(false);
    if (s.directoryChanged) {
      BenchFiles.syncDirectory(s.dir);
      s.directoryChanged = false;
    }
    return s.position;
  }

  /**
   * Baseline (b): overwrite the next 128 bytes of a preallocated file, then {@code force(false)}.
   */
  @Benchmark
  public long fileChannelPreallocated(PreallocatedFile s) throws IOException {
    if (s.position + FRAME_SIZE > s.size) {
      s.position = 0;
    }
    s.position += BenchFiles.writeFully(s.channel, s.frame.clear(), s.position);
    s.channel.force(false);
    return s.position;
  }
}
