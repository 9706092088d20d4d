package dev.datawal;

import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.testing.TestSeed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In-place compaction of a live DataWal: state kept, space reclaimed, reads never disturbed. */
class CompactionTests {
  private static final long SEED = TestSeed.of(CompactionTests.class, "datawal.test.seed");

  @TempDir Path dir;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(30, TimeUnit.SECONDS);
  }

  private static DatawalOptions small() {
    return DatawalOptions.builder().maxSegmentSize(512).fsyncPolicy(FsyncPolicy.MANUAL).build();
  }

  /** The live state: every key and its value, as text. */
  private static Map<String, String> state(DataWal store) {
    Map<String, String> state = new TreeMap<>();
    store.forEach((k, v) -> state.put(str(k), str(v)));
    return state;
  }

  /** A store with overwrites and deletes spread over many small segments. */
  private Map<String, String> churn(DataWal store, int ops) {
    SplittableRandom r = new SplittableRandom(SEED);
    Map<String, String> model = new TreeMap<>();
    for (int i = 0; i < ops; i++) {
      String key = "key-" + r.nextInt(20);
      if (r.nextInt(5) == 0) {
        store.delete(utf8(key));
        model.remove(key);
      } else {
        String value = "value-" + i;
        store.put(utf8(key), utf8(value));
        model.put(key, value);
      }
    }
    store.log().rotate(); // everything so far is sealed, so compaction can reach it
    return model;
  }

  @Test
  void compactionKeepsTheStateAndReclaimsTheGarbage() {
    try (DataWal store = DataWal.open(dir, small())) {
      Map<String, String> model = churn(store, 400);
      GarbageStats before = store.garbage();
      assertThat(before.reclaimableBytes()).isPositive();
      CompactionStats stats = store.compact();
      assertThat(state(store)).as("seed %d", SEED).isEqualTo(model);
      assertThat(stats.bytesReclaimed()).isEqualTo(before.reclaimableBytes());
      assertThat(stats.segmentsAfter()).isLessThan(stats.segmentsBefore());
      assertThat(stats.liveKeys()).isEqualTo(model.size());
      // Live Puts in segments without garbage are not rewritten.
      assertThat(stats.recordsWritten()).isPositive().isLessThanOrEqualTo(model.size());
      assertThat(stats.duration().isNegative()).isFalse();
      GarbageStats after = store.garbage();
      assertThat(after.reclaimableBytes()).isZero();
      assertThat(after.totalBytes()).isEqualTo(before.totalBytes() - stats.bytesReclaimed());
      assertThat(after.liveBytes()).isEqualTo(before.liveBytes());
    }
    try (DataWal store = DataWal.open(dir)) {
      assertThat(store.recoveryReport().damage()).isEmpty();
      assertThat(state(store)).isEqualTo(churnModel());
    }
  }

  private Map<String, String> churnModel() {
    Path other = dir.resolveSibling(dir.getFileName() + "-model");
    try (DataWal store = DataWal.open(other, small())) {
      return churn(store, 400);
    }
  }

  @Test
  void survivingRecordsKeepTheirBytesTxidsAndOrder() {
    try (DataWal store = DataWal.open(dir, small())) {
      churn(store, 300);
      List<Record> before = store.log().scan();
      store.compact();
      List<Record> after = store.log().scan();
      // A subsequence of the original log: every surviving record, identical, in order.
      int i = 0;
      for (Record r : after) {
        while (i < before.size() && before.get(i).txid() != r.txid()) {
          i++;
        }
        assertThat(i).as("record %d is in the original log", r.txid()).isLessThan(before.size());
        Record original = before.get(i);
        assertThat(r.type()).isEqualTo(original.type());
        assertThat(r.key()).isEqualTo(original.key());
        assertThat(r.payload()).isEqualTo(original.payload());
        assertThat(r.segment()).isEqualTo(original.segment()); // records never change segment
        i++;
      }
      long last = store.log().lastTxid();
      assertThat(store.put(utf8("after"), utf8("compaction")).txid()).isEqualTo(last + 1);
    }
  }

  @Test
  void compactionWithAFloorLeavesEveryRecordFromItAsWritten() {
    try (DataWal store = DataWal.open(dir, small())) {
      Map<String, String> model = churn(store, 400);
      List<Record> before = store.log().scan();
      long floor = before.get(before.size() / 2).txid(); // a reader has processed half the log
      CompactionStats stats = store.compact(floor);
      List<Record> after = store.log().scan();
      assertThat(after.stream().filter(r -> r.txid() >= floor).toList())
          .as("seed %d", SEED)
          .isEqualTo(before.stream().filter(r -> r.txid() >= floor).toList());
      assertThat(stats.bytesReclaimed())
          .as("the segments below the floor had garbage")
          .isPositive();
      assertThat(after.size()).isLessThan(before.size());
      assertThat(state(store)).isEqualTo(model);
      // The reader moves past the end: everything may now go.
      store.compact(store.log().lastTxid() + 1);
      assertThat(store.garbage().reclaimableBytes()).isZero();
      assertThat(state(store)).isEqualTo(model);
    }
  }

  @Test
  void theCompactedStoreIsPlainDwalV1WithNoLeftovers() {
    try (DataWal store = DataWal.open(dir, small())) {
      churn(store, 300);
      store.compact();
    }
    List<String> names = TestFiles.names(dir);
    assertThat(names)
        .allSatisfy(
            n ->
                assertThat(n)
                    .matches("\\.lock|[0-9]{8}\\.dwal|keydir\\.snapshot|datawal\\.manifest"));
    RecoveryReport report = RecordLogReader.open(dir).report();
    assertThat(report.damage()).isEmpty();
    assertThat(report.leftoversRemoved()).isEmpty();
  }

  @Test
  void aSegmentWithNothingLeftIsDeleted() {
    try (DataWal store = DataWal.open(dir, small())) {
      for (int i = 0; i < 40; i++) {
        store.put(utf8("k"), utf8("value number " + i)); // only the last survives
      }
      store.log().rotate();
      long segmentsBefore = TestFiles.names(dir).stream().filter(n -> n.endsWith(".dwal")).count();
      store.compact();
      assertThat(TestFiles.names(dir).stream().filter(n -> n.endsWith(".dwal")).count())
          .isLessThan(segmentsBefore);
      assertThat(str(store.get(utf8("k")).orElseThrow())).isEqualTo("value number 39");
      store.put(utf8("k2"), utf8("v"));
    }
    try (DataWal store = DataWal.open(dir)) {
      assertThat(state(store)).containsEntry("k", "value number 39").containsEntry("k2", "v");
    }
  }

  @Test
  void deletedKeysStayDeletedAfterCompactionAndReopen() {
    try (DataWal store = DataWal.open(dir, small())) {
      for (int i = 0; i < 30; i++) {
        store.put(utf8("gone-" + i), utf8("v" + i));
      }
      store.log().rotate();
      for (int i = 0; i < 30; i++) {
        store.delete(utf8("gone-" + i));
      }
      store.put(utf8("kept"), utf8("yes"));
      store.log().rotate();
      store.compact();
      assertThat(store.size()).isEqualTo(1);
    }
    try (DataWal store = DataWal.open(dir)) {
      assertThat(state(store)).containsExactly(Map.entry("kept", "yes"));
    }
  }

  @Test
  void aHalfWrittenOutputIsDeletedAndReportedAtOpen() throws Exception {
    try (DataWal store = DataWal.open(dir, small())) {
      churn(store, 100);
    }
    Path leftover = dir.resolve("00000001.dwal.compacting");
    Files.write(leftover, utf8("half a compaction output"));
    try (DataWal store = DataWal.open(dir)) {
      assertThat(store.recoveryReport().leftoversRemoved()).containsExactly(leftover);
      assertThat(store.recoveryReport().summary()).contains("leftovers_removed=1");
      assertThat(state(store)).isEqualTo(churnModel100());
    }
    assertThat(leftover).doesNotExist();
  }

  private Map<String, String> churnModel100() {
    Path other = dir.resolveSibling(dir.getFileName() + "-model100");
    try (DataWal store = DataWal.open(other, small())) {
      return churn(store, 100);
    }
  }

  @Test
  void aCorruptSealedSegmentStopsCompactionAndChangesNothing() {
    try (DataWal store = DataWal.open(dir, small())) {
      churn(store, 200);
      FixtureGenerator.flipByteUnchecked(TestFiles.segment(dir, 1), 30);
      Map<String, String> filesBefore = segmentFiles();
      assertThatThrownBy(store::compact).isInstanceOf(CorruptStoreException.class);
      // The segments stay as they were; only the manifest changes, to record the damage.
      assertThat(segmentFiles()).isEqualTo(filesBefore);
      assertThat(store.integrity().damaged()).isTrue();
    }
    assertThatThrownBy(() -> DataWal.open(dir))
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("00000001.dwal");
  }

  private Map<String, String> segmentFiles() {
    Map<String, String> files = new java.util.TreeMap<>(TestFiles.snapshot(dir));
    files.remove("datawal.manifest");
    return files;
  }

  @Test
  void getsDuringCompactionNeverSeeAWrongOrMissingValue() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    try (DataWal store = DataWal.open(dir, small())) {
      for (int i = 0; i < 50; i++) {
        store.put(utf8("fixed-" + i), utf8("fixed value " + i)); // never written again
      }
      List<Future<Long>> readers = new ArrayList<>();
      CountDownLatch reading = new CountDownLatch(2);
      for (int t = 0; t < 2; t++) {
        readers.add(
            pool.submit(
                () -> {
                  long gets = 0;
                  SplittableRandom r = new SplittableRandom(SEED);
                  try {
                    while (running.get()) {
                      int i = r.nextInt(50);
                      assertThat(store.get(utf8("fixed-" + i)))
                          .as("seed %d", SEED)
                          .hasValueSatisfying(
                              v -> assertThat(str(v)).isEqualTo("fixed value " + i));
                      if (gets++ == 0) {
                        reading.countDown();
                      }
                    }
                  } finally {
                    reading.countDown(); // a reader that failed at once must not hold up the test
                  }
                  return gets;
                }));
      }
      // On a loaded machine the compactions below could all finish before a reader is scheduled.
      assertThat(reading.await(60, TimeUnit.SECONDS)).as("readers started").isTrue();
      Future<?> writer =
          pool.submit(
              (Callable<Void>)
                  () -> {
                    for (int i = 0; running.get() && i < 20_000; i++) {
                      store.put(utf8("churn-" + (i % 30)), utf8("churn value " + i));
                    }
                    return null;
                  });
      for (int round = 0; round < 30 && readers.stream().noneMatch(Future::isDone); round++) {
        store.compact(); // a reader that failed ends the rounds early; its failure shows below
      }
      running.set(false);
      writer.get(60, TimeUnit.SECONDS);
      for (Future<Long> reader : readers) {
        assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
      }
      Map<String, String> live = state(store);
      store.compact();
      assertThat(state(store)).isEqualTo(live);
    }
  }

  @Test
  void writesDuringCompactionAlwaysWin() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    try (DataWal store = DataWal.open(dir, small())) {
      Future<?> writers =
          pool.submit(
              (Callable<Void>)
                  () -> {
                    for (int i = 0; (running.get() || i < 2000) && i < 20_000; i++) {
                      store.put(utf8("k" + (i % 25)), utf8("v" + i));
                      if (i % 7 == 0) {
                        store.delete(utf8("k" + ((i + 3) % 25)));
                      }
                    }
                    return null;
                  });
      for (int round = 0; round < 20; round++) {
        CompactionStats stats = store.compact();
        // Counted per compacted segment: segments the writers seal meanwhile do not count.
        assertThat(stats.bytesReclaimed()).isNotNegative();
      }
      running.set(false);
      writers.get(60, TimeUnit.SECONDS);
      store.compact();
      Map<String, String> expected = new TreeMap<>();
      for (Record r : store.log().scan()) {
        switch (r.type()) {
          case PUT -> expected.put(str(r.key()), str(r.payload()));
          case DELETE -> expected.remove(str(r.key()));
          case RAW -> {}
        }
      }
      assertThat(state(store)).isEqualTo(expected);
    }
  }

  @Test
  void garbageIsMeasuredAsWritesHappen() {
    try (DataWal store =
        DataWal.open(dir, DatawalOptions.builder().maxSegmentSize(1 << 20).build())) {
      RecordRef first = store.put(utf8("a"), utf8("1"));
      assertThat(store.garbage()).isEqualTo(new GarbageStats(first.length(), first.length(), 0));
      RecordRef second = store.put(utf8("a"), utf8("22"));
      GarbageStats g = store.garbage();
      assertThat(g.liveBytes()).isEqualTo(second.length());
      assertThat(g.deadBytes()).isEqualTo(first.length());
      assertThat(g.reclaimableBytes()).isZero(); // still in the active segment
      store.log().rotate();
      assertThat(store.garbage().reclaimableBytes()).isEqualTo(first.length());
      store.delete(utf8("a"));
      assertThat(store.garbage().liveBytes()).isZero();
      assertThat(store.garbage().ratio()).isEqualTo(1.0);
    }
  }

  @Test
  void garbageAgreesWithTheLogAfterReopen() {
    try (DataWal store = DataWal.open(dir, small())) {
      churn(store, 300);
    }
    try (DataWal store = DataWal.open(dir, small())) {
      long live = 0;
      Map<String, Integer> latest = new TreeMap<>();
      for (Record r : store.log().scan()) {
        switch (r.type()) {
          case PUT -> latest.put(str(r.key()), r.length());
          case DELETE -> latest.remove(str(r.key()));
          case RAW -> {}
        }
      }
      for (int length : latest.values()) {
        live += length;
      }
      assertThat(store.garbage().liveBytes()).isEqualTo(live);
    }
  }
}
