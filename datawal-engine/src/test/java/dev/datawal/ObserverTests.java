package dev.datawal;

import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Observers see appends, fsyncs, gets, compactions and retention, and can never fail a write. */
class ObserverTests {
  @TempDir Path dir;

  /** Remembers every call as a line, so tests can assert what was told and in which order. */
  static final class Recording implements DatawalObserver {
    final List<String> events = new CopyOnWriteArrayList<>();
    final AtomicLong syncedRecords = new AtomicLong();

    @Override
    public void appended(int records, long bytes) {
      events.add("appended " + records + " " + bytes);
    }

    @Override
    public void synced(long records, long nanos) {
      syncedRecords.addAndGet(records);
      events.add("synced " + records + (nanos >= 0 ? "" : " negative"));
    }

    @Override
    public void read(boolean found, long nanos) {
      events.add("read " + found + (nanos >= 0 ? "" : " negative"));
    }

    @Override
    public void compacted(CompactionStats stats) {
      events.add("compacted " + stats.liveKeys());
    }

    @Override
    public void retained(RetentionStats stats) {
      events.add("retained " + stats.segmentsDeleted());
    }
  }

  @Test
  void appendsAndTheirFsyncsAreTold() {
    Recording seen = new Recording();
    try (RecordLog log = RecordLog.open(dir)) { // ALWAYS: one fsync per lone append
      log.addObserver(seen);
      log.append(utf8("abc")); // 28-byte header and CRC + 3
      log.appendBatch(List.of(Entry.raw(utf8("a")), Entry.raw(utf8("b"))));
      log.appendAsync(utf8("x")).join();
      assertThat(seen.events)
          .containsSubsequence("appended 1 31", "synced 1", "appended 2 58", "synced 2")
          .contains("appended 1 29");
      assertThat(seen.syncedRecords).hasValue(4);
    }
  }

  @Test
  void getsCompactionsAndRetentionAreTold() {
    Recording seen = new Recording();
    DatawalOptions small =
        DatawalOptions.builder().maxSegmentSize(100).fsyncPolicy(FsyncPolicy.MANUAL).build();
    try (DataWal wal = DataWal.open(dir, small)) {
      wal.addObserver(seen);
      for (int i = 0; i < 10; i++) {
        wal.put(utf8("k"), utf8("v" + i));
      }
      wal.get(utf8("k"));
      wal.get(utf8("missing"));
      wal.compact();
      assertThat(seen.events).contains("read true", "read false", "compacted 1");
    }
    try (RecordLog log = RecordLog.open(dir.resolve("log"), small)) {
      log.addObserver(seen);
      log.applyRetention();
      assertThat(seen.events).contains("retained 0");
    }
  }

  @Test
  void aFailingObserverNeverFailsAWriteAndRemovedObserversHearNothing() {
    Recording seen = new Recording();
    DatawalObserver broken =
        new DatawalObserver() {
          @Override
          public void appended(int records, long bytes) {
            throw new IllegalStateException("observer bug");
          }
        };
    try (RecordLog log = RecordLog.open(dir)) {
      log.addObserver(broken);
      log.addObserver(seen);
      assertThat(log.append(utf8("a")).txid()).isEqualTo(1);
      assertThat(seen.events).contains("appended 1 29");
      log.removeObserver(seen);
      log.removeObserver(broken);
      log.append(utf8("b"));
      assertThat(seen.events.stream().filter(e -> e.startsWith("appended"))).hasSize(1);
    }
  }

  @Test
  void segmentSizesListEverySegmentForWriterAndReaderAndCloseIsVisible() {
    DatawalOptions small = DatawalOptions.builder().maxSegmentSize(100).build();
    RecordLog log = RecordLog.open(dir, small);
    for (int i = 0; i < 4; i++) {
      log.append(utf8("e" + i)); // 30 bytes each, three to a segment
    }
    assertThat(log.segmentSizes()).containsExactly(entry(1L, 90L), entry(2L, 30L));
    assertThat(log.diskBytes()).isEqualTo(120);
    assertThat(RecordLogReader.open(dir).segmentSizes()).isEqualTo(log.segmentSizes());
    assertThat(log.isClosed()).isFalse();
    log.close();
    assertThat(log.isClosed()).isTrue();
  }

  private static Map.Entry<Long, Long> entry(long id, long size) {
    return Map.entry(id, size);
  }
}
