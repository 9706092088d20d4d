package dev.datawal.tools;

import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.DataWal;
import dev.datawal.DatawalException;
import dev.datawal.RecordLog;
import dev.datawal.RecordLogReader;
import dev.datawal.RecordType;
import dev.datawal.RecoveryReport;
import dev.datawal.TestFiles;
import dev.datawal.internal.format.FrameFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The frame-level walk of one segment that inspection and repair tools use. */
public class SegmentWalkerTests {
  @TempDir Path tmp;

  static byte[] frame(RecordType type, long txid, String key, String payload) {
    ByteBuffer buf = FrameFormat.encode(type, txid, utf8(key), utf8(payload));
    return Arrays.copyOfRange(buf.array(), 0, buf.limit());
  }

  private static List<SegmentWalker.Item> walk(Path dir, long id, boolean payloads) {
    List<SegmentWalker.Item> items = new ArrayList<>();
    try (SegmentWalker walker = SegmentWalker.open(dir, id, payloads)) {
      for (SegmentWalker.Item item = walker.next(); item != null; item = walker.next()) {
        items.add(item);
      }
    }
    return items;
  }

  @Test
  void walksEveryFrameWithItsHeaderKeyAndOnlyTheAskedForPayload() {
    Path d = tmp.resolve("s");
    try (DataWal kv = DataWal.open(d)) {
      kv.put(utf8("alpha"), utf8("1"));
      kv.delete(utf8("alpha"));
    }
    List<SegmentWalker.Item> headers = walk(d, 1, false);
    assertThat(headers).hasSize(2).allMatch(i -> i instanceof SegmentWalker.Frame);
    SegmentWalker.Frame put = (SegmentWalker.Frame) headers.get(0);
    assertThat(put.type()).isEqualTo(RecordType.PUT);
    assertThat(put.txid()).isEqualTo(1);
    assertThat(put.offset()).isZero();
    assertThat(put.length()).isEqualTo(28 + 5 + 1);
    assertThat(put.key()).isEqualTo(utf8("alpha"));
    assertThat(put.payloadLength()).isEqualTo(1);
    assertThat(put.payload()).isNull();
    assertThat(((SegmentWalker.Frame) headers.get(1)).offset()).isEqualTo(put.end());

    SegmentWalker.Frame full = (SegmentWalker.Frame) walk(d, 1, true).get(0);
    assertThat(full.payload()).isEqualTo(utf8("1"));
    assertThat(full.toRecord()).isEqualTo(RecordLogReader.open(d).scan().get(0));
  }

