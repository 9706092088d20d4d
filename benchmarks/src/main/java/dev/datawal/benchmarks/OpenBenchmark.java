package dev.datawal.benchmarks;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
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
 * Opening a ~1 GiB key/value store: recovery (every frame's CRC validated) plus the key directory
 * rebuilt from every Put, against simply reading its segment files. Single shots, in milliseconds.
 *
 * <p>The store is written once per trial under {@code -Ddatawal.bench.dir} (default the JVM's temp
 * dir): a {@link DataWal} opened with {@link FsyncPolicy#MANUAL} and default 64 MiB segments gets
 * Puts of 16-byte keys and 100-byte values (144-byte frames) until {@code logMiB} MiB are written
 * (default 1024: about 7.5 million Puts), record {@code i} setting key number {@code i % liveKeys}
 * (default 1,000,000 live keys, so each key is overwritten about 7 times and most Puts are stale),
 * then one {@code fsync()} and {@code close()}. Keys and values come from {@code
 * SplittableRandom(42)} (keys precomputed, values cycled from 64 arrays). It is deleted at trial
 * teardown.
 *
 * <ul>
 *   <li>{@link #openDataWal}: {@code DataWal.open(dir)} with default options (lock, recovery, key
 *       directory rebuild in the same pass, force of the tail), {@code size()}, {@code close()}.
 *       With {@code -p snapshot=yes} (the store's state after a clean close) the directory reads
 *       {@code keydir.snapshot} in place (mapped) and only the log after it is read; with {@code
 *       no} the snapshot is deleted before each shot. The shot's close writes the snapshot with
 *       {@code no}; with {@code yes} it finds it unchanged and leaves it.
 *   <li>{@link #openRecordLog}: {@code RecordLog.open(dir)} + {@code close()}: the same recovery
 *       without the key directory, so the difference is the rebuild's cost.
 *   <li>{@link #readSegmentFiles}: the floor of any reader: every segment read once, sequentially,
 *       into a 1 MiB heap buffer (as {@code RecoveryBenchmark.readSegmentFiles}).
 * </ul>
 *
 * <p>With {@code -p cache=cold} every shot starts with the page cache dropped ({@code sync}, then
 * {@code echo 3 > /proc/sys/vm/drop_caches}; root only); the default {@code warm} reads from
 * memory.
 *
 * <p>Run (the full suite, on a quiet machine; writing the store takes about half a minute per
 * trial):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar OpenBenchmark -rf json -rff open.json
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class OpenBenchmark {
  static final int KEY_SIZE = 16;
  static final int VALUE_SIZE = 100;
  static final int FRAME_SIZE = KEY_SIZE + VALUE_SIZE + BenchFiles.FRAME_OVERHEAD;

  /** Size of the log in MiB. */
  @Param({"1024"})
  public int logMiB;

  /** Distinct keys written, all live at the end (fewer if the log holds fewer records). */
  @Param({"1000000"})
  public int liveKeys;

  /** {@code warm} or {@code cold} (drops the page cache before each shot; needs root). */
  @Param({"warm"})
  public String cache;

  /**
   * {@code yes}: {@link #openDataWal} reads the key-directory snapshot the previous close left;
   * {@code no}: it is deleted before each shot, so the open reads every segment (and the close
   * writes a new one; with {@code yes} the close finds it unchanged and leaves it).
   */
  @Param({"yes", "no"})
  public String snapshot;

  private Path base;
  private Path dir;
  private int expectedLive;

  @Setup(Level.Trial)
  public void writeStore() throws IOException {
    base = BenchFiles.newDir("datawal-open");
    dir = base.resolve("kv");
    long records = ((long) logMiB << 20) / FRAME_SIZE;
    SplittableRandom random = new SplittableRandom(BenchFiles.SEED);
    byte[][] keys = new byte[(int) Math.min(liveKeys, records)][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = new byte[KEY_SIZE];
      random.nextBytes(keys[i]);
    }
    byte[][] values = new byte[64][];
    for (int i = 0; i < values.length; i++) {
      values[i] = new byte[VALUE_SIZE];
      random.nextBytes(values[i]);
    }
    try (DataWal store =
        DataWal.open(dir, DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build())) {
      for (long i = 0; i < records; i++) {
        store.put(keys[(int) (i % keys.length)], values[(int) (i & 63)]);
      }
      store.fsync();
      expectedLive = store.size();
    }
    if (expectedLive != keys.length) {
      throw new IllegalStateException(
          "expected " + keys.length + " live keys, got " + expectedLive);
    }
  }

  @Setup(Level.Invocation)
  public void dropCaches() throws IOException, InterruptedException {
    if (snapshot.equals("no")) {
      java.nio.file.Files.deleteIfExists(dir.resolve("keydir.snapshot"));
    }
    if (cache.equals("cold")) {
      BenchFiles.dropPageCache();
    }
  }

  @TearDown(Level.Trial)
  public void deleteStore() throws IOException {
    BenchFiles.deleteRecursively(base);
  }

  /** Open the key/value store: recovery plus key directory rebuild. */
  @Benchmark
  public int openDataWal() {
    try (DataWal store = DataWal.open(dir)) {
      int size = store.size();
      if (size != expectedLive) {
        throw new IllegalStateException("expected " + expectedLive + " live keys, got " + size);
      }
      return size;
    }
  }

  /** Open the same store as a plain log: recovery alone. */
  @Benchmark
  public long openRecordLog() {
    try (RecordLog log = RecordLog.open(dir)) {
      return log.recoveryReport().recordsReplayed();
    }
  }

  /** The floor: every segment's bytes read once, sequentially, into a 1 MiB buffer. */
  @Benchmark
  public long readSegmentFiles() throws IOException {
    return BenchFiles.readAllSegments(dir);
  }
}
