package dev.datawal.benchmarks;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RecordRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Group commit: durable appends by 1, 4, 16 and 64 concurrent writers sharing one store, in total
 * appends per second (JMH sums the threads). Every operation returns only once its own record is
 * durable; with more writers each force covers more records, so throughput should grow with the
 * writer count while the latency of each call stays about one or two forces.
 *
 * <ul>
 *   <li>{@code append1}, {@code append4}, {@code append16}, {@code append64}: {@code
 *       RecordLog.append(payload)} with a 100-byte payload (a 128-byte frame) on one {@link
 *       RecordLog} opened with {@link FsyncPolicy#ALWAYS} and default 64 MiB segments, from that
 *       many threads ({@code @Threads} on each method).
 *   <li>{@code put16}: {@code DataWal.put(key, value)} from 16 threads on one {@link DataWal}
 *       opened with {@link FsyncPolicy#ALWAYS}: 16-byte keys (8 bytes of thread index, 8 bytes of a
 *       per-thread counter modulo 4096, so keys are overwritten and the key directory stays at most
 *       16 × 4096 keys), 100-byte values (a 144-byte frame). Adds the key directory update to the
 *       append.
 * </ul>
 *
 * <p>The store is created empty in {@code @Setup(Level.Iteration)} and deleted in
 * {@code @TearDown(Level.Iteration)}, under {@code -Ddatawal.bench.dir} (default the JVM's temp
 * dir). Payload and values are one deterministic array shared by every thread (the engine only
 * reads them). Compare with {@code DurableAppendBenchmark.fileChannelAppend}, the single-writer
 * floor of a growing file on the same disk: group commit should beat it from 4 writers on.
 *
 * <p>Run (the full suite, on a quiet machine):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar GroupCommitBenchmark -rf json -rff group-commit.json
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class GroupCommitBenchmark {
  static final int PAYLOAD_SIZE = 100;
  static final int KEYS_PER_THREAD = 4096;

  /** One log for every thread, opened with {@link FsyncPolicy#ALWAYS}, new for every iteration. */
  @State(Scope.Benchmark)
  public static class SharedLog {
    byte[] payload;
    Path base;
    RecordLog log;

    @Setup(Level.Trial)
    public void createBase() throws IOException {
      payload = BenchFiles.randomBytes(PAYLOAD_SIZE, BenchFiles.SEED);
      base = BenchFiles.newDir("datawal-group-commit");
    }

    @Setup(Level.Iteration)
    public void open() {
      log =
          RecordLog.open(
              base.resolve("log"),
              DatawalOptions.builder().fsyncPolicy(FsyncPolicy.ALWAYS).build());
    }

    @TearDown(Level.Iteration)
    public void closeAndDelete() throws IOException {
      if (log != null) {
        log.close();
        log = null;
      }
      BenchFiles.deleteRecursively(base.resolve("log"));
    }

    @TearDown(Level.Trial)
    public void deleteBase() throws IOException {
      closeAndDelete();
      BenchFiles.deleteRecursively(base);
    }
  }

  /** One key/value store for every thread, opened with {@link FsyncPolicy#ALWAYS}. */
  @State(Scope.Benchmark)
  public static class SharedStore {
    byte[] value;
    Path base;
    DataWal store;

    @Setup(Level.Trial)
    public void createBase() throws IOException {
      value = BenchFiles.randomBytes(PAYLOAD_SIZE, BenchFiles.SEED);
      base = BenchFiles.newDir("datawal-group-commit-kv");
    }

    @Setup(Level.Iteration)
    public void open() {
      store =
          DataWal.open(
              base.resolve("kv"), DatawalOptions.builder().fsyncPolicy(FsyncPolicy.ALWAYS).build());
    }

    @TearDown(Level.Iteration)
    public void closeAndDelete() throws IOException {
      if (store != null) {
        store.close();
        store = null;
      }
      BenchFiles.deleteRecursively(base.resolve("kv"));
    }

    @TearDown(Level.Trial)
    public void deleteBase() throws IOException {
      closeAndDelete();
      BenchFiles.deleteRecursively(base);
    }
  }

  /** A writer thread's keys: its index, then a counter. */
  @State(Scope.Thread)
  public static class ThreadKeys {
    long thread;
    long counter;

    @Setup(Level.Trial)
    public void init(ThreadParams params) {
      thread = params.getThreadIndex();
    }

    byte[] next() {
      long n = counter++ % KEYS_PER_THREAD;
      return ByteBuffer.allocate(16).putLong(thread).putLong(n).array();
    }
  }

  /** One writer. */
  @Benchmark
  @Threads(1)
  public RecordRef append1(SharedLog s) {
    return s.log.append(s.payload);
  }

  /** 4 writers. */
  @Benchmark
  @Threads(4)
  public RecordRef append4(SharedLog s) {
    return s.log.append(s.payload);
  }

  /** 16 writers. */
  @Benchmark
  @Threads(16)
  public RecordRef append16(SharedLog s) {
    return s.log.append(s.payload);
  }

  /** 64 writers. */
  @Benchmark
  @Threads(64)
  public RecordRef append64(SharedLog s) {
    return s.log.append(s.payload);
  }

  /** 16 writers of durable puts. */
  @Benchmark
  @Threads(16)
  public RecordRef put16(SharedStore s, ThreadKeys keys) {
    return s.store.put(keys.next(), s.value);
  }
}
