package dev.datawal.benchmarks;

import java.lang.management.ManagementFactory;

/** The used heap, measured after garbage collection, for the memory programs. Not a benchmark. */
public final class Heap {
  private static final long STABLE_BYTES = 64 * 1024;

  private Heap() {}

  /**
   * Used heap after garbage collection, once two readings in a row agree within 64 KiB ({@code
   * System.gc()} and a 100 ms pause per reading, at most 20).
   *
   * @throws InterruptedException if interrupted while pausing
   */
  public static long stableUsed() throws InterruptedException {
    long previous = Long.MIN_VALUE / 2;
    for (int round = 0; round < 20; round++) {
      System.gc();
      Thread.sleep(100);
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (round >= 2 && Math.abs(used - previous) < STABLE_BYTES) {
        return used;
      }
      previous = used;
    }
    return previous;
  }
}
