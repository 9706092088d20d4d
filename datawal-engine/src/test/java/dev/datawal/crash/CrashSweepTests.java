package dev.datawal.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.datawal.CrashBridge;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Power cuts at every I/O step of each scripted {@link Workload}, several seeded crash images per
 * cut, each reopened by the real engine on the real file system and checked against the workload's
 * {@link Oracle} (see {@link CrashCheck} for the checks and {@link CrashSweep} for the sweep).
 *
 * <p>The normal run checks a few thousand crash points. {@code -Ddatawal.crash.scale=N} multiplies
 * them for a long run, {@code -Ddatawal.crash.seed=N|random} picks the base seed, and a failure
 * prints the {@code -Ddatawal.crash.only=...} that replays just that case.
 */
class CrashSweepTests {
  private static final CrashSweep.Settings SETTINGS =
      CrashSweep.Settings.fromSystemProperties(CrashSweepTests.class);

  @BeforeAll
  static void printSettings() {
    System.out.println("[crash] " + SETTINGS.describe());
  }

  // Regression: rotate() once forced only the segment it sealed. If that segment was created since
  // the last directory sync, its name was not durable, and a power cut after rotate() returned lost
  // the segment with the appends rotate() acknowledged. Found by the sweep (log-manual); this is
  // its minimal reproduction against the worst image (only what was forced and synced).
  @Test
  void rotateMakesTheAppendsBeforeItDurableEvenInASegmentWhoseNameWasNeverSynced(
      @TempDir(factory = MemoryTempDir.class, cleanup = CleanupMode.ON_SUCCESS) Path tmp) {
    CrashFs fs = new CrashFs(Path.of("/crashfs", "rotate-repro"));
    DatawalOptions manual = DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build();
    RecordLog log = CrashBridge.openLog(fs.mount().resolve("store"), manual, fs);
    log.rotate(); // seals 00000001.dwal, creates 00000002.dwal (its name not synced yet)
    log.append("acknowledged by the next rotate".getBytes(StandardCharsets.US_ASCII));
    log.rotate(); // forces 00000002.dwal and creates 00000003.dwal; no directory sync
    // The power goes now. The worst image keeps only what was forced and synced.
    CrashImage image = fs.durableImage();
    image.materialize(tmp);
    try (RecordLog reopened = RecordLog.open(tmp.resolve("store"))) {
      assertThat(reopened.scan())
          .as(
              "records after a power cut right after rotate() returned; image files %s",
              image.files().keySet())
          .extracting(r -> new String(r.payload(), StandardCharsets.US_ASCII))
          .containsExactly("acknowledged by the next rotate");
    }
  }

  static Stream<Workload> workloads() {
    return Workloads.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("workloads")
  void everyAcknowledgedWriteSurvivesAPowerCutAtEveryStep(
      Workload workload,
      @TempDir(factory = MemoryTempDir.class, cleanup = CleanupMode.ON_SUCCESS) Path tmp) {
    assumeTrue(SETTINGS.selects(workload), "not selected by -Ddatawal.crash.only");
    CrashSweep.Result result = CrashSweep.sweep(workload, SETTINGS, tmp);
    System.out.println(result.summary());
    if (!result.refusals().isEmpty()) {
      System.out.println(
          "[crash] "
              + workload.name()
              + ": first image refused by the format's newer-version rule (see"
              + " CrashCheck.Refused):\n"
              + result.refusals().get(0).detail());
    }
    if (!result.failures().isEmpty()) {
      fail(
          result.failures().size()
              + " crash point(s) failed in "
              + workload.name()
              + " (base seed "
              + SETTINGS.baseSeed()
              + "):\n\n"
              + result.report());
    }
    if (SETTINGS.only().isEmpty()) {
      assertThat(result.steps()).as("I/O steps of %s", workload).isGreaterThan(20);
      assertThat(result.imagesChecked()).as("images checked for %s", workload).isPositive();
    }
  }
}
