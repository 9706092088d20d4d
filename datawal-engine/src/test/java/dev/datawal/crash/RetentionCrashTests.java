package dev.datawal.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.CrashBridge;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.Record;
import dev.datawal.RecordLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention deletes whole segments and records the deletion in the manifest in two steps ("may be
 * gone", then "gone"): a power cut at every I/O step of it, with several crash images each, leaves
 * a store that opens (never a typed error for a deletion in progress), holds a suffix of the log
 * ending with every acknowledged record, and never hands out a txid twice.
 */
class RetentionCrashTests {
  private static final int RECORDS = 60;
  private static final int IMAGES_PER_STEP = 6;

  private static byte[] payload(int i) {
    return ("record " + i).getBytes(StandardCharsets.US_ASCII);
  }

  private static DatawalOptions options() {
    return DatawalOptions.builder()
        .fsyncPolicy(FsyncPolicy.ALWAYS)
        .maxSegmentSize(200)
        .retentionMaxBytes(600)
        .build();
  }

  /** A log of RECORDS acknowledged records in many segments, on {@code fs}. */
  private static RecordLog written(CrashFs fs) {
    RecordLog log = CrashBridge.openLog(fs.mount().resolve("store"), options(), fs);
    for (int i = 0; i < RECORDS; i++) {
      log.append(payload(i));
    }
    return log;
  }

  @Test
  void aPowerCutAtAnyStepOfRetentionLeavesASuffixThatOpens(
      @TempDir(factory = MemoryTempDir.class, cleanup = CleanupMode.ON_SUCCESS) Path tmp) {
    // How many steps retention takes, counted once without a cut.
    CrashFs counting = new CrashFs(Path.of("/crashfs", "retention-count"));
    RecordLog log = written(counting);
    long before = counting.steps();
    assertThat(log.applyRetention().segmentsDeleted()).isGreaterThan(2);
    long steps = counting.steps() - before;
    assertThat(steps).isGreaterThan(10);
    int images = 0;
    for (long n = 1; n <= steps; n++) {
      CrashFs fs = new CrashFs(Path.of("/crashfs", "retention-" + n));
      RecordLog victim = written(fs);
      fs.cutPowerAtStep(fs.steps() + n);
      try {
        victim.applyRetention();
      } catch (PowerCut | RuntimeException expected) {
        // the power went at step n (a RuntimeException wraps it where I/O is turned into one)
      }
      assertThat(fs.isDead()).as("the power went at step %d of %d", n, steps).isTrue();
      for (long seed = 0; seed < IMAGES_PER_STEP; seed++) {
        CrashImage image = fs.crashImage(seed * 31 + n);
        Path real = tmp.resolve("step-" + n + "-image-" + seed);
        image.materialize(real);
        String what =
            "power cut at retention step " + n + ", image " + seed + ": " + image.describe();
        try (RecordLog reopened = RecordLog.open(real.resolve("store"), options())) {
          List<Record> records = reopened.scan();
          assertThat(records).as(what).isNotEmpty();
          long first = records.get(0).txid();
          for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            assertThat(r.txid()).as(what).isEqualTo(first + i);
            assertThat(r.payload()).as(what).isEqualTo(payload((int) r.txid() - 1));
          }
          assertThat(records.get(records.size() - 1).txid()).as(what).isEqualTo(RECORDS);
          assertThat(reopened.append(payload(RECORDS)).txid()).as(what).isEqualTo(RECORDS + 1);
        }
        images++;
      }
    }
    System.out.println(
        "RetentionCrashTests: "
            + steps
            + " crash points, "
            + images
            + " images opened and checked");
  }
}
