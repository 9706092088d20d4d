package dev.datawal.spring.health;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.RecordLog;
import dev.datawal.RecordLogReader;
import dev.datawal.VerificationReport;
import dev.datawal.autoconfigure.DamagedStores;
import dev.datawal.spring.DatawalStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The health indicator on real stores. */
class DatawalHealthIndicatorTests {
  @TempDir Path tmp;

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void upWithDetailsForAnOpenStore() {
    try (DataWal kv = DataWal.open(tmp)) {
      kv.put(utf8("k"), utf8("v"));
      Health health = new DatawalHealthIndicator(DatawalStore.of(kv, null), 1024).health();

      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails())
          .containsEntry("dir", tmp.toString())
          .containsEntry("mode", "kv")
          .containsEntry("segments", 1)
          .containsEntry("nextTxid", 2L)
          .containsEntry("threshold", 1024L)
          .containsEntry("startupDamage", 0)
          .containsEntry("tailBytesDiscarded", 0L)
          .containsKeys("diskBytes", "free")
          .doesNotContainKey("reason");
    }
  }

  @Test
  void downWhenTheStoreIsClosed() {
    RecordLog log = RecordLog.open(tmp);
    DatawalStore store = DatawalStore.of(log, null);
    log.close();

    Health health = new DatawalHealthIndicator(store, 0).health();

    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails()).containsEntry("reason", "the store is closed");
  }

  @Test
  void downWhenFreeSpaceIsUnderTheThreshold() {
    try (RecordLog log = RecordLog.open(tmp)) {
      Health health =
          new DatawalHealthIndicator(DatawalStore.of(log, null), Long.MAX_VALUE).health();

      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails().get("reason").toString())
          .contains("datawal.health.free-space-threshold")
          .contains(String.valueOf(Long.MAX_VALUE));
    }
  }

  @Test
  void startupDamageShowsButTheStoreStaysUp() throws IOException {
    try (RecordLog log = RecordLog.open(tmp)) {
      log.append(utf8("one"));
      log.append(utf8("two"));
    }
    Files.write(
        tmp.resolve("00000001.dwal"),
        new byte[] {'D', 'W', 'A', 'L', 1, 0, 0},
        StandardOpenOption.APPEND);

    try (RecordLog log = RecordLog.open(tmp)) {
      Health health = new DatawalHealthIndicator(DatawalStore.of(log, null), 0).health();

      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails())
          .containsEntry("startupDamage", 1)
          .containsEntry("tailBytesDiscarded", 7L);
    }
  }

  @Test
  void downWhenAVerificationFoundDamagedData() throws IOException {
    DamagedStores.crcMismatchInASealedSegment(tmp);
    DatawalOptions noBackground = DatawalOptions.builder().verifyAfterOpen(false).build();
    try (DataWal kv = DataWal.open(tmp, noBackground)) {
      DatawalStore store = DatawalStore.of(kv, null);
      VerificationReport report = store.verify();

      Health health = new DatawalHealthIndicator(store, 0).health();

      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails())
          .containsEntry(
              "reason",
              "datawal found damaged or lost data in segment 1: CRC mismatch; the next start"
                  + " refuses the store until `datawal repair`")
          .containsEntry("integrityProblems", 1)
          .containsEntry("verificationRunning", false)
          .containsEntry("lastVerification", report.started().plus(report.took()))
          .containsEntry("mode", "kv");
    }
  }

  @Test
  void upDetailsSayWhenTheLastVerificationFinished() {
    try (DataWal kv = DataWal.open(tmp)) {
      kv.put(utf8("k"), utf8("v"));
      DatawalStore store = DatawalStore.of(kv, null);
      Health before = new DatawalHealthIndicator(store, 0).health();
      store.verify();

      Health after = new DatawalHealthIndicator(store, 0).health();

      assertThat(before.getDetails())
          .containsEntry("integrityProblems", 0)
          .containsEntry("verificationRunning", false)
          .doesNotContainKey("lastVerification");
      assertThat(after.getStatus()).isEqualTo(Status.UP);
      assertThat((Instant) after.getDetails().get("lastVerification"))
          .isBeforeOrEqualTo(Instant.now());
    }
  }

  @Test
  void aReadOnlyViewHasNoIntegrityDetails() {
    try (RecordLog log = RecordLog.open(tmp)) {
      log.append(utf8("e"));
    }
    RecordLogReader reader = RecordLogReader.open(tmp);

    Health health =
        new DatawalHealthIndicator(DatawalStore.of(reader, reader.report(), null), 0).health();

    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(health.getDetails())
        .doesNotContainKeys("integrityProblems", "verificationRunning", "lastVerification");
  }
}
