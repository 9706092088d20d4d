package dev.datawal.modulith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.events.EventPublication.Status;

/** The stored value's format: round trips, the documented layout, and every decode error. */
class PublicationRecordTests {
  private static final UUID ID = UUID.fromString("12345678-9abc-def0-1234-56789abcdef0");
  private static final byte[] KEY = PublicationKeys.INCOMPLETE.key(ID);
  private static final PublicationRecord RECORD =
      new PublicationRecord(
          ID,
          Status.RESUBMITTED,
          3,
          Instant.parse("2026-01-01T00:00:00.000000001Z"),
          Instant.parse("2026-01-02T00:00:00Z"),
          null,
          "listener",
          "com.example.OrderPlaced",
          "{\"id\":\"é\"}");

  @Test
  void aRecordRoundTrips() {
    assertThat(PublicationRecord.decode(KEY, ID, RECORD.encode())).isEqualTo(RECORD);
    PublicationRecord done = RECORD.completedAt(Instant.parse("2026-01-03T00:00:00Z"));
    assertThat(PublicationRecord.decode(KEY, ID, done.encode())).isEqualTo(done);
    assertThat(PublicationRecord.completionDate(KEY, done.encode()))
        .isEqualTo(Instant.parse("2026-01-03T00:00:00Z"));
    assertThat(PublicationRecord.publicationDate(KEY, done.encode()))
        .isEqualTo(RECORD.publicationDate());
  }

  @Test
  void theLayoutIsTheDocumentedOne() {
    ByteBuffer value = ByteBuffer.wrap(RECORD.encode());
    assertThat(value.get(0)).isEqualTo((byte) 1); // version
    assertThat(value.get(1)).isEqualTo((byte) 4); // RESUBMITTED
    assertThat(value.get(2)).isEqualTo((byte) 1); // last resubmission set, no completion
    assertThat(value.getInt(3)).isEqualTo(3);
    assertThat(value.getLong(7)).isEqualTo(RECORD.publicationDate().getEpochSecond());
    assertThat(value.getInt(15)).isEqualTo(1);
    assertThat(value.getInt(43)).isEqualTo("listener".length());
    assertThat(PublicationKeys.describe(KEY)).isEqualTo("modulith/pub/" + ID);
    assertThat(KEY).hasSize(29);
  }

  @Test
  void everyDamageIsReportedWithTheKey() {
    byte[] good = RECORD.encode();
    assertDamaged(Arrays.copyOf(good, 10), "shorter than");
    assertDamaged(with(good, 0, 9), "format version 9");
    assertDamaged(with(good, 1, 7), "status code 7");
    assertDamaged(with(good, 2, 0x40), "unknown bits");
    assertDamaged(Arrays.copyOf(good, good.length - 1), "serialized event's length");
    assertDamaged(Arrays.copyOf(good, good.length + 1), "1 bytes follow");
    byte[] badUtf8 = good.clone();
    badUtf8[47] = (byte) 0xff; // first byte of the listener id
    assertDamaged(badUtf8, "listener id at byte 47 is not valid UTF-8");
    byte[] completedFlagOnly = with(good, 2, 3);
    assertDamaged(completedFlagOnly, "disagrees");
  }

  private static byte[] with(byte[] value, int offset, int b) {
    byte[] copy = value.clone();
    copy[offset] = (byte) b;
    return copy;
  }

  private static void assertDamaged(byte[] value, String problem) {
    assertThatThrownBy(() -> PublicationRecord.decode(KEY, ID, value))
        .isInstanceOf(PublicationFormatException.class)
        .hasMessageContaining("modulith/pub/" + ID)
        .hasMessageContaining(problem)
        .satisfies(
            e ->
                assertThat(((PublicationFormatException) e).key()).isEqualTo("modulith/pub/" + ID));
  }
}
