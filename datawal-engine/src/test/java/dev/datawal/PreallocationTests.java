package dev.datawal;

import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.internal.format.UnwrittenSpace;
import dev.datawal.testing.TestSeed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The active segment is zero-filled ahead of its data to a multiple of a step and written through a
 * mapping: what a user relies on is that every record is readable at once, survives a killed
 * process, and that the zeros are never taken for damage nor left in a closed store.
 */
class PreallocationTests {
  private static final long SEED = TestSeed.of(PreallocationTests.class, "datawal.test.seed");
  private static final int STEP = UnwrittenSpace.STEP;

  @TempDir Path tmp;

  private static DatawalOptions manual() {
    return DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build();
  }

  /** What a process killed now would leave: the files as they are, the store still open. */
  private static Path killedImage(Path dir, Path image) {
    try {
      Files.createDirectories(image);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.copy(f, image.resolve(f.getFileName()));
        }
      }
      return image;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] value(Random r) {
    byte[] v = new byte[1 + r.nextInt(300)];
    r.nextBytes(v);
    return v;
  }

  @Test
  void theActiveSegmentIsZeroFilledToAStepAndAKilledWritersStoreOpensWithoutDamage() {
    Random r = new Random(SEED);
    Path dir = tmp.resolve("store");
    Map<String, byte[]> model = new HashMap<>();
    Path image;
    try (DataWal kv = DataWal.open(dir, manual())) {
      for (int i = 0; i < 5_000; i++) {
        String key = "k" + r.nextInt(2_000);
        byte[] v = value(r);
        kv.put(utf8(key), v);
        model.put(key, v);
      }
      long data = kv.log().segmentSizes().get(1L);
      assertThat(size(segment(dir, 1))).isEqualTo(UnwrittenSpace.stepEnd(data)).isGreaterThan(data);
      // A reader of the live store sees the records and no damage in the zeros.
      RecordLogReader reader = RecordLogReader.open(dir);
      assertThat(reader.report().damageFound()).isFalse();
      assertThat(reader.scan()).hasSize(5_000);
      image = killedImage(dir, tmp.resolve("killed"));
    }
    // Nothing was fsynced (MANUAL), yet a killed process loses nothing: the frames were in the
    // page cache as soon as they were copied into the mapping.
    try (DataWal kv = DataWal.open(image)) {
      assertThat(kv.recoveryReport().damageFound()).isFalse();
      assertThat(kv.recoveryReport().tailBytesDiscarded()).isZero();
      model.forEach((k, v) -> assertThat(kv.get(utf8(k))).as(k).hasValue(v));
      assertThat(kv.size()).isEqualTo(model.size());
      // The zeros were cut off at the open; no evidence file was kept for them.
      assertThat(size(segment(image, 1))).isEqualTo(kv.log().segmentSizes().get(1L));
    }
    assertThat(TestFiles.snapshot(image).keySet()).noneMatch(name -> name.contains(".torn-at-"));
  }

  @Test
  void aCleanCloseAndARotationLeavePlainSegmentsWithoutZeros() {
    Path dir = tmp.resolve("store");
    long sealed;
    long active;
    try (RecordLog log = RecordLog.open(dir, manual())) {
      log.append(utf8("first"));
      log.rotate();
      sealed = log.segmentSizes().get(1L);
      assertThat(size(segment(dir, 1))).isEqualTo(sealed);
      log.append(utf8("second"));
      active = log.segmentSizes().get(2L);
      assertThat(size(segment(dir, 2))).isEqualTo(STEP);
    }
    assertThat(size(segment(dir, 1))).isEqualTo(sealed);
    assertThat(size(segment(dir, 2))).isEqualTo(active);
  }

  @Test
  void smallSegmentsAreNotPreallocated() {
    Path dir = tmp.resolve("store");
    try (RecordLog log =
        RecordLog.open(dir, manual().toBuilder().maxSegmentSize(STEP - 1).build())) {
      log.append(utf8("a"));
      assertThat(size(segment(dir, 1))).isEqualTo(log.segmentSizes().get(1L));
    }
  }

  @Test
  void zerosThatDoNotEndAtAStepAreATornTailKeptAsEvidence() {
    Path dir = tmp.resolve("store");
    Path image;
    try (RecordLog log = RecordLog.open(dir, manual())) {
      log.append(utf8("a"));
      image = killedImage(dir, tmp.resolve("killed"));
    }
    long data = 29;
    TestFiles.truncate(segment(image, 1), STEP - 1); // still zeros, but not the writer's
    try (RecordLog log = RecordLog.open(image)) {
      RecoveryReport report = log.recoveryReport();
      assertThat(report.tailTruncated()).isEqualTo(1);
      assertThat(report.tailBytesDiscarded()).isEqualTo(STEP - 1 - data);
      Path evidence = report.damage().get(0).keptIn();
      assertThat(TestFiles.read(evidence)).hasSize(STEP - 1 - (int) data).containsOnly(0);
    }
  }

  @Test
  void aNonZeroByteInThePreallocatedSpaceIsATornTailKeptByteForByte() {
    Path dir = tmp.resolve("store");
    Path image;
    try (RecordLog log = RecordLog.open(dir, manual())) {
      log.append(utf8("a"));
      image = killedImage(dir, tmp.resolve("killed"));
    }
    TestFiles.patch(segment(image, 1), STEP - 10, (byte) 7);
    byte[] tail = TestFiles.read(segment(image, 1));
    try (RecordLog log = RecordLog.open(image)) {
      RecoveryReport report = log.recoveryReport();
      assertThat(report.tailBytesDiscarded()).isEqualTo(STEP - 29);
      byte[] kept = TestFiles.read(report.damage().get(0).keptIn());
      assertThat(kept).isEqualTo(java.util.Arrays.copyOfRange(tail, 29, STEP));
      assertThat(payloadsOf(log)).containsExactly("a");
    }
  }

  @Test
  void zerosWhereTheManifestKnewDurableRecordsAreDamageNotUnwrittenSpace() {
    Path dir = tmp.resolve("store");
    try (RecordLog log = RecordLog.open(dir, manual())) {
      log.append(utf8("a"));
      log.append(utf8("b"));
    } // a clean close records both frames as durable
    long length = size(segment(dir, 1));
    TestFiles.truncate(segment(dir, 1), 29); // "b" gone...
    TestFiles.append(segment(dir, 1), new byte[STEP - 29]); // ...zeros to a step instead
    Map<String, String> before = TestFiles.snapshot(dir);
    assertThatThrownBy(() -> RecordLog.open(dir))
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("segment 1");
    assertThat(TestFiles.snapshot(dir)).isEqualTo(before);
    assertThat(length).isEqualTo(58);
  }

  @Test
  void recordsWrittenThroughTheMappingAreReadByGetsScansAndFollowersAndSurviveReopen()
      throws Exception {
    Random r = new Random(SEED + 1);
    Path dir = tmp.resolve("store");
    Map<String, byte[]> model = new HashMap<>();
    try (DataWal kv = DataWal.open(dir, manual())) {
      try (LogFollower follower = kv.log().follow(1, true)) {
        // Past several steps and a rotation, so frames cross windows and segments.
        for (int i = 0; i < 40_000; i++) {
          String key = "key-" + r.nextInt(10_000);
          byte[] v = value(r);
          kv.put(utf8(key), v);
          model.put(key, v);
          if (i == 20_000) {
            kv.log().rotate();
          }
        }
        model.forEach((k, v) -> assertThat(kv.get(utf8(k))).as(k).hasValue(v));
        for (int i = 0; i < 40_000; i++) {
          assertThat(follower.poll(java.time.Duration.ofSeconds(5))).as("record %d", i).isNotNull();
        }
      }
    }
    try (DataWal kv = DataWal.open(dir)) {
      assertThat(kv.recoveryReport().damageFound()).isFalse();
      model.forEach((k, v) -> assertThat(kv.get(utf8(k))).as(k).hasValue(v));
    }
  }

  private static java.util.List<String> payloadsOf(RecordLog log) {
    return TestFiles.payloads(log.scan());
  }
}
