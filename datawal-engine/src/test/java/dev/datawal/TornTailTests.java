package dev.datawal;

import static dev.datawal.TestFiles.payloads;
import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.internal.format.FrameFormat;
import dev.datawal.testing.TestSeed;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Recovery of the last segment beyond what the reference does: appends after a recovered torn tail
 * survive, zero fill and garbage are torn tails, and damage followed by a valid frame is not.
 */
class TornTailTests {
  private static final long SEED = TestSeed.of(TornTailTests.class, "datawal.test.seed");

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
        .hasMessageContaining("a frame that must not be discarded follows damage at offset 32")
        .hasMessageContaining("version 2 (this build reads version 1; a newer format may");
    assertThatThrownBy(() -> RecordLogReader.open(d).scan())
        .isInstanceOf(CorruptStoreException.class);
    assertThat(TestFiles.read(segment(d, 1))).isEqualTo(before);
  }

  /** {@code bytes} with the u16 version field set to {@code version}. */
  private static byte[] withVersion(byte[] bytes, int version) {
    bytes[FrameFormat.VERSION_OFFSET] = (byte) version;
    bytes[FrameFormat.VERSION_OFFSET + 1] = (byte) (version >>> 8);
    return bytes;
  }

  /** What a crash can leave of a frame's header: the magic, then {@code version} and the rest. */
  private static byte[] tornHeader(int version, String rest) {
    byte[] whole = frame(3, "the torn record");
    return switch (rest) {
      case "garbage" -> {
        byte[] garbage = new byte[40];
        new Random(version).nextBytes(garbage);
        System.arraycopy(utf8("DWAL"), 0, garbage, 0, 4);
        yield withVersion(garbage, version);
      }
      case "stale payload" -> {
        byte[] stale = withVersion(whole, version);
        stale[stale.length - 6] ^= 0x40; // the payload no longer matches the CRC
        yield stale;
      }
      case "cut" -> Arrays.copyOf(withVersion(whole, version), whole.length - 3);
      default -> throw new IllegalArgumentException(rest);
    };
  }

  static Stream<Arguments> impossibleVersionsAndTornRests() {
    return IntStream.of(0, 256, 0xFFFF, 0xCAFE)
        .boxed()
        .flatMap(
            v -> Stream.of("garbage", "stale payload", "cut").map(rest -> Arguments.of(v, rest)));
  }

  @ParameterizedTest(name = "version {0}, {1}")
  @MethodSource("impossibleVersionsAndTornRests")
  void aTornHeaderWithAVersionNoFormatCanHaveIsATornTail(int version, String rest)
      throws Exception {
    Path d = store("s", "a", "b");
    long tornAt = TestFiles.read(segment(d, 1)).length;
    byte[] tail = tornHeader(version, rest);
    TestFiles.append(segment(d, 1), tail);

    assertThat(payloads(RecordLogReader.open(d).scan())).containsExactly("a", "b");
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(payloads(log.scan())).containsExactly("a", "b");
      DamageEvent damage = log.recoveryReport().damage().get(0);
      assertThat(damage.kind()).isEqualTo(CorruptionKind.STRUCTURAL);
      assertThat(damage.offset()).isEqualTo(tornAt);
      assertThat(damage.bytes()).isEqualTo(tail.length);
      assertThat(Files.readAllBytes(damage.keptIn())).isEqualTo(tail);
      assertThat(log.append(utf8("c")).txid()).isEqualTo(3);
    }
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(payloads(log.scan())).containsExactly("a", "b", "c");
      assertThat(log.recoveryReport().damage()).isEmpty();
    }
  }

  @ParameterizedTest(name = "version {0}, {1}")
  @MethodSource("impossibleVersionsAndTornRests")
  void theSameTornHeaderInASealedSegmentIsAHardError(int version, String rest) {
    Path d = store("s", "a", "b");
    long tornAt = TestFiles.read(segment(d, 1)).length;
    TestFiles.append(segment(d, 1), tornHeader(version, rest));
    TestFiles.write(segment(d, 2), frame(3, "c"));
    assertThatThrownBy(() -> RecordLog.open(d))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.STRUCTURAL);
              assertThat(e.segment()).isEqualTo(1);
              assertThat(e.offset()).isEqualTo(tornAt);
            })
        .hasMessageContaining("sealed segment 1 at offset " + tornAt)
        .hasMessageContaining("version " + version + " cannot be a future format version");
  }

  @Test
  void versionsTwoAndTwoFiftyFiveAtTheTailStayUnsupported() {
    for (int version : new int[] {2, 255}) {
      Path d = store("v" + version, "a", "b");
      TestFiles.append(segment(d, 1), tornHeader(version, "garbage"));
      byte[] before = TestFiles.read(segment(d, 1));
      assertThatThrownBy(() -> RecordLog.open(d))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
                assertThat(e.offset()).isEqualTo(58);
              })
          .hasMessageContaining("version " + version + " (this build reads version 1");
      assertThat(TestFiles.read(segment(d, 1))).isEqualTo(before);
    }
  }

  @Test
  void aWholeFrameWhoseVersionBytesWereDamagedIsNeverATornTail() {
    for (int version : new int[] {0, 0xFFFF}) {
      Path d = store("v" + version, "a", "b");
      TestFiles.append(segment(d, 1), withVersion(frame(3, "acknowledged"), version));
      byte[] before = TestFiles.read(segment(d, 1));
      assertThatThrownBy(() -> RecordLog.open(d))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
                assertThat(e.segment()).isEqualTo(1);
                assertThat(e.offset()).isEqualTo(58);
              })
          .hasMessageContaining("unsupported version in segment 1 at offset 58")
          .hasMessageContaining("version " + version + " (this build reads version 1)")
          .hasMessageContaining("otherwise a whole, CRC-valid version-1 frame")
          .hasMessageContaining("not a torn tail");
      assertThatThrownBy(() -> RecordLogReader.open(d).scan())
          .isInstanceOf(CorruptStoreException.class);
      assertThat(TestFiles.read(segment(d, 1))).isEqualTo(before);
      assertThat(TestFiles.names(d)).containsExactly(".lock", "00000001.dwal", "datawal.manifest");
    }
  }

  @Test
  void aWholeFrameWhoseVersionBytesWereDamagedMakesEarlierDamageMidStream() {
    Path d = store("s", "a", "b");
    TestFiles.append(segment(d, 1), utf8("some garbage bytes"));
    TestFiles.append(segment(d, 1), withVersion(frame(3, "acknowledged"), 0xFFFF));
    byte[] before = TestFiles.read(segment(d, 1));
    assertThatThrownBy(() -> RecordLog.open(d))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
              assertThat(e.offset()).isEqualTo(58 + 18);
            })
        .hasMessageContaining("follows damage at offset 58")
        .hasMessageContaining("mid-stream corruption, not a torn tail")
        .hasMessageContaining("otherwise a whole, CRC-valid version-1 frame");
    assertThat(TestFiles.read(segment(d, 1))).isEqualTo(before);
  }

  @Test
  void aFrameLargerThanTheReadWindowIsJudgedByItsWholeCrc() throws Exception {
    byte[] payload = new byte[(3 << 20) / 2]; // 1.5 MiB: streamed through the 1 MiB window
    new Random(SEED).nextBytes(payload);
    ByteBuffer encoded = FrameFormat.encode(RecordType.RAW, 3, new byte[0], payload);
    byte[] large = withVersion(Arrays.copyOf(encoded.array(), encoded.limit()), 0xFFFF);

    // Whole and CRC-valid as version 1: damage to a written record, at the end or after damage.
    Path whole = store("whole", "a", "b");
    TestFiles.append(segment(whole, 1), large);
    Path followed = store("followed", "a", "b");
    TestFiles.append(segment(followed, 1), new byte[10]);
    TestFiles.append(segment(followed, 1), large);
    for (Path d : List.of(whole, followed)) {
      long at = d == whole ? 58 : 68;
      assertThatThrownBy(() -> RecordLog.open(d))
          .as("%s", d.getFileName())
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
                assertThat(e.offset()).isEqualTo(at);
              })
          .hasMessageContaining("otherwise a whole, CRC-valid version-1 frame");
      assertThatThrownBy(() -> RecordLogReader.open(d).scan())
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> assertThat(e.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION));
    }

    // The same frame with a byte deep in its payload changed: a torn header, so a torn tail.
    Path torn = store("torn", "a", "b");
    byte[] stale = large.clone();
    stale[stale.length - 100] ^= 1;
    TestFiles.append(segment(torn, 1), stale);
    assertThat(payloads(RecordLogReader.open(torn).scan())).containsExactly("a", "b");
    try (RecordLog log = RecordLog.open(torn)) {
      DamageEvent damage = log.recoveryReport().damage().get(0);
      assertThat(damage.kind()).isEqualTo(CorruptionKind.STRUCTURAL);
      assertThat(damage.bytes()).isEqualTo(stale.length);
      assertThat(Files.readAllBytes(damage.keptIn())).isEqualTo(stale);
      log.append(utf8("c"));
    }
    try (RecordLog log = RecordLog.open(torn)) {
      assertThat(payloads(log.scan())).containsExactly("a", "b", "c");
    }
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
