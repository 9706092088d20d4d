package dev.datawal;

import static dev.datawal.TestFiles.payloads;
import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference's Integration group: the log and the key/value view across a reopen. */
class IntegrationTests {
  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("store");
  }

  @Test
  void tenRecordsSurviveReopen() {
    try (RecordLog log = RecordLog.open(dir())) {
      for (int i = 0; i < 10; i++) {
        log.append(utf8("rec-" + i));
      }
      log.fsync();
    }
    try (RecordLog log = RecordLog.open(dir())) {
      List<Record> records = log.scan();
      assertThat(payloads(records))
          .containsExactlyElementsOf(IntStream.range(0, 10).mapToObj(i -> "rec-" + i).toList());
      assertThat(records).allSatisfy(r -> assertThat(r.type()).isEqualTo(RecordType.RAW));
      assertThat(records)
          .extracting(Record::txid)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
      RecoveryReport report = log.recoveryReport();
      assertThat(report.recordsReplayed()).isEqualTo(10);
      assertThat(report.tailTruncated()).isZero();
      assertThat(report.tailBytesDiscarded()).isZero();
      assertThat(report.lastTxidSeen()).isEqualTo(10);
    }
  }

  @Test
  void twentyKeysWithEvenOnesDeletedAndOneOverwrittenReopenAsTen() {
    try (DataWal kv = DataWal.open(dir())) {
      for (int i = 0; i < 20; i++) {
        kv.put(utf8(String.format("k%02d", i)), utf8("v" + i));
      }
      for (int i = 0; i < 20; i += 2) {
        assertThat(kv.delete(utf8(String.format("k%02d", i)))).isTrue();
      }
      kv.put(utf8("k01"), utf8("v1-bis"));
      kv.fsync();
    }
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(kv.size()).isEqualTo(10);
      for (int i = 0; i < 20; i += 2) {
        String key = String.format("k%02d", i);
        assertThat(kv.containsKey(utf8(key))).as(key).isFalse();
        assertThat(kv.get(utf8(key))).as(key).isEmpty();
      }
      assertThat(kv.get(utf8("k01")).map(TestFiles::str)).contains("v1-bis");
      for (int i = 3; i < 20; i += 2) {
        assertThat(kv.get(utf8(String.format("k%02d", i))).map(TestFiles::str)).contains("v" + i);
      }
      assertThat(kv.keys())
          .extracting(TestFiles::str)
          .containsExactly("k01", "k03", "k05", "k07", "k09", "k11", "k13", "k15", "k17", "k19");
      // Closed cleanly: the key directory comes from the snapshot, no record is read again.
      assertThat(kv.recoveryReport().snapshotUsed()).isTrue();
      assertThat(kv.recoveryReport().snapshotKeys()).isEqualTo(10);
      assertThat(kv.recoveryReport().recordsReplayed()).isZero();
      assertThat(kv.recoveryReport().lastTxidSeen()).isEqualTo(20 + 10 + 1);
    }
  }

  @Test
  void aTruncatedTailDropsTheLastPutForTheLogAndTheKeyValueView() throws IOException {
    RecordLog writer = RecordLog.open(dir());
    writer.appendRecord(RecordType.PUT, utf8("a"), utf8("alpha"));
    RecordRef last = writer.appendRecord(RecordType.PUT, utf8("b"), utf8("beta"));
    writer.fsync();
    TestFiles.closeAsIfKilled(writer, dir()); // a crash, which is what leaves a torn tail
    long cutAt = last.offset() + 24 + 1; // inside the last frame's key and payload
    assertThat(cutAt).isLessThan(Files.size(segment(dir(), 1)));
    TestFiles.truncate(segment(dir(), 1), cutAt);

    try (DataWal kv = DataWal.open(dir())) {
      RecoveryReport report = kv.recoveryReport();
      assertThat(report.recordsReplayed()).isEqualTo(1);
      assertThat(report.tailTruncated()).isEqualTo(1);
      assertThat(report.tailBytesDiscarded()).isEqualTo(25);
      assertThat(kv.log().scan()).extracting(r -> str(r.key())).containsExactly("a");
      assertThat(kv.size()).isEqualTo(1);
      assertThat(kv.containsKey(utf8("a"))).isTrue();
      assertThat(kv.containsKey(utf8("b"))).isFalse();
      assertThat(kv.get(utf8("a")).map(TestFiles::str)).contains("alpha");
    }
    try (RecordLog log = RecordLog.open(dir())) {
      List<Record> records = log.scan();
      assertThat(records).extracting(r -> str(r.key())).containsExactly("a");
      assertThat(payloads(records)).containsExactly("alpha");
    }
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(kv.keys()).extracting(TestFiles::str).containsExactly("a");
      // The torn tail is gone for good: a new put follows the valid prefix and survives a reopen.
      assertThat(kv.put(utf8("b"), utf8("beta again")).offset()).isEqualTo(last.offset());
    }
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(kv.get(utf8("b")).map(TestFiles::str)).contains("beta again");
      assertThat(kv.size()).isEqualTo(2);
    }
  }
}
