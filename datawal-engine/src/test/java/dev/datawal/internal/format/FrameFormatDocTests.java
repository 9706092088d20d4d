package dev.datawal.internal.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.CorruptionKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/format.md} is the one normative statement of the frame grammar and the recovery
 * rules; this test holds it to the code: the frame table's offsets and sizes, the limits, the frame
 * overhead, the CRC-32C check values, and a word on every kind of damage.
 */
class FrameFormatDocTests {
  static final Path FORMAT_DOC = Path.of("../docs/format.md");

  /** An "offset size field" row of a layout table: {@code " 16 4 key_len ..."}. */
  private static final Pattern ROW = Pattern.compile("^\\s*(\\d+)\\s+(\\d+)\\s+([a-z_]+)\\b");

  @Test
  void theFrameTableIsTheLayoutTheCodeWrites() throws IOException {
    Map<String, int[]> expected = new LinkedHashMap<>();
    expected.put("magic", new int[] {FrameFormat.MAGIC_OFFSET, Integer.BYTES});
    expected.put("version", new int[] {FrameFormat.VERSION_OFFSET, Short.BYTES});
    expected.put("record_type", new int[] {FrameFormat.TYPE_OFFSET, 1});
    expected.put("flags", new int[] {FrameFormat.FLAGS_OFFSET, 1});
    expected.put("txid", new int[] {FrameFormat.TXID_OFFSET, Long.BYTES});
    expected.put("key_len", new int[] {FrameFormat.KEY_LEN_OFFSET, Integer.BYTES});
    expected.put("payload_len", new int[] {FrameFormat.PAYLOAD_LEN_OFFSET, Integer.BYTES});

    Map<String, int[]> documented = table(section("## Record frame"));

    assertThat(documented.keySet()).containsExactlyElementsOf(expected.keySet());
    expected.forEach(
        (field, offsetAndSize) ->
            assertThat(documented.get(field)).as(field).containsExactly(offsetAndSize));
    String frame = section("## Record frame");
    assertThat(frame)
        .contains("Frame size = " + FrameFormat.OVERHEAD + " + K + P")
        .contains("\n    " + FrameFormat.HEADER_SIZE + "     K  key")
        .contains("ASCII \"DWAL\"")
        .contains("u16 = " + FrameFormat.VERSION)
        .contains(String.format("at most %,d (MAX_KEY_LEN)", FrameFormat.MAX_KEY_LEN))
        .contains(
            String.format("at most %,d = 64 MiB (MAX_PAYLOAD_LEN)", FrameFormat.MAX_PAYLOAD_LEN))
        .contains(FrameFormat.MAX_FUTURE_VERSION + " | may be a newer format's frame");
    assertThat(FrameFormat.MAGIC)
        .isEqualTo(
            java.nio.ByteBuffer.wrap("DWAL".getBytes(StandardCharsets.US_ASCII))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getInt());
  }

  @Test
  void theCrcCheckValuesAreCrc32c() throws IOException {
    String frame = section("## Record frame");
    byte[] ascending = new byte[32];
    for (int i = 0; i < 32; i++) {
      ascending[i] = (byte) i;
    }
    byte[] ones = new byte[32];
    Arrays.fill(ones, (byte) 0xFF);
    assertThat(frame)
        .contains(
            "`\"123456789\"` → `" + crc("123456789".getBytes(StandardCharsets.US_ASCII)) + "`")
        .contains("32 zero bytes → `" + crc(new byte[32]) + "`")
        .contains("`0xFF` → `" + crc(ones) + "`")
        .contains("bytes 0..31 → `" + crc(ascending) + "`");
  }

  @Test
  void everyKindOfDamageIsDocumented() throws IOException {
    String format = Files.readString(FORMAT_DOC);
    for (CorruptionKind kind : CorruptionKind.values()) {
      assertThat(format).as(kind.name()).contains("`" + kind.name() + "`");
    }
  }

  private static String crc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return String.format("0x%08X", crc.getValue());
  }

  /** The text of the section under {@code heading}, up to the next heading of any level 2. */
  static String section(String heading) throws IOException {
    String doc = Files.readString(FORMAT_DOC);
    int start = doc.indexOf("\n" + heading + "\n");
    assertThat(start).as("heading %s in %s", heading, FORMAT_DOC).isNotNegative();
    int end = doc.indexOf("\n## ", start + heading.length() + 1);
    return doc.substring(start, end < 0 ? doc.length() : end);
  }

  /** The rows of every layout table in {@code text}, by field: offset and size. */
  static Map<String, int[]> table(String text) {
    Map<String, int[]> rows = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      Matcher row = ROW.matcher(line);
      if (row.find()) {
        rows.put(
            row.group(3),
            new int[] {Integer.parseInt(row.group(1)), Integer.parseInt(row.group(2))});
      }
    }
    return rows;
  }
}
