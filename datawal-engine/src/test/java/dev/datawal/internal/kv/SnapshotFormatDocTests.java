package dev.datawal.internal.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The key-directory snapshot's layout in {@code docs/format.md} is the one {@link SnapshotFormat}
 * defines and {@link SnapshotWriter} writes: the head's fields, a segment entry's and a slot's.
 */
class SnapshotFormatDocTests {
  private static final Path FORMAT_DOC = Path.of("../docs/format.md");

  /** A head row, {@code " 16 8 last_txid ..."}. */
  private static final Pattern HEAD_ROW =
      Pattern.compile("^\\s{0,6}(\\d+)\\s+(\\d+)\\s+([a-z_]+)\\b");

  /** A nested row, {@code "+8 8 size ..."} (segment entry or slot). */
  private static final Pattern NESTED_ROW =
      Pattern.compile("\\s\\+(\\d+)\\s+(\\d+)\\s+([a-z_]+)\\b");

  @Test
  void theHeadIsTheLayoutTheWriterWrites() throws IOException {
    Map<String, Integer> offsets = new LinkedHashMap<>();
    Map<String, Integer> sizes = new LinkedHashMap<>();
    for (String line : section().split("\n")) {
      Matcher row = HEAD_ROW.matcher(line);
      if (row.find()) {
        offsets.put(row.group(3), Integer.parseInt(row.group(1)));
        sizes.put(row.group(3), Integer.parseInt(row.group(2)));
      }
    }
    assertThat(offsets)
        .containsEntry("magic", 0)
        .containsEntry("version", SnapshotFormat.VERSION_OFFSET)
        .containsEntry("flags", SnapshotFormat.FLAGS_OFFSET)
        .containsEntry("segment_count", SnapshotFormat.SEGMENT_COUNT_OFFSET)
        .containsEntry("last_txid", SnapshotFormat.LAST_TXID_OFFSET)
        .containsEntry("entry_count", SnapshotFormat.ENTRY_COUNT_OFFSET)
        .containsEntry("hash_seed", SnapshotFormat.HASH_SEED_OFFSET)
        .containsEntry("home_slots", SnapshotFormat.HOME_SLOTS_OFFSET)
        .containsEntry("slot_count", SnapshotFormat.SLOT_COUNT_OFFSET)
        .containsEntry("arena_size", SnapshotFormat.ARENA_SIZE_OFFSET)
        .containsEntry("page_size", SnapshotFormat.PAGE_SIZE_OFFSET)
        .containsEntry("reserved", SnapshotFormat.RESERVED_OFFSET);
    assertThat(sizes)
        .containsEntry("magic", SnapshotFormat.MAGIC.length)
        .containsEntry("version", 2)
        .containsEntry("flags", 2)
        .containsEntry("segment_count", 4)
        .containsEntry("page_size", 4)
        .containsEntry("reserved", SnapshotFormat.HEADER_SIZE - SnapshotFormat.RESERVED_OFFSET);
    assertThat(section())
        .contains("\n    " + SnapshotFormat.HEADER_SIZE + "          28 * N  segments")
        .contains("ASCII \"" + new String(SnapshotFormat.MAGIC, StandardCharsets.US_ASCII) + "\"")
        .contains("u16 = " + SnapshotFormat.VERSION)
        .contains("u32 = " + SnapshotFormat.PAGE_SIZE)
        .contains("24 * T    slots")
        .contains("Format version " + SnapshotFormat.VERSION + ".");
  }

  @Test
  void aSegmentEntryAndASlotAreTheLayoutTheWriterWrites() throws IOException {
    Map<String, int[]> nested = new LinkedHashMap<>();
    for (String line : section().split("\n")) {
      Matcher row = NESTED_ROW.matcher(line);
      if (row.find()) {
        nested.put(
            row.group(3),
            new int[] {Integer.parseInt(row.group(1)), Integer.parseInt(row.group(2))});
      }
    }
    assertThat(nested.get("id")).containsExactly(0, 8);
    assertThat(nested.get("size")).containsExactly(8, 8);
    assertThat(nested.get("live_bytes")).containsExactly(16, 8);
    assertThat(nested.get("tail_crc")).containsExactly(24, 4);
    assertThat(24 + 4).isEqualTo(SnapshotFormat.SEGMENT_SIZE);
    assertThat(nested.get("frame_length")).containsExactly(0, 4);
    assertThat(nested.get("hash")).containsExactly(4, 4);
    assertThat(nested.get("place")).containsExactly(8, 8);
    assertThat(nested.get("key")).containsExactly(16, 8);
    assertThat(16 + 8).isEqualTo(SnapshotFormat.SLOT_SIZE);
    assertThat(section()).contains("<< " + SnapshotFormat.KEY_LEN_BITS + " | key_len");
  }

  private static String section() throws IOException {
    String doc = Files.readString(FORMAT_DOC);
    String heading = "\n## Key-directory snapshot";
    int start = doc.indexOf(heading);
    assertThat(start).as("heading in %s", FORMAT_DOC).isNotNegative();
    int end = doc.indexOf("\n## ", start + heading.length());
    return doc.substring(start, end < 0 ? doc.length() : end);
  }
}
