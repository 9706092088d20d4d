package dev.datawal;

import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sealed segments are verified like a scrub: on request, in the background after an open that
 * started from the key-directory snapshot (and so read none of them), and on a schedule; damage
 * found is reported and recorded, never repaired silently, and verification never blocks the open,
 * writes or compaction.
 */
class VerificationTests {
  @TempDir Path tmp;

  private static DatawalOptions small() {
    return DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).maxSegmentSize(20_000).build();
  }

  /** A store of 600 puts of 100-byte values in several sealed segments, closed cleanly. */
  private Path store() {
    Path d = tmp.resolve("store");
    try (DataWal store = DataWal.open(d, small())) {
      for (int i = 0; i < 600; i++) {
        store.put(utf8("k" + (i % 50)), utf8(String.format("value %-94d", i)));
      }
    }
    return d;
  }

  /**
   * Flips a payload byte of the first frame of segment 2, far from its last 4 KiB, so the snapshot
   * open does not read it.
   */
  private static void damageSegmentTwo(Path d) {
    byte[] bytes = TestFiles.read(segment(d, 2));
    bytes[40] ^= 0x40;
    TestFiles.write(segment(d, 2), bytes);
  }

  @Test
  void aCleanStoreVerifiesCleanAndCountsWhatItRead() {
    Path d = store();
    try (DataWal store = DataWal.open(d, small().toBuilder().verifyAfterOpen(false).build())) {
      long sealedBytes = 0;
      for (var e : store.log().segmentSizes().entrySet()) {
        if (e.getKey() != store.log().activeSegment()) {
          sealedBytes += e.getValue();
        }
      }
      VerificationReport report = store.verify();
      assertThat(report.clean()).isTrue();
      assertThat(report.segmentsChecked()).isEqualTo(store.log().segmentSizes().size() - 1);
      assertThat(report.bytesChecked()).isEqualTo(sealedBytes);
      assertThat(report.framesChecked()).isPositive();
      assertThat(store.integrity().last()).isEqualTo(report);
      assertThat(store.integrity().damaged()).isFalse();
    }
  }

  @Test
  void anOpenFromTheSnapshotVerifiesInTheBackgroundAndFindsDamage() {
    Path d = store();
    damageSegmentTwo(d);
    try (DataWal store = DataWal.open(d, small())) { // verifyAfterOpen: the default
      assertThat(store.recoveryReport().snapshotUsed()).isTrue();
      TestFiles.await(
          "the background verification finds the damage", () -> store.integrity().damaged());
      IntegrityProblem problem = store.integrity().problems().get(0);
      assertThat(problem.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH);
      assertThat(problem.segment()).isEqualTo(2);
      assertThat(problem.foundBy()).isEqualTo(IntegrityProblem.FoundBy.VERIFICATION);
      store.put(utf8("still"), utf8("writable")); // damage is reported, the store keeps serving
    }
    assertThatThrownBy(() -> DataWal.open(d, small()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH);
              assertThat(e.segment()).isEqualTo(2);
            })
        .hasMessageContaining("found while the store was open");
  }

  @Test
  void aScheduledVerificationRunsAgainAndStopsWithTheStore() {
    Path d = store();
    DatawalOptions scheduled =
        small().toBuilder().verifyAfterOpen(false).verifyInterval(Duration.ofMillis(50)).build();
    DataWal store = DataWal.open(d, scheduled);
    TestFiles.await("a scheduled verification finished", () -> store.integrity().last() != null);
    VerificationReport first = store.integrity().last();
    TestFiles.await(
        "another one finished", () -> store.integrity().last().started().isAfter(first.started()));
    store.close();
    assertThat(
            Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("datawal-verify " + d)))
        .as("the verification thread stops with the store")
        .isFalse();
  }

  @Test
  void verificationRunsBesideWritesAndCompaction() throws Exception {
    Path d = store();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (DataWal store = DataWal.open(d, small().toBuilder().verifyAfterOpen(false).build())) {
      Future<?> writes =
          threads.submit(
              () -> {
                for (int i = 0; i < 500; i++) {
                  store.put(utf8("k" + (i % 50)), utf8("again " + i));
                  if (i % 100 == 0) {
                    store.compact();
                  }
                }
              });
      for (int i = 0; i < 5; i++) {
        VerificationReport report = store.verify();
        assertThat(report.problems()).as("round %d", i).isEmpty();
      }
      writes.get(60, TimeUnit.SECONDS);
      assertThat(store.verify().clean()).isTrue();
      assertThat(store.integrity().damaged()).isFalse();
    } finally {
      threads.shutdownNow();
    }
    try (DataWal reopened = DataWal.open(d, small())) {
      assertThat(reopened.get(utf8("k49"))).hasValue(utf8("again 499"));
    }
  }

  @Test
  void aPutOrDeleteAppendedThroughTheLogOfADataWalGoesThroughItsKeyDirectory() {
    Path d = tmp.resolve("kv");
    try (DataWal store = DataWal.open(d)) {
      store.log().appendRecord(RecordType.PUT, utf8("a"), utf8("through the log"));
      assertThat(store.get(utf8("a"))).hasValue(utf8("through the log"));
      store.put(utf8("b"), utf8("2"));
      store.log().appendBatch(java.util.List.of(Entry.delete(utf8("b")), Entry.raw(utf8("x"))));
      assertThat(store.containsKey(utf8("b"))).isFalse();
      store.log().appendRecordAsync(RecordType.PUT, utf8("c"), utf8("3")).join();
      assertThat(store.get(utf8("c"))).hasValue(utf8("3"));
    }
    // The snapshot written at close agrees with a full read.
    try (DataWal store = DataWal.open(d)) {
      assertThat(store.recoveryReport().snapshotUsed()).isTrue();
      assertThat(store.get(utf8("a"))).hasValue(utf8("through the log"));
      assertThat(store.containsKey(utf8("b"))).isFalse();
      assertThat(store.size()).isEqualTo(2);
    }
  }
}
