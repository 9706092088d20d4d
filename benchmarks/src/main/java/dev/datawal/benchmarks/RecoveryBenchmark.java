package dev.datawal.benchmarks;

import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RecordLogReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reopening a large log against simply reading its files. Recovery must validate every frame's CRC,
 * so reading the bytes is its floor: the goal is a reopen close to {@link #readSegmentFiles}.
 *
 * <p>The store (default 1 GiB, 64 MiB segments) is written once per trial under {@code
 * -Ddatawal.bench.dir} (default: the JVM's temp dir). With {@code -p cache=cold} every invocation
 * starts with the page cache dropped (root only); the default {@code warm} reads from memory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class RecoveryBenchmark {
  private static final int READ_BUFFER = 1 << 20;

  /** Payload bytes per record: small records cost more CPU per byte. */
  @Param({"100", "1024"})
  public int payloadSize;

  /** Size of the log in MiB. */
  @Param({"1024"})
  public int logMiB;

  /** {@code warm} or {@code cold} (drops the page cache before each invocation; needs root). */
  @Param({"warm"})
  public String cache;

  private Path dir;

  @Setup(Level.Trial)
  public void writeLog() throws IOException {
    dir = BenchFiles.newDir("datawal-recovery-bench");
    long target = (long) logMiB << 20;
    byte[] payload = BenchFiles.randomBytes(payloadSize, BenchFiles.SEED);
    // MANUAL: written as fast as possible; close() makes it durable once.
    try (RecordLog log =
        RecordLog.open(dir, DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build())) {
      long written = 0;
      while (written < target) {
        written += log.append(payload).length();
      }
    }
  }

  @Setup(Level.Invocation)
  public void dropCaches() throws IOException, InterruptedException {
    if (cache.equals("cold")) {
      BenchFiles.dropPageCache();
    }
  }

  @TearDown(Level.Trial)
  public void deleteLog() throws IOException {
    BenchFiles.deleteRecursively(dir);
  }

  /** The floor: every segment's bytes read once, sequentially, into a 1 MiB buffer. */
  @Benchmark
  public long readSegmentFiles() throws IOException {
    return BenchFiles.readAllSegments(dir);
  }

  /**
   * The floor for any recovery of this format: read every byte as above and compute the CRC-32C of
   * every frame (whose size is known here), without parsing anything.
   */
  @Benchmark
  public long readAndChecksumFrames() throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(READ_BUFFER);
    int frame = 28 + payloadSize;
    CRC32C crc = new CRC32C();
    long total = 0;
    for (Path segment : BenchFiles.segments(dir)) {
      try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
        long pos = 0;
        while (ch.read(buf.clear(), pos) > 0) {
          buf.flip();
          int whole = buf.limit() / frame * frame;
          for (int at = 0; at < whole; at += frame) {
            crc.reset();
            crc.update(buf.array(), at, frame - 4);
            total += crc.getValue();
          }
          pos += Math.max(whole, 1);
        }
      }
    }
    return total;
  }

  /** A writer's open: lock, validate every frame, force the tail, release. */
  @Benchmark
  public long reopen() {
    try (RecordLog log = RecordLog.open(dir)) {
      return log.recoveryReport().recordsReplayed();
    }
  }

  /** The read-only reader's report: what recovery would find, without lock or writes. */
  @Benchmark
  public long readerReport() {
    return RecordLogReader.open(dir).report().recordsReplayed();
  }
}
