package dev.datawal.benchmarks.peers;

import java.nio.file.Path;
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
 * Point reads by key from a warm store of {@code keys} live keys, for the key/value peers ({@link
 * Peers#KEY_VALUE}): 16-byte keys, 100-byte values. Once per trial the store is written unsynced
 * (keys in order, one writer), synced, closed and reopened (so RocksDB reads SST files, SQLite a
 * checkpointed database, MVStore committed chunks), then every operation gets one key drawn with
 * {@link ThreadLocalRandom}. The page cache is warm (just written).
 *
 * <ul>
 *   <li>{@code getThroughput}: gets per second, one thread.
 *   <li>{@code getThroughput2Threads}: gets per second summed over two threads reading the same
 *       store at once (SQLite's adapter serializes them on its one connection).
 *   <li>{@code getLatency}: {@link Mode#SampleTime} in microseconds, one thread.
 * </ul>
 *
 * <p>{@code keys} defaults to 200,000 and 1,000,000, the report's two store sizes; {@code
 * benchmarks/run-comparison.sh quick} passes a small count.
 */
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xmx4g",
      "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "-Dchronicle.analytics.disable=true",
      "-Dchronicle.announcer.disable=true"
    })
public class PeerGetBenchmark {
  static final int VALUE_SIZE = 100;

  @Param({"datawal", "sqlite", "rocksdb", "mvstore"})
  public String peer;

  /** Live keys in the store (200k and 1M for the report). */
  @Param({"200000", "1000000"})
  public int keys;

  private Path dir;
  private Peer store;

  @Setup(Level.Trial)
  public void writeStore() throws Exception {
    dir = PeerFiles.newDir("peer-get-" + peer);
    store = PeerLoad.load(peer, dir, keys, VALUE_SIZE);
  }

  @TearDown(Level.Trial)
  public void deleteStore() throws Exception {
    if (store != null) {
      store.close();
      store = null;
    }
    PeerFiles.deleteRecursively(dir);
  }

  private byte[] getRandom() throws Exception {
    byte[] value = store.get(PeerFiles.key(0, ThreadLocalRandom.current().nextInt(keys)));
    if (value == null) {
      throw new IllegalStateException(peer + ": missing key");
    }
    return value;
  }

  /** Gets per second, one thread. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Threads(1)
  public byte[] getThroughput() throws Exception {
    return getRandom();
  }

  /** Gets per second, two threads. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Threads(2)
  public byte[] getThroughput2Threads() throws Exception {
    return getRandom();
  }

  /** Latency distribution of one get, one thread. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Threads(1)
  public byte[] getLatency() throws Exception {
    return getRandom();
  }
}
