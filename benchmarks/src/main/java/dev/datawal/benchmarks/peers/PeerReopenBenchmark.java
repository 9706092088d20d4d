package dev.datawal.benchmarks.peers;

import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reopen time of a key/value store holding {@code keys} records ({@link Peers#KEY_VALUE}; 16-byte
 * keys, 100-byte values), single shots: open the closed store (each peer's recovery or index
 * rebuild: datawal maps the key-directory snapshot its close left and reads the log after it,
 * RocksDB replays its WAL and opens its SST files, SQLite and MVStore read their headers) and get
 * one key, so lazily opening peers pay for their first read. The store is written once per trial
 * (as {@link PeerGetBenchmark} does) and closed; every shot's store is closed after the shot,
 * outside the measured time. Page cache warm.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 10)
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
public class PeerReopenBenchmark {
  @Param({"datawal", "sqlite", "rocksdb", "mvstore"})
  public String peer;

  /** Records in the store (200k and 1M for the report). */
  @Param({"200000", "1000000"})
  public int keys;

  private Path dir;
  private Peer opened;

  @Setup(Level.Trial)
  public void writeStore() throws Exception {
    dir = PeerFiles.newDir("peer-reopen-" + peer);
    PeerLoad.load(peer, dir, keys, PeerGetBenchmark.VALUE_SIZE).close();
  }

  @TearDown(Level.Invocation)
  public void closeShot() throws Exception {
    if (opened != null) {
      opened.close();
      opened = null;
    }
  }

  @TearDown(Level.Trial)
  public void deleteStore() throws Exception {
    closeShot();
    PeerFiles.deleteRecursively(dir);
  }

  /** Open, and get one key. */
  @Benchmark
  public byte[] reopen() throws Exception {
    opened = Peers.open(peer, dir, true);
    byte[] value = opened.get(PeerFiles.key(0, keys / 2));
    if (value == null) {
      throw new IllegalStateException(peer + ": missing key after reopen");
    }
    return value;
  }
}
