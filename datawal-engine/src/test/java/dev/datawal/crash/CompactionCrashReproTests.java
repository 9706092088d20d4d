package dev.datawal.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.CrashBridge;
import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** A compaction never drops a durable Put for the sake of one a power cut can take back. */
class CompactionCrashReproTests {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  // Regression: compact() once judged garbage from the key directory, which already shows writes
  // that are not durable yet (MANUAL, INTERVAL, or ALWAYS between a write and its fsync), and
  // durably dropped the older, acknowledged Put of a key whose newer Put could still vanish in a
  // power cut: the key was lost. Found by the sweep (kv-compact-manual); minimal reproduction.
  @Test
  void compactionNeverDropsADurablePutWhoseSuccessorIsNotDurable(
      @TempDir(factory = MemoryTempDir.class, cleanup = CleanupMode.ON_SUCCESS) Path tmp) {
    CrashFs fs = new CrashFs(Path.of("/crashfs", "compact-repro"));
    DatawalOptions manual = DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build();
    DataWal kv = CrashBridge.openKv(fs.mount().resolve("store"), manual, fs);
    kv.put(b("k"), b("v1"));
    kv.fsync(); // v1 is acknowledged
    kv.log().rotate(); // segment 1 (holding only v1) is sealed
    kv.put(b("k"), b("v2")); // in segment 2, not fsynced: in flight
    kv.compact(); // segment 1 holds nothing live: deleted, directory synced
    CrashImage image = fs.durableImage(); // the power goes: what was forced and synced survives
    image.materialize(tmp);
    try (DataWal reopened = DataWal.open(tmp.resolve("store"), manual)) {
      assertThat(reopened.get(b("k")).map(v -> new String(v, StandardCharsets.US_ASCII)))
          .as(
              "k after the power cut (acknowledged v1, in flight v2); image: %s",
              image.files().keySet())
          .isIn(java.util.Optional.of("v1"), java.util.Optional.of("v2"));
    }
  }
}
