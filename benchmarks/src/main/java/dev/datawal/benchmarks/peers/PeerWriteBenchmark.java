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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Single-record writes to each peer, side by side: {@code peer} (see {@link Peers#open} and each
 * adapter's javadoc for its exact configuration), {@code mode} ({@code durable}: the record is on
 * disk when the call returns; {@code unsynced}: the peer's nearest mode without a sync per write)
 * and {@code valueSize} (100 B or 1 KiB values, 16-byte keys).
 *
 * <ul>
 *   <li>{@code writers1}, {@code writers4}, {@code writers16}: writes per second (JMH sums the
 *       threads) from 1, 4 and 16 threads sharing one store. Only peers that take concurrent
 *       writers ({@link Peers#concurrentWriters}) are run with more than one; Tape, JSONL and the
 *       baselines are single-writer.
 *   <li>{@code writeLatency}: one writer, {@link Mode#SampleTime} in microseconds, for the latency
 *       percentiles.
 * </ul>
 *
 * <p>Two peers are baselines rather than stores: {@code append-loop} ({@link AppendLoopPeer}: one
 * frame-sized record appended to a growing file per put, forced when durable) and {@code
 * prealloc-loop} ({@link PreallocLoopPeer}, durable only: the same records overwriting a file
 * preallocated with written zeros, forced per put).
 *
 * <p>Each writer thread writes keys (its index, a counter modulo 4096), so key/value peers hold at
 * most 4096 keys per thread and keep overwriting them; log peers append every record. Every put
 * passes a new value array whose first 8 bytes hold the thread's counter: SQLite skips writing (and
 * syncing) a row replaced by an identical one, so with one value reused its "durable" puts of the
 * same 4096 keys mostly wrote nothing. The store is created empty for every iteration under {@code
 * -Ddatawal.bench.dir} and deleted after it. Combinations a peer does not support (Tape and
 * prealloc-loop unsynced, the single-writer peers with several writers) fail in setup: {@code
 * benchmarks/run-comparison.sh} passes only the supported ones.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xmx2g",
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
public class PeerWriteBenchmark {
  static final int KEYS_PER_THREAD = 4096;

  /** One store shared by every writer thread, new for every iteration. */
  @State(Scope.Benchmark)
  public static class Store {
    @Param({
      "datawal",
      "sqlite",
      "rocksdb",
      "mvstore",
      "tape",
      "chronicle",
      "jsonl",
      "append-loop",
      "prealloc-loop"
    })
    public String peer;

    @Param({"durable", "unsynced"})
    public String mode;

    @Param({"100", "1024"})
    public int valueSize;

    byte[] value;
    Path dir;
    Peer store;

    @Setup(Level.Iteration)
    public void open(BenchmarkParams params) throws Exception {
      if (params.getThreads() > 1 && !Peers.concurrentWriters(peer)) {
        throw new UnsupportedOperationException(peer + " takes one writer");
      }
      value = PeerFiles.randomBytes(valueSize, PeerFiles.SEED);
      dir = PeerFiles.newDir("peer-write-" + peer);
      store = Peers.open(peer, dir, mode.equals("durable"));
    }

    @TearDown(Level.Iteration)
    public void closeAndDelete() throws Exception {
      if (store != null) {
        store.close();
        store = null;
      }
      PeerFiles.deleteRecursively(dir);
    }
  }

  /** A writer thread's keys: its index, then a counter. */
  @State(Scope.Thread)
  public static class Keys {
    long thread;
    long counter;

    @Setup(Level.Trial)
    public void init(ThreadParams params) {
      thread = params.getThreadIndex();
    }

    byte[] next() {
      return PeerFiles.key(thread, counter++ % KEYS_PER_THREAD);
    }

    /** A new copy of {@code template} stamped with this thread's counter, so no put repeats one. */
    byte[] value(byte[] template) {
      byte[] value = template.clone();
      for (int i = 0; i < Long.BYTES; i++) {
        value[i] = (byte) (counter >>> (8 * i));
      }
      return value;
    }
  }

  /** One writer. */
  @Benchmark
  @Threads(1)
  public void writers1(Store s, Keys k) throws Exception {
    s.store.put(k.next(), k.value(s.value));
  }

  /** 4 writers. */
  @Benchmark
  @Threads(4)
  public void writers4(Store s, Keys k) throws Exception {
    s.store.put(k.next(), k.value(s.value));
  }

  /** 16 writers. */
  @Benchmark
  @Threads(16)
  public void writers16(Store s, Keys k) throws Exception {
    s.store.put(k.next(), k.value(s.value));
  }

  /** Latency distribution of one write, one writer. */
  @Benchmark
  @Threads(1)
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public void writeLatency(Store s, Keys k) throws Exception {
    s.store.put(k.next(), k.value(s.value));
  }
}
