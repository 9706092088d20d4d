package dev.datawal.benchmarks;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
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
 * {@code DataWal.get} of random existing keys, in a store of 1k, 100k or 1M live keys ({@code
 * keys}): a key-directory lookup, then one read of the frame from the segment's read-only mapping
 * with its CRC-32C and key re-checked, returning a copy of the value.
 *
 * <p>The store is written once per trial under {@code -Ddatawal.bench.dir} (default the JVM's temp
 * dir): opened with {@link FsyncPolicy#MANUAL} and default options otherwise (64 MiB segments, 32
 * read handles), {@code keys} Puts of distinct 16-byte keys with 100-byte values (a 144-byte frame
 * each; 1M keys make a 144 MB store), all bytes from {@code SplittableRandom(42)}, then one {@code
 * fsync()}. It stays open for the trial and is closed and deleted at trial teardown. The keys are
 * kept in a precomputed array; each operation picks one with {@link ThreadLocalRandom}. The page
 * cache is warm (the store was just written), so this measures the engine and the memory, not the
 * device (nor page faults: after the warmup every page read is mapped).
 *
 * <ul>
 *   <li>{@link #getLatency}: one thread, {@link Mode#SampleTime} in microseconds, so JMH reports
 *       the distribution (p50, p90, p99, p99.9, max).
 *   <li>{@code getThroughput1}, {@code getThroughput2}, {@code getThroughput4}: gets per second
 *       from 1, 2 and 4 threads on the same store (lookups do not block each other; reads look
 *       their segment's mapping up without a lock).
 * </ul>
 *
 * <p>Run (the full suite, on a quiet machine):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar GetBenchmark -rf json -rff get.json
 * </pre>
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class GetBenchmark {
  static final int KEY_SIZE = 16;
  static final int VALUE_SIZE = 100;

  /** Live keys in the store. */
  @Param({"1000", "100000", "1000000"})
  public int keys;

  private Path base;
  private DataWal store;
  private byte[][] keyArray;

  @Setup(Level.Trial)
  public void writeStore() throws IOException {
    base = BenchFiles.newDir("datawal-get");
    store =
        DataWal.open(
            base.resolve("kv"), DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build());
    SplittableRandom random = new SplittableRandom(BenchFiles.SEED);
    keyArray = new byte[keys][];
    byte[] value = new byte[VALUE_SIZE];
    for (int i = 0; i < keys; i++) {
      byte[] key = new byte[KEY_SIZE];
      random.nextBytes(key);
      random.nextBytes(value);
      keyArray[i] = key;
      store.put(key, value);
    }
    store.fsync();
    if (store.size() != keys) {
      throw new IllegalStateException("expected " + keys + " live keys, got " + store.size());
    }
  }

  @TearDown(Level.Trial)
  public void deleteStore() throws IOException {
    if (store != null) {
      store.close();
      store = null;
    }
    BenchFiles.deleteRecursively(base);
  }

  private byte[] getRandom() {
    byte[] key = keyArray[ThreadLocalRandom.current().nextInt(keyArray.length)];
    return store.get(key).orElseThrow();
  }

  /** Latency distribution of one get, one thread. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Threads(1)
  public byte[] getLatency() {
    return getRandom();
  }

  /** Gets per second, one thread. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Threads(1)
  public byte[] getThroughput1() {
    return getRandom();
  }

  /** Gets per second, two threads. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Threads(2)
  public byte[] getThroughput2() {
    return getRandom();
  }

  /** Gets per second, four threads (on a 2-core machine, oversubscribed). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Threads(4)
  public byte[] getThroughput4() {
    return getRandom();
  }
}
