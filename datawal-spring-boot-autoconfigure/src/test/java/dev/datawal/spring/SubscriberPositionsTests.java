package dev.datawal.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.DatawalException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubscriberPositionsTests {
  @TempDir Path dir;

  @Test
  void aCommittedPositionIsReadBackFromItsOwnFile() throws Exception {
    SubscriberPositions positions = SubscriberPositions.of(dir);
    assertThat(positions.position("billing")).isZero();

    positions.commit("billing", 41);
    positions.commit("billing", 42);

    Path file = dir.resolve("subscribers").resolve("billing.position");
    assertThat(positions.file("billing")).isEqualTo(file);
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    String body = "datawal-subscriber-position 1\ntxid 42\n";
    CRC32C crc = new CRC32C();
    crc.update(body.getBytes(StandardCharsets.US_ASCII));
    assertThat(text).isEqualTo(body + "crc32c " + String.format("%08x", crc.getValue()) + "\n");
    assertThat(SubscriberPositions.of(dir).position("billing")).isEqualTo(42);
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file); // no temp file left behind
    }
  }

  @Test
  void theRetentionFloorIsTheLowestUnprocessedTxid() {
    SubscriberPositions positions = SubscriberPositions.of(dir);
    assertThat(positions.retentionFloor()).isEmpty();
    assertThat(positions.all()).isEmpty();

    positions.commit("billing", 42);
    positions.commit("audit", 7);
    positions.commit("mail", 100);

    assertThat(positions.all()).isEqualTo(Map.of("audit", 7L, "billing", 42L, "mail", 100L));
    assertThat(positions.retentionFloor()).hasValue(8);
    positions.commit("new.one", 0);
    assertThat(positions.retentionFloor()).hasValue(1);
    assertThat(positions.delete("new.one")).isTrue();
    assertThat(positions.delete("new.one")).isFalse();
    assertThat(positions.retentionFloor()).hasValue(8);
  }

  @Test
  void leftoverTempFilesAndForeignNamesAreIgnored() throws Exception {
    SubscriberPositions positions = SubscriberPositions.of(dir);
    positions.commit("a", 3);
    Files.writeString(positions.directory().resolve("a.position.tmp"), "garbage");
    Files.writeString(positions.directory().resolve("README"), "notes");

    assertThat(positions.all()).containsOnlyKeys("a");
    assertThat(positions.position("a")).isEqualTo(3);
  }

  @Test
  void aDamagedPositionFileIsAnErrorNamingTheFileNeverPositionZero() throws Exception {
    SubscriberPositions positions = SubscriberPositions.of(dir);
    positions.commit("billing", 42);
    Path file = positions.file("billing");
    String good = Files.readString(file);

    for (String damaged :
        new String[] {
          good.replace("txid 42", "txid 43"), // CRC mismatch
          good.substring(0, good.length() - 5), // torn
          "",
          "hello\n",
          good.replace("42", "4x")
        }) {
      Files.writeString(file, damaged);
      assertThatThrownBy(() -> positions.position("billing"))
          .as(damaged)
          .isInstanceOf(DatawalException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("damaged");
      assertThatThrownBy(positions::retentionFloor)
          .isInstanceOf(DatawalException.class)
          .hasMessageContaining(file.toString());
    }
  }

  @Test
  void subscriberNamesAreCheckedBeforeTouchingTheDisk() {
    SubscriberPositions positions = SubscriberPositions.of(dir);
    for (String bad : new String[] {"", "..", ".", "a/b", "../etc", "a b", "é", "x".repeat(101)}) {
      assertThatThrownBy(() -> positions.commit(bad, 1))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[A-Za-z0-9._-]");
    }
    assertThat(positions.directory()).doesNotExist();
    SubscriberPositions.checkName("x".repeat(100));
    SubscriberPositions.checkName("Billing-v2.eu_1");
    assertThatThrownBy(() -> positions.commit("a", -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