  @Test
  void aCrcMismatchIsOneRegionNamingTheStoredAndComputedCrc() {
    Path d = TestFiles.copyFixture("bad_crc", tmp.resolve("bad_crc"));
    byte[] bytes = TestFiles.read(segment(d, 2));
    List<SegmentWalker.Item> items = walk(d, 2, false);

    assertThat(items).hasSize(1);
    SegmentWalker.Damage damage = (SegmentWalker.Damage) items.get(0);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    long stored =
        Integer.toUnsignedLong(
            ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
    assertThat(damage.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH);
    assertThat(damage.offset()).isZero();
    assertThat(damage.length()).isEqualTo(50);
    assertThat(damage.toEnd()).isTrue();
    assertThat(damage.storedCrc()).hasValue(stored);
    assertThat(damage.computedCrc()).hasValue(crc.getValue());
    assertThat(damage.detail())
        .contains(String.format("0x%08x", stored))
        .contains(String.format("0x%08x", crc.getValue()));
    assertThat(damage.tornTail(false)).isFalse();
    // The bad frame ends its segment, so were it the last one, it would be a torn tail.
    assertThat(damage.tornTail(true)).isTrue();
  }

  @Test
  void damageFollowedByAValidFrameEndsWhereTheFrameStartsAndTheWalkGoesOn() {
    Path d = TestFiles.rawStore(tmp.resolve("s"), "a", "b");
    long garbageAt = TestFiles.read(segment(d, 1)).length;
    TestFiles.append(segment(d, 1), utf8("some garbage bytes"));
    TestFiles.append(segment(d, 1), frame(RecordType.RAW, 3, "", "c"));

    List<SegmentWalker.Item> items = walk(d, 1, true);

    assertThat(items).hasSize(4);
    SegmentWalker.Damage damage = (SegmentWalker.Damage) items.get(2);
    assertThat(damage.offset()).isEqualTo(garbageAt);
    assertThat(damage.length()).isEqualTo("some garbage bytes".length());
    assertThat(damage.kind()).isEqualTo(CorruptionKind.STRUCTURAL);
    assertThat(damage.toEnd()).isFalse();
    assertThat(damage.tornTail(true)).isFalse();
    assertThat(damage.storedCrc()).isEmpty();
    SegmentWalker.Frame after = (SegmentWalker.Frame) items.get(3);
    assertThat(after.offset()).isEqualTo(damage.end());
    assertThat(after.payload()).isEqualTo(utf8("c"));
  }

  @Test
  void aNewerVersionHeaderStartsARegionOfItsOwnThatIsNeverATornTail() {
    Path d = TestFiles.rawStore(tmp.resolve("s"), "a");
    long tornAt = TestFiles.read(segment(d, 1)).length;
    TestFiles.append(segment(d, 1), new byte[] {'D', 'W', 'A', 'L', 1, 0, 0});
    byte[] newer = frame(RecordType.RAW, 2, "", "from the future");
    newer[4] = 2; // version 2
    TestFiles.append(segment(d, 1), newer);

    List<SegmentWalker.Item> items = walk(d, 1, false);

    assertThat(items).hasSize(3);
    SegmentWalker.Damage torn = (SegmentWalker.Damage) items.get(1);
    SegmentWalker.Damage future = (SegmentWalker.Damage) items.get(2);
    assertThat(torn.offset()).isEqualTo(tornAt);
    assertThat(torn.length()).isEqualTo(7);
    assertThat(torn.toEnd()).isFalse();
    assertThat(future.offset()).isEqualTo(tornAt + 7);
    assertThat(future.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
    assertThat(future.toEnd()).isTrue();
    assertThat(future.tornTail(true)).isFalse();
    assertThatThrownBy(() -> RecordLogReader.open(d).report())
        .isInstanceOf(CorruptStoreException.class);
  }

  /** {@code bytes} with the u16 version field set to {@code version}. */
  private static byte[] withVersion(byte[] bytes, int version) {
    bytes[FrameFormat.VERSION_OFFSET] = (byte) version;
    bytes[FrameFormat.VERSION_OFFSET + 1] = (byte) (version >>> 8);
    return bytes;
  }

  @Test
  void aTornHeaderWithAVersionNoFormatCanHaveIsStructuralDamageAndATornTail() {
    for (int version : new int[] {0, 256, 0xFFFF, 0xCAFE}) {
      Path d = TestFiles.rawStore(tmp.resolve("v" + version), "a");
      byte[] whole = frame(RecordType.RAW, 2, "", "torn");
      TestFiles.append(segment(d, 1), Arrays.copyOf(withVersion(whole, version), 30));

      List<SegmentWalker.Item> items = walk(d, 1, false);

      assertThat(items).hasSize(2);
      SegmentWalker.Damage torn = (SegmentWalker.Damage) items.get(1);
      assertThat(torn.offset()).isEqualTo(29);
      assertThat(torn.length()).isEqualTo(30);
      assertThat(torn.kind()).isEqualTo(CorruptionKind.STRUCTURAL);
      assertThat(torn.detail()).contains("version " + version + " cannot be a future format");
      assertThat(torn.toEnd()).isTrue();
      assertThat(torn.tornTail(true)).isTrue();
      assertThat(torn.tornTail(false)).isFalse();
      RecoveryReport report = RecordLogReader.open(d).report();
      assertThat(report.damage().get(0).offset()).isEqualTo(torn.offset());
      assertThat(report.tailBytesDiscarded()).isEqualTo(torn.length());
    }
  }

  @Test
  void aWholeFrameWhoseVersionBytesWereDamagedStartsARegionOfItsOwnThatIsNeverATornTail() {
    Path d = TestFiles.rawStore(tmp.resolve("s"), "a");
    TestFiles.append(segment(d, 1), utf8("garbage"));
    TestFiles.append(segment(d, 1), withVersion(frame(RecordType.RAW, 2, "", "written"), 0xFFFF));

    List<SegmentWalker.Item> items = walk(d, 1, false);

    assertThat(items).hasSize(3);
    SegmentWalker.Damage garbage = (SegmentWalker.Damage) items.get(1);
    SegmentWalker.Damage damaged = (SegmentWalker.Damage) items.get(2);
    assertThat(garbage.length()).isEqualTo(7);
    assertThat(garbage.toEnd()).isFalse();
    assertThat(garbage.tornTail(true)).isFalse();
    assertThat(damaged.offset()).isEqualTo(36);
    assertThat(damaged.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
    assertThat(damaged.detail()).contains("otherwise a whole, CRC-valid version-1 frame");
    assertThat(damaged.toEnd()).isTrue();
    assertThat(damaged.tornTail(true)).isFalse();
    try (SegmentWalker walker = SegmentWalker.open(d, 1, true)) {
      assertThatThrownBy(() -> walker.read(36))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> assertThat(e.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION))
          .hasMessageContaining("version 65535");
    }
    assertThatThrownBy(() -> RecordLogReader.open(d).report())
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
              assertThat(e.offset()).isEqualTo(damaged.offset());
            });
  }

  @Test
  void aFrameLargerThanTheReadWindowWithItsVersionBytesDamagedIsUnsupported() {
    Path d = TestFiles.rawStore(tmp.resolve("s"), "a");
    ByteBuffer encoded =
        FrameFormat.encode(RecordType.RAW, 2, new byte[0], new byte[(3 << 20) / 2]);
    byte[] large = withVersion(Arrays.copyOf(encoded.array(), encoded.limit()), 0x0100);
    TestFiles.append(segment(d, 1), large);

    for (boolean payloads : new boolean[] {false, true}) {
      List<SegmentWalker.Item> items = walk(d, 1, payloads);
      assertThat(items).hasSize(2);
      SegmentWalker.Damage damaged = (SegmentWalker.Damage) items.get(1);
      assertThat(damaged.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
      assertThat(damaged.length()).isEqualTo(large.length);
      assertThat(damaged.tornTail(true)).isFalse();
    }
    try (SegmentWalker walker = SegmentWalker.open(d, 1, false)) {
      assertThatThrownBy(() -> walker.read(29))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> assertThat(e.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION));
    }
  }

