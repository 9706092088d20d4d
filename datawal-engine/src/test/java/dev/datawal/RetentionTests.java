package dev.datawal;

import static dev.datawal.TestFiles.payloads;
import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention for plain event logs: whole sealed segments go, oldest first, never the active one. */
class RetentionTests {
  @TempDir Path dir;

  private static DatawalOptions.Builder options() {
    return DatawalOptions.builder().maxSegmentSize(100).fsyncPolicy(FsyncPolicy.MANUAL);
  }

  /** Ten 30-byte records, three to a 100-byte segment: segments 1-3 sealed, 4 active. */
  private static void tenRecords(RecordLog log) {
    for (int i = 0; i < 10; i++) {
      log.append(utf8("e" + i));
    }
  }

  @Test
  void aSizeLimitDeletesTheOldestSealedSegmentsUntilTheLogFits() {
    try (RecordLog log = RecordLog.open(dir, options().retentionMaxBytes(150).build())) {
      tenRecords(log);
      RetentionStats stats = log.applyRetention();
      // 300 bytes: deleting segments 1 and 2 (90 bytes each) leaves 120 <= 150.
      assertThat(stats.segmentsDeleted()).isEqualTo(2);
      assertThat(stats.bytesReclaimed()).isEqualTo(180);
      assertThat(stats.segmentsBefore()).isEqualTo(4);
      assertThat(stats.segmentsAfter()).isEqualTo(2);
      assertThat(payloads(log.scan())).containsExactly("e6", "e7", "e8", "e9");
      assertThat(segment(dir, 1)).doesNotExist();
      assertThat(segment(dir, 3)).exists();
    }
    try (RecordLog log = RecordLog.open(dir, options().build())) {
      assertThat(payloads(log.scan())).containsExactly("e6", "e7", "e8", "e9");
      assertThat(log.append(utf8("e10")).txid()).isEqualTo(11);
    }
  }

  @Test
  void aReaderFloorKeepsEverySegmentHoldingARecordItStillNeeds() {
    try (RecordLog log = RecordLog.open(dir, options().retentionMaxBytes(1).build())) {
      tenRecords(log); // txids 1-3 in segment 1, 4-6 in 2, 7-9 in 3, 10 in the active 4
      assertThat(log.applyRetention(3).segmentsDeleted()).isZero(); // segment 1 holds txid 3
      assertThat(payloads(log.scan())).startsWith("e0");
      assertThat(log.applyRetention(5).segmentsDeleted()).isEqualTo(1); // 2 holds txid 5
      assertThat(payloads(log.scan())).startsWith("e3");
      assertThat(log.applyRetention(7).segmentsDeleted()).isEqualTo(1); // 7 is in 3
      assertThat(payloads(log.scan())).containsExactly("e6", "e7", "e8", "e9");
    }
  }

  @Test
  void aReaderFloorPastEmptySegmentsUsesTheNextTxid() {
    try (RecordLog log = RecordLog.open(dir, options().retentionMaxBytes(1).build())) {
      log.append(utf8("e0"));
      log.rotate();
      log.rotate(); // segments 1 (txid 1) and 2 (empty) sealed, 3 active and empty
      assertThat(log.applyRetention(1).segmentsDeleted()).isZero();
      // Segment 1 goes; the empty segment 2 then leaves the log within its size limit.
      assertThat(log.applyRetention(2).segmentsDeleted()).isEqualTo(1);
      assertThat(log.scan()).isEmpty();
      assertThat(log.append(utf8("e1")).txid()).isEqualTo(2);
    }
  }

  @Test
  void theActiveSegmentIsNeverDeleted() {
    try (RecordLog log = RecordLog.open(dir, options().retentionMaxBytes(1).build())) {
      tenRecords(log);
      log.applyRetention();
      assertThat(payloads(log.scan())).containsExactly("e9");
      assertThat(log.applyRetention().segmentsDeleted()).isZero();
    }
  }

  @Test
  void anAgeLimitDeletesSegmentsLastWrittenTooLongAgo() throws Exception {
    try (RecordLog log =
        RecordLog.open(dir, options().retentionMaxAge(Duration.ofHours(1)).build())) {
      tenRecords(log);
      FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
      Files.setLastModifiedTime(segment(dir, 1), old);
      Files.setLastModifiedTime(segment(dir, 2), old);
      Files.setLastModifiedTime(segment(dir, 4), old); // the active one: never deleted
      RetentionStats stats = log.applyRetention();
      assertThat(stats.segmentsDeleted()).isEqualTo(2);
      assertThat(payloads(log.scan())).startsWith("e6");
      assertThat(log.applyRetention().segmentsDeleted()).isZero();
    }
  }

  @Test
  void withoutLimitsNothingIsDeleted() {
    try (RecordLog log = RecordLog.open(dir, options().build())) {
      tenRecords(log);
      assertThat(log.applyRetention().segmentsDeleted()).isZero();
      assertThat(log.scan()).hasSize(10);
    }
  }

  @Test
  void scansReadersAndFollowersSkipDeletedSegments() throws Exception {
    try (RecordLog log = RecordLog.open(dir, options().retentionMaxBytes(150).build())) {
      tenRecords(log);
      log.fsync();
      RecordLogReader reader = RecordLogReader.open(dir); // lists segments 1-4
      try (RecordIterator scan = log.scanIter();
          LogFollower follower = log.follow(1)) {
        log.applyRetention();
        assertThat(payloads(reader.scan())).containsExactly("e6", "e7", "e8", "e9");
        List<Record> rest = new java.util.ArrayList<>();
        scan.forEachRemaining(rest::add);
        assertThat(payloads(rest)).containsExactly("e6", "e7", "e8", "e9");
        assertThat(follower.poll(Duration.ofSeconds(30)).txid()).isEqualTo(7);
      }
    }
  }

  @Test
  void aKeyValueStoreRefusesRetention() {
    try (DataWal store = DataWal.open(dir, options().retentionMaxBytes(1).build())) {
      store.put(utf8("k"), utf8("v"));
      assertThatThrownBy(() -> store.log().applyRetention())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("compact()");
    }
  }

  @Test
  void limitsAreValidated() {
    assertThatThrownBy(() -> DatawalOptions.builder().retentionMaxBytes(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retentionMaxBytes");
    assertThatThrownBy(() -> DatawalOptions.builder().retentionMaxAge(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retentionMaxAge");
  }
}
