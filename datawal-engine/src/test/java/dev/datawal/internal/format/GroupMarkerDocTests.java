package dev.datawal.internal.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.RecordType;
import java.io.IOException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The record group marker's layout in {@code docs/format.md} ("Record groups (datawal extension)")
 * is the one {@link GroupMarker} writes and recognizes.
 */
class GroupMarkerDocTests {
  private static final String SECTION = "## Record groups (datawal extension)";

  @Test
  void theMarkerTableIsTheLayoutTheCodeWrites() throws IOException {
    Map<String, int[]> expected = new LinkedHashMap<>();
    expected.put("prefix", new int[] {0, GroupMarker.PREFIX_LENGTH});
    expected.put("members", new int[] {GroupMarker.MEMBERS_OFFSET, Integer.BYTES});
    expected.put("length", new int[] {GroupMarker.LENGTH_OFFSET, Long.BYTES});

    String section = FrameFormatDocTests.section(SECTION);
    Map<String, int[]> documented = FrameFormatDocTests.table(section);

    assertThat(documented.keySet()).containsExactlyElementsOf(expected.keySet());
    expected.forEach(
        (field, offsetAndSize) ->
            assertThat(documented.get(field)).as(field).containsExactly(offsetAndSize));
    String prefixHex =
        HexFormat.ofDelimiter(" ").withUpperCase().formatHex(GroupMarker.prefixBytes());
    assertThat(section)
        .contains(prefixHex)
        .contains(GroupMarker.PREFIX_TEXT)
        .contains("record_type " + RecordType.DELETE.code() + " (Delete)")
        .contains("key of " + GroupMarker.KEY_LENGTH + " bytes")
        .contains("the frame is " + GroupMarker.FRAME_LENGTH + " bytes")
        .contains("`INCOMPLETE_GROUP`")
        .contains("`GROUP_MISMATCH`");
  }

  @Test
  void aMarkerIsTheFrameTheDocumentSpellsOut() {
    // "44 57 41 4C 01 00 02 00, its txid, 1B 00 00 00 00 00 00 00, the 27-byte key, the CRC".
    byte[] key = new GroupMarker(3, 200).key();
    var frame = FrameFormat.encode(RecordType.DELETE, 9, key, new byte[0]);
    assertThat(frame.remaining()).isEqualTo(GroupMarker.FRAME_LENGTH);
    byte[] bytes = new byte[frame.remaining()];
    frame.get(bytes);
    assertThat(HexFormat.of().formatHex(bytes, 0, 8)).isEqualTo("4457414c01000200");
    assertThat(HexFormat.of().formatHex(bytes, 16, 24)).isEqualTo("1b00000000000000");
    assertThat(GroupMarker.of(RecordType.DELETE, bytes, FrameFormat.HEADER_SIZE, 27, 0))
        .isEqualTo(new GroupMarker(3, 200));
    assertThat(GroupMarker.of(RecordType.PUT, bytes, FrameFormat.HEADER_SIZE, 27, 0)).isNull();
    assertThat(GroupMarker.of(RecordType.DELETE, bytes, FrameFormat.HEADER_SIZE, 27, 1)).isNull();
    assertThat(GroupMarker.of(RecordType.DELETE, key, 0, 26, 0)).isNull();
  }
}
