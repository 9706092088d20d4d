package dev.datawal;

import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key-directory snapshot: an open from it gives exactly what a full scan gives, and a stale,
 * damaged or foreign snapshot is never trusted.
 */
class KeyDirectorySnapshotTests {
  private static final long SEED = Long.getLong("datawal.test.seed", System.nanoTime());
  private static final String SNAPSHOT = "keydir.snapshot";

  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("store");
  }

  private static DatawalOptions small() {
    return DatawalOptions.builder().maxSegmentSize(512).fsyncPolicy(FsyncPolicy.MANUAL).build();
  }

  /** Puts and deletes over a few keys, spread over many small segments; returns the model. */
  private static Map<String, String> churn(
      DataWal store, SplittableRandom r, int ops, Map<String, String> model) {
    for (int i = 0; i < ops; i++) {
      String key = "key-" + r.nextInt(25);
      if (r.nextInt(5) == 0) {
        store.delete(utf8(key));
        model.remove(key);
      } else {
        String value = "value-" + r.nextInt(1000) + "-" + "x".repeat(r.nextInt(20));
        store.put(utf8(key), utf8(value));
        model.put(key, value);
      }
    }
    return model;
  }

  /** Everything an open decides: keys, values, places, sizes, garbage, txids. */
  private static String fingerprint(DataWal store) {
    StringBuilder sb = new StringBuilder();
    for (byte[] key : store.keys()) {
      RecordRef ref = store.refOf(key).orElseThrow();
      sb.append(str(key))
          .append('=')
          .append(str(store.get(key).orElseThrow()))
          .append(' ')
          .append(ref)
          .append('\n');
    }
    sb.append("size ").append(store.size()).append('\n');
    sb.append("segments ").append(store.log().segmentSizes()).append('\n');
    sb.append("garbage ").append(store.garbage()).append('\n');
    return sb.toString();
  }

  private static Map<String, String> state(DataWal store) {
    Map<String, String> state = new TreeMap<>();
    store.forEach((k, v) -> state.put(str(k), str(v)));
    return state;
  }

  /** Copies the store's files (not the lock) to a fresh directory, without the snapshot. */
  private Path copyWithoutSnapshot(Path from, String name) {
    Path to = tmp.resolve(name);
    try (Stream<Path> files = Files.list(from)) {
      Files.createDirectories(to);
      for (Path f : files.toList()) {
        String n = f.getFileName().toString();
        if (!n.equals(".lock") && !n.equals(SNAPSHOT)) {
          Files.copy(f, to.resolve(n));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  private static String compactionResult(CompactionStats stats) {
    return stats.liveKeys()
        + " "
        + stats.recordsWritten()
        + " "
        + stats.bytesWritten()
        + " "
        + stats.bytesReclaimed()
        + " "
        + stats.segmentsBefore()
        + " "
        + stats.segmentsAfter();
  }

  /**
   * Opens {@code dir} and a copy without its snapshot; both must agree, now and after compaction.
   */
  private void assertSameAsFullScan(Path dir, String copyName) {
    Path scanned = copyWithoutSnapshot(dir, copyName);
    try (DataWal fromSnapshot = DataWal.open(dir, small());
        DataWal fromScan = DataWal.open(scanned, small())) {
      assertThat(fromScan.recoveryReport().snapshotUsed()).isFalse();
      assertThat(fingerprint(fromSnapshot)).as("seed %d", SEED).isEqualTo(fingerprint(fromScan));
      // Equal unless compaction dropped the log's last records: the scan can only see the highest
      // txid left, the snapshot remembers the highest assigned (so txids never repeat).
      assertThat(fromSnapshot.log().lastTxid()).isGreaterThanOrEqualTo(fromScan.log().lastTxid());
      String a = compactionResult(fromSnapshot.compact());
      String b = compactionResult(fromScan.compact());
      assertThat(a).as("seed %d", SEED).isEqualTo(b);
      assertThat(fingerprint(fromSnapshot)).as("seed %d", SEED).isEqualTo(fingerprint(fromScan));
      fromSnapshot.put(utf8("after"), utf8("compaction"));
      fromScan.put(utf8("after"), utf8("compaction"));
      assertThat(state(fromSnapshot)).isEqualTo(state(fromScan));
      assertThat(fromSnapshot.garbage()).isEqualTo(fromScan.garbage());
    }
  }

  @Test
  void reopenAfterCloseLoadsTheSnapshotAndMatchesAFullScan() {
    SplittableRandom r = new SplittableRandom(SEED);
    Map<String, String> model = new TreeMap<>();
    try (DataWal store = DataWal.open(dir(), small())) {
      churn(store, r, 300, model);
      store.log().rotate();
      store.compact();
      churn(store, r, 100, model);
    }
    assertThat(dir().resolve(SNAPSHOT)).exists();
    try (DataWal store = DataWal.open(dir(), small())) {
      RecoveryReport report = store.recoveryReport();
      assertThat(report.snapshotUsed()).isTrue();
      assertThat(report.snapshotKeys()).isEqualTo(model.size());
      assertThat(report.recordsReplayed()).isZero();
      assertThat(report.filesScanned()).isEqualTo(1); // the active segment, from where it ended
      assertThat(report.summary()).contains("snapshot_keys=" + model.size());
      assertThat(state(store)).as("seed %d", SEED).isEqualTo(model);
    }
    assertSameAsFullScan(dir(), "scanned");
  }

  @Test
  void writesAfterTheSnapshotAreReplayedFromWhereItEnds() {
    SplittableRandom r = new SplittableRandom(SEED);
    Map<String, String> model = new TreeMap<>();
    try (DataWal store = DataWal.open(dir(), small())) {
      churn(store, r, 200, model);
    }
    Path crashed;
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isTrue();
      long before = store.log().lastTxid();
      churn(store, r, 7, model); // into the segment the snapshot ends in, then maybe more
      churn(store, r, 60, model); // several new segments
      store.fsync();
      long written = store.log().lastTxid() - before;
      // As if the process died now: the files as they are, the snapshot from the last close.
      crashed = copyWithoutSnapshot(dir(), "crashed");
      copy(dir().resolve(SNAPSHOT), crashed.resolve(SNAPSHOT));
      try (DataWal reopened = DataWal.open(crashed, small())) {
        assertThat(reopened.recoveryReport().snapshotUsed()).isTrue();
        assertThat(reopened.recoveryReport().recordsReplayed()).isEqualTo(written);
        assertThat(state(reopened)).as("seed %d", SEED).isEqualTo(model);
      }
    }
    // The copy's snapshot was rewritten at its close; compare one more time against a scan.
    assertSameAsFullScan(crashed, "crashed-scanned");
  }

  @Test
  void compactionReplacesTheSnapshotAndTheOldOneIsNeverTrustedAgain() {
    SplittableRandom r = new SplittableRandom(SEED);
    Map<String, String> model = new TreeMap<>();
    try (DataWal store = DataWal.open(dir(), small())) {
      churn(store, r, 300, model);
      store.log().rotate();
    }
    byte[] stale = TestFiles.read(dir().resolve(SNAPSHOT));
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isTrue();
      assertThat(store.compact().bytesReclaimed()).isPositive();
      byte[] fresh = TestFiles.read(dir().resolve(SNAPSHOT));
      assertThat(fresh).isNotEqualTo(stale);
      churn(store, r, 40, model); // after the new snapshot, partly in new segments
      store.fsync();
      // A crash now, with the snapshot compaction wrote: used, and the writes after it replayed.
      Path crashed = copyWithoutSnapshot(dir(), "crashed");
      TestFiles.write(crashed.resolve(SNAPSHOT), fresh);
      try (DataWal reopened = DataWal.open(crashed, small())) {
        assertThat(reopened.recoveryReport().snapshotUsed()).isTrue();
        assertThat(reopened.recoveryReport().recordsReplayed()).isPositive();
        assertThat(fingerprint(reopened)).as("seed %d", SEED).isEqualTo(fingerprint(store));
      }
      // The same crash with the snapshot from before compaction: it no longer matches.
      Path older = copyWithoutSnapshot(dir(), "older");
      TestFiles.write(older.resolve(SNAPSHOT), stale);
      try (DataWal reopened = DataWal.open(older, small())) {
        assertThat(reopened.recoveryReport().snapshotUsed()).isFalse();
        assertThat(state(reopened)).as("seed %d", SEED).isEqualTo(model);
      }
    }
    assertSameAsFullScan(dir(), "scanned");
  }

  @Test
  void compactionDeletesTheSnapshotDurablyBeforeItSwapsASegment() {
    RecordingFileIo io = new RecordingFileIo();
    SplittableRandom r = new SplittableRandom(SEED);
    try (DataWal store = DataWal.open(dir(), small())) {
      churn(store, r, 200, new TreeMap<>());
      store.log().rotate();
    }
    try (DataWal store = DataWal.open(dir(), small(), io)) {
      assertThat(store.recoveryReport().snapshotUsed()).isTrue();
      io.clear();
      store.compact();
      List<String> ops = io.ops();
      int deleted = ops.indexOf("delete " + SNAPSHOT);
      int firstSwap = -1;
      for (int i = 0; i < ops.size(); i++) {
        if (ops.get(i).startsWith("move 0") || ops.get(i).matches("delete [0-9]{8}\\.dwal")) {
          firstSwap = i;
          break;
        }
      }
      assertThat(deleted).as("%s", ops).isNotNegative();
      assertThat(firstSwap).as("%s", ops).isGreaterThan(deleted);
      assertThat(ops.subList(deleted, firstSwap)).as("%s", ops).contains("sync-dir");
      // and a new one is written at the end, renamed into place
      assertThat(ops.get(ops.size() - 2)).isEqualTo("move " + SNAPSHOT + ".tmp " + SNAPSHOT);
      assertThat(ops.get(ops.size() - 1)).isEqualTo("sync-dir");
    }
  }

  @Test
  void aTornTailCutBelowTheCoveredSizeFallsBackToAFullScan() {
    try (DataWal store = DataWal.open(dir(), small())) {
      store.put(utf8("a"), utf8("1"));
      store.put(utf8("b"), utf8("2"));
    }
    Path active = TestFiles.segment(dir(), 1);
    long size = TestFiles.read(active).length;
    TestFiles.truncate(active, size - 3); // the last Put loses its CRC
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isFalse();
      assertThat(store.recoveryReport().tailTruncated()).isEqualTo(1);
      assertThat(state(store)).isEqualTo(Map.of("a", "1"));
    }
  }

  @Test
  void aSegmentCutAndRegrownWithOtherRecordsFallsBack() {
    try (DataWal store = DataWal.open(dir(), small())) {
      store.put(utf8("a"), utf8("1"));
      store.put(utf8("b"), utf8("2"));
    }
    Path active = TestFiles.segment(dir(), 1);
    byte[] bytes = TestFiles.read(active);
    byte[] stale = TestFiles.read(dir().resolve(SNAPSHOT));
    // Another writer (the reference implementation, say) cut the last frame and wrote others, so
    // the segment is longer than the snapshot covers but its covered bytes differ.
    TestFiles.truncate(active, bytes.length - 3);
    try (RecordLog log = RecordLog.open(dir())) {
      log.appendRecord(RecordType.PUT, utf8("c"), utf8("three"));
      log.appendRecord(RecordType.PUT, utf8("d"), utf8("four"));
    }
    TestFiles.write(dir().resolve(SNAPSHOT), stale);
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isFalse();
      assertThat(state(store)).isEqualTo(Map.of("a", "1", "c", "three", "d", "four"));
    }
  }

  @Test
  void aRecordNotAfterTheSnapshotsLastTxidRefutesIt() {
    // A snapshot whose covered bytes match but whose last txid is too high (written by a bug, or
    // for another history): the first record after it contradicts it, and the scan starts over.
    try (DataWal store = DataWal.open(dir(), small())) {
      store.put(utf8("a"), utf8("1"));
    }
    Path snapshot = dir().resolve(SNAPSHOT);
    byte[] bytes = TestFiles.read(snapshot);
    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(16, 1000);
    fixCrc(bytes);
    TestFiles.write(snapshot, bytes);
    try (RecordLog log = RecordLog.open(dir())) {
      log.appendRecord(RecordType.PUT, utf8("b"), utf8("2"));
    }
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isFalse();
      assertThat(store.recoveryReport().recordsReplayed()).isEqualTo(2);
      assertThat(state(store)).isEqualTo(Map.of("a", "1", "b", "2"));
      assertThat(store.put(utf8("c"), utf8("3")).txid()).isEqualTo(3);
    }
  }

  @Test
  void everyDamagedByteOrTruncationOfTheSnapshotFallsBackToAFullScan() {
    SplittableRandom r = new SplittableRandom(SEED);
    Map<String, String> model = new TreeMap<>();
    try (DataWal store = DataWal.open(dir(), small())) {
      churn(store, r, 120, model);
    }
    Path snapshot = dir().resolve(SNAPSHOT);
    byte[] good = TestFiles.read(snapshot);
    List<String> cases = new ArrayList<>();
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= (byte) (1 << r.nextInt(8));
      cases.add("flip " + i);
      TestFiles.write(snapshot, bad);
      reopenByFullScan(model, "flip byte " + i);
    }
    for (int n = 0; n < good.length; n++) {
      TestFiles.write(snapshot, java.util.Arrays.copyOf(good, n));
      reopenByFullScan(model, "truncated to " + n);
    }
    TestFiles.write(snapshot, concat(good, new byte[] {0}));
    reopenByFullScan(model, "one byte appended");
    assertThat(cases).hasSize(good.length);
  }

  private void reopenByFullScan(Map<String, String> model, String what) {
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).as(what).isFalse();
      assertThat(state(store)).as("%s, seed %d", what, SEED).isEqualTo(model);
    }
    // Its close wrote a good snapshot again; the next case damages that one.
  }

  @Test
  void aSnapshotFromAnotherStoreIsIgnored() {
    // Same operations, same sizes, other values: every size matches, the tail CRCs do not.
    Path other = tmp.resolve("other");
    for (Path d : List.of(dir(), other)) {
      try (DataWal store = DataWal.open(d, small())) {
        for (int i = 0; i < 60; i++) {
          String tag = d.equals(other) ? "B" : "A";
          store.put(utf8("key-" + (i % 9)), utf8(tag + "-value-" + i));
        }
      }
    }
    assertThat(TestFiles.read(TestFiles.segment(dir(), 1)))
        .hasSameSizeAs(TestFiles.read(TestFiles.segment(other, 1)));
    copy(other.resolve(SNAPSHOT), dir().resolve(SNAPSHOT));
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isFalse();
      assertThat(str(store.get(utf8("key-0")).orElseThrow())).isEqualTo("A-value-54");
    }
    // And one of another size.
    try (DataWal store = DataWal.open(other, small())) {
      store.put(utf8("extra"), utf8("makes the sizes differ"));
    }
    copy(other.resolve(SNAPSHOT), dir().resolve(SNAPSHOT));
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isFalse();
      assertThat(store.containsKey(utf8("extra"))).isFalse();
    }
  }

  @Test
  void aMissingOrExtraSegmentFallsBack() {
    SplittableRandom r = new SplittableRandom(SEED);
    try (DataWal store = DataWal.open(dir(), small())) {
      churn(store, r, 200, new TreeMap<>());
    }
    byte[] snapshot = TestFiles.read(dir().resolve(SNAPSHOT));
    long segments = TestFiles.names(dir()).stream().filter(n -> n.endsWith(".dwal")).count();
    assertThat(segments).isGreaterThan(2);
    // A segment missing in the middle: the log lost records, the snapshot must not hide that.
    Path middle = TestFiles.segment(dir(), 2);
    byte[] middleBytes = TestFiles.read(middle);
    Path copy = copyWithoutSnapshot(dir(), "expected");
    try {
      Files.delete(copy.resolve(middle.getFileName()));
      Files.delete(middle);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String expected;
    try (DataWal store = DataWal.open(copy, small())) {
      expected = fingerprint(store);
    }
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isFalse();
      assertThat(fingerprint(store)).isEqualTo(expected);
    }
    // A segment below the covered position that the snapshot does not list.
    TestFiles.write(middle, middleBytes);
    TestFiles.write(dir().resolve(SNAPSHOT), snapshot);
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isTrue(); // back as it was
    }
    TestFiles.write(dir().resolve(SNAPSHOT), snapshot);
    TestFiles.write(dir().resolve("00000000.dwal"), new byte[0]);
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isFalse();
    }
  }

  @Test
  void aLeftoverTemporarySnapshotIsDeletedAtOpen() {
    try (DataWal store = DataWal.open(dir(), small())) {
      store.put(utf8("a"), utf8("1"));
    }
    TestFiles.write(dir().resolve(SNAPSHOT + ".tmp"), new byte[] {1, 2, 3});
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isTrue();
      assertThat(dir().resolve(SNAPSHOT + ".tmp")).doesNotExist();
    }
  }

  @Test
  void aFailedSnapshotWriteNeverFailsCloseAndCostsOnlyAFullScan() {
    RecordingFileIo io = new RecordingFileIo();
    DataWal store = DataWal.open(dir(), small(), io);
    store.put(utf8("a"), utf8("1"));
    io.failOnce("move " + SNAPSHOT + ".tmp", "disk full");
    store.close();
    assertThat(TestFiles.names(dir())).doesNotContain(SNAPSHOT, SNAPSHOT + ".tmp");
    try (DataWal reopened = DataWal.open(dir(), small())) {
      assertThat(reopened.recoveryReport().snapshotUsed()).isFalse();
      assertThat(state(reopened)).isEqualTo(Map.of("a", "1"));
    }
  }

  @Test
  void aPoisonedStoreWritesNoSnapshot() {
    RecordingFileIo io = new RecordingFileIo();
    try (DataWal store = DataWal.open(dir(), small(), io)) {
      store.put(utf8("a"), utf8("1"));
      io.failOnce("force 00000001.dwal", "injected fsync failure");
      try {
        store.fsync();
      } catch (WriterPoisonedException expected) {
        // the writer is poisoned now
      }
      assertThat(store.log().isPoisoned()).isTrue();
    } catch (WriterPoisonedException expected) {
      // close reports the poisoning
    }
    assertThat(TestFiles.names(dir())).doesNotContain(SNAPSHOT);
  }

  @Test
  void randomHistoriesAgreeWithAModelWithAndWithoutSnapshots() {
    SplittableRandom r = new SplittableRandom(SEED);
    Map<String, String> model = new TreeMap<>();
    DatawalOptions options =
        DatawalOptions.builder().maxSegmentSize(400).fsyncPolicy(FsyncPolicy.MANUAL).build();
    for (int round = 0; round < 25; round++) {
      try (DataWal store = DataWal.open(dir(), options)) {
        String what = "round " + round + ", seed " + SEED;
        assertThat(state(store)).as(what).isEqualTo(model);
        int ops = r.nextInt(80);
        for (int i = 0; i < ops; i++) {
          churn(store, r, 1, model);
          if (r.nextInt(40) == 0) {
            store.compact();
          }
          if (r.nextInt(60) == 0) {
            store.log().rotate();
          }
        }
        if (r.nextInt(4) == 0) {
          store.compact();
        }
        store.fsync();
        if (r.nextInt(3) == 0) {
          // A crash now: the files as they are, and whatever snapshot is on disk.
          Path crashed = copyWithoutSnapshot(dir(), "crash-" + round);
          if (Files.exists(dir().resolve(SNAPSHOT))) {
            copy(dir().resolve(SNAPSHOT), crashed.resolve(SNAPSHOT));
          }
          String expected = fingerprint(store);
          try (DataWal reopened = DataWal.open(crashed, options)) {
            assertThat(fingerprint(reopened)).as(what).isEqualTo(expected);
          }
        }
      }
      if (r.nextInt(3) == 0) {
        try {
          Files.deleteIfExists(dir().resolve(SNAPSHOT));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      if (r.nextInt(5) == 0) {
        assertSameAsFullScan(dir(), "scanned-" + round);
        // that compacted and wrote to the store: follow it in the model
        model.put("after", "compaction");
      }
    }
  }

  private static void copy(Path from, Path to) {
    try {
      Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Recomputes the snapshot's trailing CRC-32C after a deliberate edit. */
  private static void fixCrc(byte[] bytes) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    java.nio.ByteBuffer.wrap(bytes)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(bytes.length - 4, (int) crc.getValue());
  }
}
