package dev.datawal.benchmarks;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The heap a {@link DataWal} holds per live key: its key directory (values stay on disk). Not a JMH
 * benchmark (JMH measures time); a plain program.
 *
 * <p>It opens a new store under {@code -Ddatawal.bench.dir} (default the JVM's temp dir) with
 * {@link FsyncPolicy#MANUAL} and default options otherwise, puts {@code keys} distinct keys
 * (default 1,000,000) of {@code keyLen} bytes (default 16: pseudo-random bytes from {@code
 * SplittableRandom(42)} ending in the key's big-endian index, so keys are distinct) with 8-byte
 * values, and fsyncs once. The used heap is measured, after forcing garbage collection until it is
 * stable ({@code System.gc()} and a 100 ms pause, repeated until two readings differ by less than
 * 64 KiB), once before opening the store (after a warm-up store was opened, filled and closed, so
 * class loading is not counted) and once after filling it, while it is still open. The keys the
 * program generates are garbage by then (the key directory keeps its own copies).
 *
 * <p>It prints the measured heap per key, {@code (usedAfter - usedBefore) / keys}, the engine's own
 * estimate {@code keyDirectoryBytes() / keys}, and both minus {@code keyLen}: the bytes per live
 * key beyond the key's own bytes. The store is closed and deleted at the end. Exit code 0 on
 * success.
 *
 * <p>Run (a few seconds for a million keys):
 *
 * <pre>
 * java -Xmx2g -XX:+UseSerialGC -cp benchmarks/target/benchmarks.jar \
 *   dev.datawal.benchmarks.KeyDirectoryMemory [keys] [keyLen]
 * </pre>
 *
 * <p>Prefer {@code -XX:+UseSerialGC}: it reports the live heap to the byte. G1 (the default)
 * accounts each large ("humongous") array in whole regions, so the key directory's big arrays read
 * a few bytes per key high at 1M keys and up to 40% high at 100k keys. The figure includes the
 * table's free slots, so it moves in steps as the table doubles (at 3/4 load): 1,000,000 keys sit
 * in a table of 2^21 slots.
 */
public final class KeyDirectoryMemory {
  private KeyDirectoryMemory() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int keys = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
    int keyLen = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    if (keys <= 0 || keyLen <= 0) {
      throw new IllegalArgumentException("keys and keyLen must be positive");
    }
    if (keyLen < 8 && keys > (1L << (8 * keyLen))) {
      throw new IllegalArgumentException(
          keys + " distinct keys do not fit in " + keyLen + " bytes");
    }
    DatawalOptions options = DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build();
    byte[] value = BenchFiles.randomBytes(8, BenchFiles.SEED);
    Path base = BenchFiles.newDir("datawal-keydir-memory");
    try {
      // Warm-up: load and initialize every class a store uses, so the "before" reading has them.
      try (DataWal warmup = DataWal.open(base.resolve("warmup"), options)) {
        fill(warmup, 10_000, keyLen, value);
        if (warmup.get(key(new SplittableRandom(BenchFiles.SEED), 0, keyLen)).isEmpty()) {
          throw new IllegalStateException("warm-up key missing");
        }
      }
      BenchFiles.deleteRecursively(base.resolve("warmup"));

      long before = Heap.stableUsed();
      long start = System.nanoTime();
      DataWal store = DataWal.open(base.resolve("kv"), options);
      long estimate;
      long after;
      try {
        fill(store, keys, keyLen, value);
        store.fsync();
        if (store.size() != keys) {
          throw new IllegalStateException("expected " + keys + " live keys, got " + store.size());
        }
        double fillSeconds = (System.nanoTime() - start) / 1e9;
        after = Heap.stableUsed();
        estimate = store.keyDirectoryBytes();
        Reference.reachabilityFence(store);
        double measured = (double) (after - before) / keys;
        double estimated = (double) estimate / keys;
        System.out.printf(
            Locale.ROOT,
            "heap before %,d B, after %,d B, delta %,d B; filled in %.1f s%n",
            before,
            after,
            after - before,
            fillSeconds);
        System.out.printf(
            Locale.ROOT,
            "KeyDirectoryMemory keys=%d keyLen=%d measuredBytesPerKey=%.1f"
                + " measuredBeyondKey=%.1f estimatedBytesPerKey=%.1f estimatedBeyondKey=%.1f%n",
            keys,
            keyLen,
            measured,
            measured - keyLen,
            estimated,
            estimated - keyLen);
      } finally {
        store.close();
      }
    } finally {
      BenchFiles.deleteRecursively(base);
    }
  }

  private static void fill(DataWal store, int keys, int keyLen, byte[] value) {
    SplittableRandom random = new SplittableRandom(BenchFiles.SEED);
    for (int i = 0; i < keys; i++) {
      store.put(key(random, i, keyLen), value);
    }
  }

  /** Random bytes, then the index big-endian in the last (up to 8) bytes: distinct per index. */
  private static byte[] key(SplittableRandom random, long index, int keyLen) {
    byte[] key = new byte[keyLen];
    random.nextBytes(key);
    for (int i = 0; i < Math.min(8, keyLen); i++) {
      key[keyLen - 1 - i] = (byte) (index >>> (8 * i));
    }
    return key;
  }
}
