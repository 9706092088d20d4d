package dev.datawal;

import static dev.datawal.TestFiles.payloads;
import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.internal.FrameFormat;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery of the last segment beyond what the reference does: appends after a recovered torn tail
 * survive, zero fill and garbage are torn tails, and damage followed by a valid frame is not.
 */
class TornTailTests {
  private static final long SEED = Long.getLong("datawal.test.seed", System.nanoTime());

  @TempDir Path tmp;

  private Path store(String name, String... payloads) {
    return TestFiles.rawStoreKilled(tmp.resolve(name), payloads); // what a crash leaves
  }

  private static byte[] frame(long txid, String payload) {
    ByteBuffer buf = FrameFormat.encode(RecordType.RAW, txid, new byte[0], utf8(payload));
    return Arrays.copyOfRange(buf.array(), 0, buf.limit());
  }

  @Test
  void appendAfterATornTailSurvivesReopen() {
    Path d = store("s", "r1", "r2", "r3");
    long size = TestFiles.read(segment(d, 1)).length;
    TestFiles.truncate(segment(d, 1), size - 7);
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(log.recoveryReport().tailTruncated()).isEqualTo(1);
      log.append(utf8("new"));
      log.fsync();
    }
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(payloads(log.scan())).containsExactly("r1", "r2", "new");
      assertThat(log.scan()).extracting(Record::txid).containsExactly(1L, 2L, 3L);
      assertThat(log.recoveryReport().damage()).isEmpty();
    }
  }

  @Test
  void appendAfterATornTailSurvivesARotationAndReopen() {
    Path d = store("s", "r1", "r2", "r3");
    TestFiles.append(segment(d, 1), new byte[] {'D', 'W', 'A', 'L', 1, 0, 0});
    try (RecordLog log = RecordLog.open(d)) {
      log.append(utf8("new"));
      log.rotate();
      log.append(utf8("next segment"));
    }
    // Segment 1 is sealed now: had the torn bytes stayed in it, this open would fail.
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(payloads(log.scan())).containsExactly("r1", "r2", "r3", "new", "next segment");
    }
    assertThat(RecordLogReader.open(d).report().damage()).isEmpty();
  }

  @Test
  void zeroFilledTailsOfManyLengthsAreTolerated() {
    int[] lengths = {1, 2, 3, 4, 5, 23, 24, 25, 27, 28, 29, 31, 64, 100, 511, 4096, 65_543};
    for (int len : lengths) {
      Path d = store("zeros-" + len, "a", "b");
      byte[] before = TestFiles.read(segment(d, 1));
      TestFiles.append(segment(d, 1), new byte[len]);
      assertThat(payloads(RecordLogReader.open(d).scan()))
          .as("reader, %d zeros", len)
          .containsExactly("a", "b");
      try (RecordLog log = RecordLog.open(d)) {
        RecoveryReport report = log.recoveryReport();
        assertThat(payloads(log.scan())).as("%d zeros", len).containsExactly("a", "b");
        assertThat(report.tailBytesDiscarded()).as("%d zeros", len).isEqualTo(len);
        assertThat(report.damage().get(0).kind())
            .isEqualTo(len < 24 ? CorruptionKind.TRUNCATED : CorruptionKind.STRUCTURAL);
      }
      assertThat(TestFiles.read(segment(d, 1))).isEqualTo(before);
    }
  }

  @Test
  void randomGarbageTailsOfManyLengthsAreTolerated() {
    Random random = new Random(SEED);
    for (int i = 0; i < 60; i++) {
      int len = 1 + random.nextInt(i < 40 ? 64 : 20_000);
      byte[] garbage = new byte[len];
      random.nextBytes(garbage);
      Path d = store("garbage-" + i, "a", "b", "c");
      TestFiles.append(segment(d, 1), garbage);
      try (RecordLog log = RecordLog.open(d)) {
        assertThat(payloads(log.scan()))
            .as("seed %d, case %d, %d bytes", SEED, i, len)
            .containsExactly("a", "b", "c");
        assertThat(log.recoveryReport().tailBytesDiscarded()).isEqualTo(len);
        assertThat(log.append(utf8("d")).txid()).isEqualTo(4);
      }
      try (RecordLog log = RecordLog.open(d)) {
        assertThat(payloads(log.scan())).containsExactly("a", "b", "c", "d");
      }
    }
  }

  @Test
  void garbageFollowedByAValidFrameIsAHardErrorAndChangesNothing() {
    Path d = store("s", "a", "b");
    long garbageAt = TestFiles.read(segment(d, 1)).length;
    TestFiles.append(segment(d, 1), utf8("some garbage bytes"));
    TestFiles.append(segment(d, 1), frame(3, "c"));
    byte[] before = TestFiles.read(segment(d, 1));
    assertThatThrownBy(() -> RecordLog.open(d))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.STRUCTURAL);
              assertThat(e.offset()).isEqualTo(garbageAt);
            })
        .hasMessageContaining("mid-stream corruption")
        .hasMessageContaining("a valid frame follows at offset " + (garbageAt + 18));
    assertThatThrownBy(() -> RecordLogReader.open(d).scan())
        .isInstanceOf(CorruptStoreException.class);
    assertThat(TestFiles.read(segment(d, 1))).isEqualTo(before);
    assertThat(TestFiles.names(d)).containsExactly(".lock", "00000001.dwal", "datawal.manifest");
  }

  @Test
  void zeroFillFollowedByAValidFrameIsAHardError() {
    Path d = store("s", "a");
    TestFiles.append(segment(d, 1), new byte[4096]);
    TestFiles.append(segment(d, 1), frame(2, "b"));
    assertThatThrownBy(() -> RecordLog.open(d))
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("mid-stream");
  }

  @Test
  void crcMismatchFollowedByAValidFrameIsAHardError() {
    Path d = store("s", "a", "b", "c");
    FixtureGenerator.flipByteUnchecked(segment(d, 1), 29 + 24); // payload of "b"
    assertThatThrownBy(() -> RecordLog.open(d))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH);
              assertThat(e.offset()).isEqualTo(29);
            });
  }

  @Test
  void aTornHeaderFollowedByZeroFillIsATornTail() {
    // A crash can persist a frame's first bytes with zeros after them: version 0 is damage.
    Path d = store("s", "a");
    byte[] torn = Arrays.copyOf(new byte[] {'D', 'W', 'A', 'L'}, 40);
    TestFiles.append(segment(d, 1), torn);
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(payloads(log.scan())).containsExactly("a");
      assertThat(log.recoveryReport().damage().get(0).kind()).isEqualTo(CorruptionKind.STRUCTURAL);
    }
  }

  @Test
  void aNewerVersionFrameAtTheTailIsNeverDiscarded() {
    Path d = store("s", "a");
    byte[] newer = frame(2, "from the future");
    newer[4] = 2;
    TestFiles.append(segment(d, 1), newer);
    byte[] before = TestFiles.read(segment(d, 1));
    assertThatThrownBy(() -> RecordLog.open(d))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
              assertThat(e.offset()).isEqualTo(29);
            });
    assertThat(TestFiles.read(segment(d, 1))).isEqualTo(before);
  }

  @Test
  void aNewerVersionFrameAfterDamageIsNeverDiscarded() {
    Path d = store("s", "good");
    byte[] newer = frame(2, "from-v2");
    newer[4] = 2;
    TestFiles.append(segment(d, 1), new byte[10]);
    TestFiles.append(segment(d, 1), newer);
    byte[] before = TestFiles.read(segment(d, 1));
    assertThatThrownBy(() -> RecordLog.open(d))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
              assertThat(e.offset()).isEqualTo(32 + 10);
            })
        .hasMessageContaining("newer format version follows damage at offset 32");
    assertThatThrownBy(() -> RecordLogReader.open(d).scan())
        .isInstanceOf(CorruptStoreException.class);
    assertThat(TestFiles.read(segment(d, 1))).isEqualTo(before);
  }

  @Test
  void theEvidenceFileHoldsExactlyTheDiscardedBytes() throws Exception {
    Path d = store("s", "a", "b");
    byte[] tail = frame(3, "torn away");
    tail = Arrays.copyOf(tail, tail.length - 3);
    TestFiles.append(segment(d, 1), tail);
    try (RecordLog log = RecordLog.open(d)) {
      DamageEvent damage = log.recoveryReport().damage().get(0);
      assertThat(damage.keptIn().getFileName().toString()).isEqualTo("00000001.dwal.torn-at-58");
      assertThat(Files.readAllBytes(damage.keptIn())).isEqualTo(tail);
      assertThat(damage.bytes()).isEqualTo(tail.length);
      assertThat(Files.size(segment(d, 1))).isEqualTo(58);
    }
  }

  @Test
  void aSecondTornTailAtTheSameOffsetKeepsBothEvidenceFiles() {
    Path d = store("s", "a");
    TestFiles.append(segment(d, 1), utf8("first torn bytes"));
    RecordLog.open(d).close();
    TestFiles.append(segment(d, 1), utf8("second torn bytes"));
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(log.recoveryReport().damage().get(0).keptIn().getFileName().toString())
          .isEqualTo("00000001.dwal.torn-at-29.2");
    }
    assertThat(TestFiles.str(TestFiles.read(d.resolve("00000001.dwal.torn-at-29"))))
        .isEqualTo("first torn bytes");
    assertThat(TestFiles.str(TestFiles.read(d.resolve("00000001.dwal.torn-at-29.2"))))
        .isEqualTo("second torn bytes");
  }

  @Test
  void aLeftoverEvidenceTempFileIsDeletedAtOpen() {
    Path d = store("s", "a");
    TestFiles.append(segment(d, 1), utf8("torn"));
    TestFiles.write(d.resolve("00000001.dwal.torn-at-29.tmp"), utf8("half a cop"));
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(log.recoveryReport().tailBytesDiscarded()).isEqualTo(4);
    }
    assertThat(TestFiles.names(d))
        .containsExactly(".lock", "00000001.dwal", "00000001.dwal.torn-at-29", "datawal.manifest");
  }

  @Test
  void aTornTailInTheLastOfSeveralSegmentsIsTolerated() {
    Path d = tmp.resolve("s");
    try (RecordLog log = RecordLog.open(d)) {
      log.append(utf8("a"));
      log.rotate();
      log.append(utf8("b"));
    }
    TestFiles.append(segment(d, 2), new byte[] {1, 2, 3});
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(payloads(log.scan())).containsExactly("a", "b");
      assertThat(log.recoveryReport().damage().get(0).segment()).isEqualTo(2);
    }
  }

  @Test
  void aWholeLastSegmentOfGarbageIsATornTail() {
    Path d = tmp.resolve("s");
    try (RecordLog log = RecordLog.open(d)) {
      log.append(utf8("a"));
      log.rotate();
    }
    TestFiles.write(segment(d, 2), utf8("nothing valid here at all"));
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(payloads(log.scan())).containsExactly("a");
      assertThat(log.recoveryReport().damage().get(0).offset()).isZero();
      assertThat(log.append(utf8("b")).segment()).isEqualTo(2);
    }
    assertThat(payloads(RecordLogReader.open(d).scan())).containsExactly("a", "b");
  }
}
