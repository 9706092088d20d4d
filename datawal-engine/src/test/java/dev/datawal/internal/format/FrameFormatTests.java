package dev.datawal.internal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.CorruptionKind;
import dev.datawal.LimitExceededException;
import dev.datawal.RecordType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The reference's Format group, and the frame layout of docs/reference/format-v1.md. */
class FrameFormatTests {

  private static byte[] frame(RecordType type, long txid, String key, String payload) {
    ByteBuffer buf = FrameFormat.encode(type, txid, utf8(key), utf8(payload));
    byte[] bytes = new byte[buf.remaining()];
    buf.get(bytes);
    return bytes;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void rawRecordWithEmptyKeyRoundTrips() {
    byte[] bytes = frame(RecordType.RAW, 7, "", "hello");
    DecodedFrame decoded = FrameFormat.decode(bytes);
    assertThat(decoded.valid()).isTrue();
    assertThat(decoded.type()).isEqualTo(RecordType.RAW);
    assertThat(decoded.txid()).isEqualTo(7);
    assertThat(decoded.key()).isEmpty();
    assertThat(decoded.payload()).isEqualTo(utf8("hello"));
    assertThat(decoded.length()).isEqualTo(28 + 5).isEqualTo(bytes.length);
  }

  @Test
  void putRecordWithKeyRoundTrips() {
    byte[] bytes = frame(RecordType.PUT, 1L << 40, "alpha", "value");
    DecodedFrame decoded = FrameFormat.decode(bytes);
    assertThat(decoded.valid()).isTrue();
    assertThat(decoded.type()).isEqualTo(RecordType.PUT);
    assertThat(decoded.txid()).isEqualTo(1L << 40);
    assertThat(decoded.key()).isEqualTo(utf8("alpha"));
    assertThat(decoded.payload()).isEqualTo(utf8("value"));
  }

  @Test
  void headerLayoutMatchesTheSpecByteForByte() {
    byte[] bytes = frame(RecordType.DELETE, 0x0102030405060708L, "k", "");
    assertThat(Arrays.copyOfRange(bytes, 0, 4)).isEqualTo(new byte[] {0x44, 0x57, 0x41, 0x4C});
    assertThat(Arrays.copyOfRange(bytes, 4, 8)).isEqualTo(new byte[] {1, 0, 2, 0});
    assertThat(Arrays.copyOfRange(bytes, 8, 16)).isEqualTo(new byte[] {8, 7, 6, 5, 4, 3, 2, 1});
    assertThat(Arrays.copyOfRange(bytes, 16, 24)).isEqualTo(new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, 25);
    int stored = ByteBuffer.wrap(bytes, 25, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    assertThat(stored).isEqualTo((int) crc.getValue());
  }

  @Test
  void truncatedHeaderReportsTwentyFourBytesNeeded() {
    byte[] bytes = Arrays.copyOf(frame(RecordType.RAW, 1, "", "abc"), 10);
    DecodedFrame decoded = FrameFormat.decode(bytes);
    assertThat(decoded.fault().kind()).isEqualTo(CorruptionKind.TRUNCATED);
    assertThat(decoded.fault().needed()).isEqualTo(24);
  }

  @Test
  void truncatedBodyReportsTheWholeFrameNeeded() {
    byte[] whole = frame(RecordType.PUT, 1, "key", "payload");
    DecodedFrame decoded = FrameFormat.decode(Arrays.copyOf(whole, whole.length - 1));
    assertThat(decoded.fault().kind()).isEqualTo(CorruptionKind.TRUNCATED);
    assertThat(decoded.fault().needed()).isEqualTo(whole.length).isEqualTo(28 + 3 + 7);
  }

  @Test
  void flippedPayloadByteIsACrcMismatch() {
    byte[] bytes = frame(RecordType.RAW, 1, "", "payload");
    bytes[24 + 2] ^= 0x01;
    DecodedFrame decoded = FrameFormat.decode(bytes);
    assertThat(decoded.fault().kind()).isEqualTo(CorruptionKind.CRC_MISMATCH);
    assertThat(decoded.fault().detail()).contains("stored CRC 0x").contains("computed 0x");
  }

  @Test
  void badMagicIsAStructuralError() {
    byte[] bytes = frame(RecordType.RAW, 1, "", "x");
    bytes[0] = 'X';
    DecodedFrame decoded = FrameFormat.decode(bytes);
    assertThat(decoded.fault().kind()).isEqualTo(CorruptionKind.STRUCTURAL);
    assertThat(decoded.fault().detail()).contains("bad magic");
  }

  @Test
  void unknownVersionIsUnsupported() {
    byte[] bytes = frame(RecordType.RAW, 1, "", "x");
    bytes[4] = 99;
    DecodedFrame decoded = FrameFormat.decode(bytes);
    assertThat(decoded.fault().kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
    assertThat(decoded.fault().detail()).contains("version 99");
  }

  @Test
  void versionZeroIsDamageNotANewerFormat() {
    // What a header torn after its magic and zero-filled reads as.
    byte[] bytes = Arrays.copyOf(utf8("DWAL"), 40);
    DecodedFrame decoded = FrameFormat.decode(bytes);
    assertThat(decoded.fault().kind()).isEqualTo(CorruptionKind.STRUCTURAL);
    assertThat(decoded.fault().detail()).contains("version 0 cannot be a future format version");
  }

  @Test
  void aVersionNoFormatCanHaveIsDamageWhenTheRestIsGarbageOrCut() {
    for (int version : new int[] {0, 256, 0xFFFF, 0xCAFE}) {
      byte[] whole = frame(RecordType.PUT, 9, "key", "a payload");
      byte[] garbage = withVersion(whole.clone(), version);
      garbage[24 + 1] ^= 0x20; // the rest no longer matches the CRC
      byte[] cut = Arrays.copyOf(withVersion(whole.clone(), version), whole.length - 1);
      byte[] badType = withVersion(whole.clone(), version);
      badType[6] = (byte) 0xEE;
      for (byte[] bytes : List.of(garbage, cut, badType, Arrays.copyOf(garbage, 24))) {
        FrameFault fault = FrameFormat.decode(bytes).fault();
        assertThat(fault.kind()).as("version %d", version).isEqualTo(CorruptionKind.STRUCTURAL);
        assertThat(fault.detail())
            .isEqualTo(
                "version "
                    + version
                    + " cannot be a future format version (this build reads version 1; newer"
                    + " formats are numbered 2 to 255)");
        assertThat(fault.crcDecides()).isFalse();
      }
    }
  }

  @Test
  void aWholeFrameCrcValidAsVersionOneIsUnsupportedWhateverItsVersionSays() {
    for (int version : new int[] {0, 256, 0xFFFF, 0xCAFE}) {
      byte[] bytes = withVersion(frame(RecordType.PUT, 9, "key", "a payload"), version);
      FrameFault fault = FrameFormat.decode(bytes).fault();
      assertThat(fault.kind())
          .as("version %d", version)
          .isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
      assertThat(fault.detail())
          .startsWith("version " + version + " (this build reads version 1)")
          .contains("otherwise a whole, CRC-valid version-1 frame")
          .contains("not a torn tail");
      // Followed by more bytes, as in a segment: the frame's own length still decides.
      assertThat(FrameFormat.check(concat(bytes, new byte[30]), bytes.length + 30).kind())
          .isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
    }
  }

  @Test
  void theHeaderAloneLeavesAnImpossibleVersionOnAWholeFrameToTheCrc() {
    byte[] bytes = withVersion(frame(RecordType.RAW, 1, "", "x"), 0xFFFF);
    ByteBuffer header = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    FrameFault whole = FrameFormat.checkHeader(header, 0, bytes.length);
    assertThat(whole.crcDecides()).isTrue();
    assertThat(whole.kind()).isEqualTo(CorruptionKind.STRUCTURAL);
    assertThat(whole.settle(true).kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
    assertThat(whole.settle(false)).isEqualTo(FrameFormat.checkHeader(header, 0, 24));
    assertThat(FrameFormat.checkHeader(header, 0, bytes.length - 1).crcDecides()).isFalse();
  }

  @Test
  void versionsTwoToTwoFiftyFiveAreUnsupportedWhateverFollows() {
    for (int version : new int[] {2, 255}) {
      byte[] bytes = withVersion(frame(RecordType.RAW, 1, "", "x"), version);
      bytes[24] ^= 1; // CRC no longer matches: a newer format's frame need not match ours
      FrameFault fault = FrameFormat.decode(Arrays.copyOf(bytes, 24)).fault();
      assertThat(fault.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
      assertThat(fault.detail()).contains("version " + version);
      assertThat(FrameFormat.decode(bytes).fault().kind())
          .isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
    }
  }

  @Test
  void unknownRecordTypeIsAStructuralError() {
    byte[] bytes = frame(RecordType.RAW, 1, "", "x");
    bytes[6] = (byte) 200;
    DecodedFrame decoded = FrameFormat.decode(bytes);
    assertThat(decoded.fault().kind()).isEqualTo(CorruptionKind.STRUCTURAL);
    assertThat(decoded.fault().detail()).contains("record type 200");
  }

  @Test
  void nonZeroFlagsAreAStructuralError() {
    byte[] bytes = frame(RecordType.RAW, 1, "", "x");
    bytes[7] = 1;
    DecodedFrame decoded = FrameFormat.decode(bytes);
    assertThat(decoded.fault().kind()).isEqualTo(CorruptionKind.STRUCTURAL);
    assertThat(decoded.fault().detail()).contains("flags 1");
  }

  @Test
  void checksAreMadeInTheSpecifiedOrder() {
    // Bad magic and a bad version: magic is checked first.
    byte[] bytes = frame(RecordType.RAW, 1, "", "x");
    bytes[0] = 0;
    bytes[4] = 99;
    assertThat(FrameFormat.decode(bytes).fault().detail()).contains("bad magic");
    // Oversize key length and a truncated body: the limit is checked before presence.
    byte[] header = Arrays.copyOf(frame(RecordType.PUT, 1, "k", "v"), 24);
    ByteBuffer.wrap(header).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(16, 70_000);
    assertThat(FrameFormat.decode(header).fault().detail()).contains("MAX_KEY_LEN");
    ByteBuffer.wrap(header)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(16, 0)
        .putInt(20, FrameFormat.MAX_PAYLOAD_LEN + 1);
    assertThat(FrameFormat.decode(header).fault().detail()).contains("MAX_PAYLOAD_LEN");
  }

  @Test
  void oversizeKeyIsRejectedNamingTheLimit() {
    assertThatThrownBy(
            () ->
                FrameFormat.encode(
                    RecordType.PUT, 1, new byte[FrameFormat.MAX_KEY_LEN + 1], new byte[0]))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageContaining("MAX_KEY_LEN")
        .hasMessageContaining("65537");
    assertThat(
            FrameFormat.decode(
                    toArray(
                        FrameFormat.encode(
                            RecordType.PUT, 1, new byte[FrameFormat.MAX_KEY_LEN], new byte[0])))
                .valid())
        .isTrue();
  }

  @Test
  void oversizePayloadIsRejectedNamingTheLimit() {
    assertThatThrownBy(() -> FrameFormat.checkLimits(0, FrameFormat.MAX_PAYLOAD_LEN + 1))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageContaining("MAX_PAYLOAD_LEN")
        .extracting(e -> ((LimitExceededException) e).allowed())
        .isEqualTo(67_108_864L);
  }

  @Test
  void crc32cMatchesTheCheckValues() {
    assertThat(crc32c(utf8("123456789"))).isEqualTo(0xE3069283L);
    assertThat(crc32c(new byte[32])).isEqualTo(0x8A9136AAL);
    byte[] ones = new byte[32];
    Arrays.fill(ones, (byte) 0xFF);
    assertThat(crc32c(ones)).isEqualTo(0x62A8AB43L);
    byte[] ascending = new byte[32];
    for (int i = 0; i < 32; i++) {
      ascending[i] = (byte) i;
    }
    assertThat(crc32c(ascending)).isEqualTo(0x46DD794EL);
  }

  @Test
  void frameCrcIsNotCrc32Ieee() {
    byte[] bytes = frame(RecordType.RAW, 1, "", "123456789");
    int crcAt = bytes.length - 4;
    long stored =
        Integer.toUnsignedLong(
            ByteBuffer.wrap(bytes, crcAt, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
    CRC32 ieee = new CRC32();
    ieee.update(bytes, 0, crcAt);
    assertThat(stored).isNotEqualTo(ieee.getValue());
    CRC32C castagnoli = new CRC32C();
    castagnoli.update(bytes, 0, crcAt);
    assertThat(stored).isEqualTo(castagnoli.getValue());
  }

  /** {@code bytes} with the u16 version field set to {@code version}. */
  private static byte[] withVersion(byte[] bytes, int version) {
    bytes[FrameFormat.VERSION_OFFSET] = (byte) version;
    bytes[FrameFormat.VERSION_OFFSET + 1] = (byte) (version >>> 8);
    return bytes;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private static long crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return crc.getValue();
  }

  private static byte[] toArray(ByteBuffer buf) {
    byte[] bytes = new byte[buf.remaining()];
    buf.get(bytes);
    return bytes;
  }
}