  @Test
  void theTornTailRuleAgreesWithRecovery() {
    // A torn tail: tolerated by recovery, and the walker's region says so.
    Path torn = TestFiles.copyFixture("truncated_tail", tmp.resolve("torn"));
    SegmentWalker.Damage tail = (SegmentWalker.Damage) walk(torn, 1, false).get(2);
    RecoveryReport report = RecordLogReader.open(torn).report();
    assertThat(tail.tornTail(true)).isTrue();
    assertThat(tail.offset()).isEqualTo(report.damage().get(0).offset());
    assertThat(tail.length()).isEqualTo(report.tailBytesDiscarded());
    assertThat(tail.kind()).isEqualTo(report.damage().get(0).kind());

    // An unsupported version at offset 0: refused, and not a torn tail even at the very end.
    Path unknown = TestFiles.copyFixture("unknown_version", tmp.resolve("unknown"));
    SegmentWalker.Damage version = (SegmentWalker.Damage) walk(unknown, 1, false).get(0);
    assertThat(version.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
    assertThat(version.tornTail(true)).isFalse();
    assertThatThrownBy(() -> RecordLogReader.open(unknown).report())
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> assertThat(e.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION));
  }

  @Test
  void readChecksTheFrameAtAnOffsetAgainAndNamesWhatIsWrong() {
    Path d = TestFiles.rawStore(tmp.resolve("s"), "first", "second");
    try (SegmentWalker walker = SegmentWalker.open(d, 1, false)) {
      SegmentWalker.Frame second = walker.read(33);
      assertThat(second.payload()).isEqualTo(utf8("second"));
      assertThat(second.txid()).isEqualTo(2);

      assertThatThrownBy(() -> walker.read(1))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(CorruptionKind.STRUCTURAL);
                assertThat(e.segment()).isEqualTo(1);
                assertThat(e.offset()).isEqualTo(1);
              });
      assertThatThrownBy(() -> walker.read(60)).hasMessageContaining("truncated");
    }
    TestFiles.patch(segment(d, 1), 33 + 24, (byte) 'S');
    try (SegmentWalker walker = SegmentWalker.open(d, 1, false)) {
      assertThatThrownBy(() -> walker.read(33))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> assertThat(e.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH))
          .hasMessageContaining("stored CRC 0x")
          .hasMessageContaining("computed 0x")
          .hasMessageContaining("00000001.dwal");
    }
  }

  @Test
  void framesLargerThanTheReadWindowAreWalkedReadAndTheirCrcsComputedInChunks() {
    Path d = tmp.resolve("s");
    byte[] big = new byte[3 << 20];
    new java.util.Random(8).nextBytes(big);
    try (RecordLog log = RecordLog.open(d)) {
      log.appendRecord(RecordType.PUT, utf8("big"), big);
      log.append(utf8("small"));
      log.append(utf8("last"));
    }
    List<SegmentWalker.Item> items = walk(d, 1, true);
    SegmentWalker.Frame first = (SegmentWalker.Frame) items.get(0);
    assertThat(first.key()).isEqualTo(utf8("big"));
    assertThat(first.payload()).isEqualTo(big);
    assertThat(((SegmentWalker.Frame) walk(d, 1, false).get(0)).key()).isEqualTo(utf8("big"));

    TestFiles.patch(segment(d, 1), 24 + 3 + 2_000_000, (byte) (big[2_000_000] ^ 1));
    byte[] bytes = TestFiles.read(segment(d, 1));
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, first.length() - 4);
    items = walk(d, 1, false);
    assertThat(items).hasSize(3);
    SegmentWalker.Damage damage = (SegmentWalker.Damage) items.get(0);
    assertThat(damage.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH);
    assertThat(damage.length()).isEqualTo(first.length());
    assertThat(damage.computedCrc()).hasValue(crc.getValue());
    assertThat(((SegmentWalker.Frame) items.get(1)).offset()).isEqualTo(first.end());
    try (SegmentWalker walker = SegmentWalker.open(d, 1, false)) {
      assertThatThrownBy(() -> walker.read(0)).hasMessageContaining("CRC mismatch");
    }
  }

  @Test
  void anEmptySegmentHasNoItemsAndAMissingOneFailsNamingIt() {
    Path d = tmp.resolve("s");
    RecordLog.open(d).close();
    assertThat(walk(d, 1, false)).isEmpty();
    assertThatThrownBy(() -> SegmentWalker.open(d, 7, false))
        .isInstanceOf(DatawalException.class)
        .hasMessageContaining("segment 7")
        .hasCauseInstanceOf(NoSuchFileException.class);
  }
}
