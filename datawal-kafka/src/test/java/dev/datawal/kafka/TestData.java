package dev.datawal.kafka;

import dev.datawal.DataWal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

final class TestData {
  private TestData() {}

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  static Map<String, String> view(DataWal wal) {
    Map<String, String> view = new HashMap<>();
    wal.forEach((k, v) -> view.put(str(k), str(v)));
    return view;
  }

  /** Waits for {@code condition}, failing with {@code what} after {@code seconds}. */
  static void await(String what, long seconds, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
      }
      Thread.sleep(20); // the poll interval of this condition wait
    }
  }
}
