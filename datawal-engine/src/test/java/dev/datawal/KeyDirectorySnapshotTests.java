package dev.datawal;

import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.testing.TestSeed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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
  private static final long SEED =
      TestSeed.of(KeyDirectorySnapshotTests.class, "datawal.test.seed");
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
  void theSnapshotCompactionWritesFollowsAForceOfEveryWriteItReflects() {
    RecordingFileIo io = new RecordingFileIo();
    try (DataWal store = DataWal.open(dir(), small(), io)) {
      store.put(utf8("sealed"), utf8("1"));
      store.log().rotate();
      // Unsynced (MANUAL) writes in the active segment, reflected in the directory the snapshot
      // copies. Here they only add keys; concurrent with compaction, one could move a key out of
      // a sealed segment, and the snapshot, left without it, must not outlive that write.
      store.put(utf8("active"), utf8("2"));
      io.clear();
      store.compact(); // nothing to rewrite: the sealed segment holds only live Puts
      List<String> ops = io.ops();
      int created = ops.indexOf("create " + SNAPSHOT + ".tmp");
      assertThat(created).as("%s", ops).isNotNegative();
      assertThat(ops.subList(0, created)).as("%s", ops).contains("force 00000002.dwal");
    }
  }

  @Test
  void aTailCutAfterACleanCloseIsLostDataAndTheSnapshotIsKeptAsEvidence() {
    try (DataWal store = DataWal.open(dir(), small())) {
      store.put(utf8("a"), utf8("1"));
      store.put(utf8("b"), utf8("2"));
    }
    Path active = TestFiles.segment(dir(), 1);
    long size = TestFiles.read(active).length;
    TestFiles.truncate(active, size - 3); // the last Put, durable at the close, loses its CRC
    Map<String, String> before = TestFiles.snapshot(dir());
    assertThatThrownBy(() -> DataWal.open(dir(), small()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.SEGMENT_SHORTER);
              assertThat(e.segment()).isEqualTo(1);
              assertThat(e.offset()).isEqualTo(size - 3);
            })
        .hasMessageContaining("3 bytes at its end are gone");
    assertThat(TestFiles.snapshot(dir())).isEqualTo(before); // nothing changed, nothing deleted
    // Without the manifest (a store of an older datawal), the snapshot is the record of the loss.
    TestFiles.delete(dir().resolve("datawal.manifest"));
    assertThatThrownBy(() -> DataWal.open(dir(), small()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> assertThat(e.kind()).isEqualTo(CorruptionKind.SEGMENT_SHORTER))
        .hasMessageContaining("3 durable bytes are gone")
        .hasMessageContaining("the snapshot is kept as evidence");
    assertThat(TestFiles.read(dir().resolve(SNAPSHOT))).isNotEmpty();
  }

  @Test
  void aTornTailLeftByACrashIsCutAndNoSnapshotCoversIt() {
    DataWal store = DataWal.open(dir(), small());
    store.put(utf8("a"), utf8("1"));
    store.put(utf8("b"), utf8("2"));
    TestFiles.closeAsIfKilled(store, dir()); // a crash: no clean close recorded, no snapshot
    Path active = TestFiles.segment(dir(), 1);
    long size = TestFiles.read(active).length;
    TestFiles.truncate(active, size - 3); // the last Put loses its CRC
    try (DataWal reopened = DataWal.open(dir(), small())) {
      assertThat(reopened.recoveryReport().snapshotUsed()).isFalse();
      assertThat(reopened.recoveryReport().tailTruncated()).isEqualTo(1);
      assertThat(state(reopened)).isEqualTo(Map.of("a", "1"));
    }
  }

  @Test
  void aSegmentCutAndRegrownWithOtherRecordsIsLostDataWithOrWithoutAManifest() {
    try (DataWal store = DataWal.open(dir(), small())) {
      store.put(utf8("a"), utf8("1"));
      store.put(utf8("b"), utf8("2"));
    }
    Path active = TestFiles.segment(dir(), 1);
    byte[] bytes = TestFiles.read(active);
    // Another writer (the reference implementation, say) cut the last frame and wrote others, so
    // the segment is longer than the snapshot covers but its covered bytes differ: b=2, durable at
    // the close, is gone.
    TestFiles.truncate(active, bytes.length - 3);
    TestFiles.append(active, frame(RecordType.PUT, 2, "c", "three"));
    TestFiles.append(active, frame(RecordType.PUT, 3, "d", "four"));
    assertThatThrownBy(() -> DataWal.open(dir(), small()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e ->
                assertThat(e.kind())
                    .isIn(CorruptionKind.SEGMENT_CHANGED, CorruptionKind.CRC_MISMATCH));
    TestFiles.delete(dir().resolve("datawal.manifest"));
    assertThatThrownBy(() -> DataWal.open(dir(), small()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> assertThat(e.kind()).isEqualTo(CorruptionKind.SEGMENT_CHANGED))
        .hasMessageContaining("does not end as it did when the snapshot was written");
  }

  private static byte[] frame(RecordType type, long txid, String key, String value) {
    java.nio.ByteBuffer buf =
        dev.datawal.internal.format.FrameFormat.encode(type, txid, utf8(key), utf8(value));
    return java.util.Arrays.copyOfRange(buf.array(), 0, buf.limit());
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
  void everyDamagedByteOrTruncationOfTheSnapshotFallsBackAndNoValueIsWrongOrMissing() {
    SplittableRandom r = new SplittableRandom(SEED);
    Map<String, String> model = new TreeMap<>();
    try (DataWal store = DataWal.open(dir(), small())) {
      churn(store, r, 120, model);
    }
    Path snapshot = dir().resolve(SNAPSHOT);
    byte[] good = TestFiles.read(snapshot);
    int dataOffset = (int) dataOffset(good);
    int pages = (good.length - dataOffset + 4095) / 4096;
    int meaningfulHead = 72 + 28 * segmentCount(good) + 4 * pages;
    int slotsEnd = dataOffset + 24 * (int) slotCount(good);
    int arenaStart = good.length - (int) arenaSize(good);
    int cases = 0;
    for (int i = 0; i < good.length; i++) {
      boolean padding =
          (i >= meaningfulHead && i < dataOffset - 4) || (i >= slotsEnd && i < arenaStart);
      if (padding && i % 61 != 0) {
        continue; // zero padding: every byte is checked all the same; a sample will do
      }
      byte[] bad = good.clone();
      bad[i] ^= (byte) (1 << r.nextInt(8));
      TestFiles.write(snapshot, bad);
      if (i < dataOffset) {
        reopenByFullScan(model, "flip byte " + i + " (head)");
      } else {
        reopenWithDamageFoundLater(model, "flip byte " + i + " (data)");
      }
      cases++;
    }
    for (int n = 0; n < good.length; n++) {
      if (n < 200 || n % 97 == 0 || n > good.length - 8) {
        TestFiles.write(snapshot, java.util.Arrays.copyOf(good, n));
        reopenByFullScan(model, "truncated to " + n);
      }
    }
    TestFiles.write(snapshot, concat(good, new byte[] {0}));
    reopenByFullScan(model, "one byte appended");
    assertThat(cases).isGreaterThan(good.length - dataOffset - (arenaStart - slotsEnd));
  }

  private void reopenByFullScan(Map<String, String> model, String what) {
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).as(what).isFalse();
      assertThat(state(store)).as("%s, seed %d", what, SEED).isEqualTo(model);
    }
    // Its close wrote a good snapshot again; the next case damages that one.
  }

  /**
   * Damage in the data region passes the checks at open (which read only the head); every get must
   * still answer right, one at a time, and the first walk over every entry must find the damage and
   * fall back to the segments.
   */
  private void reopenWithDamageFoundLater(Map<String, String> model, String what) {
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).as(what).isTrue();
      for (int k = 0; k < 30; k++) {
        String key = "key-" + k;
        assertThat(store.get(utf8(key)).map(TestFiles::str))
            .as("%s, %s, seed %d", what, key, SEED)
            .isEqualTo(java.util.Optional.ofNullable(model.get(key)));
      }
      assertThat(store.size()).as(what).isEqualTo(model.size());
      assertThat(state(store)).as("%s, seed %d", what, SEED).isEqualTo(model);
      assertThat(store.keyDirectoryReadsSnapshot()).as(what + ": damage found").isFalse();
    }
    // It fell back, so its close wrote a new snapshot.
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
  void aMissingOrExtraSegmentIsATypedErrorAndTheSnapshotIsKept() {
    SplittableRandom r = new SplittableRandom(SEED);
    try (DataWal store = DataWal.open(dir(), small())) {
      churn(store, r, 200, new TreeMap<>());
    }
    long segments = TestFiles.names(dir()).stream().filter(n -> n.endsWith(".dwal")).count();
    assertThat(segments).isGreaterThan(2);
    // A segment missing in the middle: the log lost records, the snapshot must not hide that.
    Path middle = TestFiles.segment(dir(), 2);
    byte[] middleBytes = TestFiles.read(middle);
    TestFiles.delete(middle);
    Map<String, String> before = TestFiles.snapshot(dir());
    assertThatThrownBy(() -> DataWal.open(dir(), small()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.SEGMENT_MISSING);
              assertThat(e.segment()).isEqualTo(2);
            });
    assertThat(TestFiles.snapshot(dir())).isEqualTo(before);
    byte[] manifest = TestFiles.read(dir().resolve("datawal.manifest"));
    TestFiles.delete(dir().resolve("datawal.manifest")); // an older datawal's store
    assertThatThrownBy(() -> DataWal.open(dir(), small()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.SEGMENT_MISSING);
              assertThat(e.segment()).isEqualTo(2);
            })
        .hasMessageContaining("which is gone");
    // Back as it was: the snapshot is used again.
    TestFiles.write(middle, middleBytes);
    TestFiles.write(dir().resolve("datawal.manifest"), manifest);
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isTrue();
    }
    // A segment below the first one, which neither the manifest nor the snapshot lists.
    TestFiles.write(dir().resolve("00000000.dwal"), new byte[0]);
    assertThatThrownBy(() -> DataWal.open(dir(), small()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.SEGMENT_UNEXPECTED);
              assertThat(e.segment()).isZero();
            });
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

  @Test
  void aCleanReopenAndCloseNeitherRewritesTheSnapshotNorForcesAnything() throws IOException {
    SplittableRandom r = new SplittableRandom(SEED);
    Map<String, String> model = new TreeMap<>();
    try (DataWal store = DataWal.open(dir(), small())) {
      churn(store, r, 200, model);
    }
    Path snapshot = dir().resolve(SNAPSHOT);
    byte[] written = TestFiles.read(snapshot);
    Object file = Files.readAttributes(snapshot, BasicFileAttributes.class).fileKey();
    RecordingFileIo io = new RecordingFileIo();
    for (int reopen = 0; reopen < 3; reopen++) {
      io.clear();
      try (DataWal store = DataWal.open(dir(), small(), io)) {
        assertThat(store.recoveryReport().snapshotUsed()).isTrue();
        assertThat(state(store)).as("seed %d", SEED).isEqualTo(model);
        assertThat(store.keyDirectoryReadsSnapshot()).isTrue();
      }
      // A clean close forced everything before it wrote the snapshot, so the open has nothing to
      // make durable, and the close nothing to rewrite.
      assertThat(io.ops())
          .as("%s", io.ops())
          .noneMatch(op -> op.startsWith("force ") || op.equals("sync-dir"))
          .noneMatch(op -> op.startsWith("create " + SNAPSHOT) || op.startsWith("move "));
      assertThat(Files.readAttributes(snapshot, BasicFileAttributes.class).fileKey())
          .isEqualTo(file);
      assertThat(TestFiles.read(snapshot)).isEqualTo(written);
    }
    // A write changes the log: the next close writes a new snapshot, and the open after it again
    // forces nothing.
    try (DataWal store = DataWal.open(dir(), small())) {
      store.put(utf8("one"), utf8("more"));
      model.put("one", "more");
    }
    assertThat(TestFiles.read(snapshot)).isNotEqualTo(written);
    io.clear();
    try (DataWal store = DataWal.open(dir(), small(), io)) {
      assertThat(state(store)).isEqualTo(model);
    }
    assertThat(io.ops()).noneMatch(op -> op.startsWith("force ") || op.equals("sync-dir"));
  }

  @Test
  void anOpenThatFindsRecordsAfterTheSnapshotMakesThemDurable() {
    try (DataWal store = DataWal.open(dir(), small())) {
      store.put(utf8("a"), utf8("1"));
    }
    Path crashed;
    try (DataWal store = DataWal.open(dir(), small())) {
      store.put(utf8("b"), utf8("2")); // written, never forced: then the process dies
      crashed = copyWithoutSnapshot(dir(), "crashed");
      copy(dir().resolve(SNAPSHOT), crashed.resolve(SNAPSHOT));
    }
    RecordingFileIo io = new RecordingFileIo();
    try (DataWal store = DataWal.open(crashed, small(), io)) {
      assertThat(store.recoveryReport().snapshotUsed()).isTrue();
      assertThat(store.recoveryReport().recordsReplayed()).isEqualTo(1);
      assertThat(io.ops()).contains("force 00000001.dwal", "sync-dir");
      assertThat(state(store)).isEqualTo(Map.of("a", "1", "b", "2"));
    }
  }

  @Test
  void writesDeletesOverwritesAndCompactionAfterASnapshotOpenAreAllSeen() {
    SplittableRandom r = new SplittableRandom(SEED);
    Map<String, String> model = new TreeMap<>();
    try (DataWal store = DataWal.open(dir(), small())) {
      for (int i = 0; i < 300; i++) {
        store.put(utf8("base-" + i), utf8("v" + i));
        model.put("base-" + i, "v" + i);
      }
      churn(store, r, 200, model);
    }
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isTrue();
      assertThat(store.recoveryReport().snapshotKeys()).isEqualTo(model.size());
      for (int i = 0; i < 300; i += 3) {
        String key = "base-" + i;
        switch (i % 4) {
          case 0 -> { // overwrite a key of the snapshot
            store.put(utf8(key), utf8("over-" + i));
            model.put(key, "over-" + i);
          }
          case 1 -> { // delete one
            assertThat(store.delete(utf8(key))).isTrue();
            model.remove(key);
          }
          case 2 -> { // delete, then put back
            store.delete(utf8(key));
            store.put(utf8(key), utf8("back-" + i));
            model.put(key, "back-" + i);
          }
          default -> { // a new key, and a delete of a key that never was
            store.put(utf8("new-" + i), utf8("n" + i));
            model.put("new-" + i, "n" + i);
            assertThat(store.delete(utf8("never-" + i))).isFalse();
          }
        }
        assertThat(store.size()).isEqualTo(model.size());
      }
      assertThat(store.delete(utf8("base-9"))).isFalse(); // deleted above
      for (Map.Entry<String, String> e : model.entrySet()) {
        assertThat(store.get(utf8(e.getKey())).map(TestFiles::str)).contains(e.getValue());
      }
      assertThat(store.get(utf8("base-9"))).isEmpty();
      assertThat(store.containsKey(utf8("base-21"))).isFalse();
      assertThat(state(store)).as("seed %d", SEED).isEqualTo(model);
      assertThat(store.keys().stream().map(TestFiles::str).toList())
          .containsExactlyElementsOf(model.keySet());
      // Compaction moves the snapshot's keys to new offsets; gets follow them.
      store.log().rotate();
      assertThat(store.compact().bytesReclaimed()).isPositive();
      assertThat(state(store)).as("seed %d", SEED).isEqualTo(model);
      churn(store, r, 100, model);
      assertThat(state(store)).as("seed %d", SEED).isEqualTo(model);
      assertThat(store.size()).isEqualTo(model.size());
    }
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isTrue();
      assertThat(state(store)).as("seed %d", SEED).isEqualTo(model);
    }
    assertSameAsFullScan(dir(), "scanned");
  }

  @Test
  void aSnapshotOfAnotherFormatVersionIsRejectedAndRewritten() {
    try (DataWal store = DataWal.open(dir(), small())) {
      store.put(utf8("a"), utf8("1"));
      store.put(utf8("b"), utf8("2"));
    }
    Path snapshot = dir().resolve(SNAPSHOT);
    byte[] good = TestFiles.read(snapshot);
    assertThat(header(good).getShort(8)).isEqualTo((short) 2);
    for (short version : new short[] {1, 3}) {
      byte[] other = good.clone();
      header(other).putShort(8, version);
      fixCrc(other); // a whole, well-formed file of that version: still not read
      TestFiles.write(snapshot, other);
      try (DataWal store = DataWal.open(dir(), small())) {
        assertThat(store.recoveryReport().snapshotUsed()).isFalse();
        assertThat(state(store)).isEqualTo(Map.of("a", "1", "b", "2"));
      }
      assertThat(header(TestFiles.read(snapshot)).getShort(8)).isEqualTo((short) 2);
    }
    // The layout before version 2: header, segments, entries, CRC of the whole file.
    byte[] v1 = new byte[32 + 28 + 4];
    System.arraycopy(good, 0, v1, 0, 8);
    header(v1).putShort(8, (short) 1).putInt(12, 1).putLong(16, 2).putLong(24, 0);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(v1, 0, v1.length - 4);
    header(v1).putInt(v1.length - 4, (int) crc.getValue());
    TestFiles.write(snapshot, v1);
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isFalse();
      assertThat(state(store)).isEqualTo(Map.of("a", "1", "b", "2"));
    }
  }

  @Test
  void aDamagedPageFoundByAWriteFallsBackAndKeepsEveryWrite() {
    SplittableRandom r = new SplittableRandom(SEED);
    for (int round = 0; round < 8; round++) {
      Path d = tmp.resolve("round-" + round);
      Map<String, String> model = new TreeMap<>();
      try (DataWal store = DataWal.open(d, small())) {
        for (int i = 0; i < 400; i++) {
          store.put(utf8("k-" + i), utf8("v" + i));
          model.put("k-" + i, "v" + i);
        }
      }
      damageDataByte(d.resolve(SNAPSHOT), r);
      try (DataWal store = DataWal.open(d, small())) {
        assertThat(store.recoveryReport().snapshotUsed()).isTrue();
        // Writes first: each looks the key up in the snapshot's table before it changes anything.
        for (int i = 0; i < 400; i++) {
          String key = "k-" + r.nextInt(450);
          if (r.nextInt(3) == 0) {
            assertThat(store.delete(utf8(key)))
                .as("seed %d", SEED)
                .isEqualTo(model.containsKey(key));
            model.remove(key);
          } else {
            store.put(utf8(key), utf8("w" + i));
            model.put(key, "w" + i);
          }
          assertThat(store.size()).as("seed %d, op %d", SEED, i).isEqualTo(model.size());
        }
        assertThat(state(store)).as("seed %d", SEED).isEqualTo(model);
        assertThat(store.keyDirectoryReadsSnapshot()).isFalse();
        assertThat(store.garbage()).isEqualTo(garbageByFullScan(d, store, "scan-" + round));
      }
      try (DataWal store = DataWal.open(d, small())) {
        assertThat(store.recoveryReport().snapshotUsed()).isTrue();
        assertThat(store.keyDirectoryReadsSnapshot()).isTrue();
        assertThat(state(store)).as("seed %d", SEED).isEqualTo(model);
      }
    }
  }

  @Test
  void readersRacingAFallbackNeverSeeAWrongOrMissingValue() throws Exception {
    SplittableRandom r = new SplittableRandom(SEED);
    int keys = 2_000;
    try (DataWal store =
        DataWal.open(dir(), DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build())) {
      for (int i = 0; i < keys; i++) {
        store.put(utf8("r-" + i), utf8("value-" + i));
      }
    }
    damageDataByte(dir().resolve(SNAPSHOT), r);
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.keyDirectoryReadsSnapshot()).isTrue();
      java.util.concurrent.atomic.AtomicBoolean stop =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(3);
      List<java.util.concurrent.Future<Long>> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        long readerSeed = r.nextLong();
        readers.add(
            pool.submit(
                () -> {
                  SplittableRandom rr = new SplittableRandom(readerSeed);
                  long reads = 0;
                  while (!stop.get() || reads < 2_000) {
                    int i = rr.nextInt(keys);
                    assertThat(store.get(utf8("r-" + i)).map(TestFiles::str))
                        .as("seed %d", SEED)
                        .contains("value-" + i);
                    reads++;
                  }
                  return reads;
                }));
      }
      for (int i = 0; i < 500; i++) {
        store.put(utf8("w-" + i), utf8("written-" + i));
        assertThat(store.get(utf8("w-" + i)).map(TestFiles::str)).contains("written-" + i);
      }
      assertThat(store.keys()).hasSize(keys + 500); // walks every entry: finds the damage
      stop.set(true);
      for (java.util.concurrent.Future<Long> reader : readers) {
        assertThat(reader.get(60, java.util.concurrent.TimeUnit.SECONDS)).isPositive();
      }
      pool.shutdown();
      assertThat(store.keyDirectoryReadsSnapshot()).isFalse();
      assertThat(store.size()).isEqualTo(keys + 500);
    }
  }

  @Test
  void randomHistoriesWithDamagedOrStaleSnapshotsAgreeWithAModelAcrossReopens() {
    SplittableRandom r = new SplittableRandom(SEED);
    Map<String, String> model = new TreeMap<>();
    DatawalOptions options =
        DatawalOptions.builder().maxSegmentSize(600).fsyncPolicy(FsyncPolicy.MANUAL).build();
    Path snapshot = dir().resolve(SNAPSHOT);
    byte[] older = null;
    for (int round = 0; round < 40; round++) {
      String what = "round " + round + ", seed " + SEED;
      try (DataWal store = DataWal.open(dir(), options)) {
        // One key at a time first (lookups in the snapshot's table, page by page), then a walk.
        for (int k = 0; k < 26; k++) {
          String key = "key-" + k;
          assertThat(store.get(utf8(key)).map(TestFiles::str))
              .as("%s, %s", what, key)
              .isEqualTo(java.util.Optional.ofNullable(model.get(key)));
        }
        assertThat(store.size()).as(what).isEqualTo(model.size());
        assertThat(state(store)).as(what).isEqualTo(model);
        int ops = r.nextInt(60);
        for (int i = 0; i < ops; i++) {
          churn(store, r, 1, model);
          if (r.nextInt(40) == 0) {
            store.compact();
          }
          if (r.nextInt(50) == 0) {
            store.log().rotate();
          }
          if (r.nextInt(10) == 0) {
            String key = "key-" + r.nextInt(26);
            assertThat(store.get(utf8(key)).map(TestFiles::str))
                .as("%s, %s", what, key)
                .isEqualTo(java.util.Optional.ofNullable(model.get(key)));
          }
        }
        assertThat(store.size()).as(what).isEqualTo(model.size());
      }
      if (!Files.exists(snapshot)) {
        continue;
      }
      byte[] current = TestFiles.read(snapshot);
      switch (r.nextInt(6)) {
        case 0 -> damageDataByte(snapshot, r); // found lazily, or at the first walk
        case 1 -> { // anywhere, head included
          byte[] bad = current.clone();
          bad[r.nextInt(bad.length)] ^= (byte) (1 << r.nextInt(8));
          TestFiles.write(snapshot, bad);
        }
        case 2 ->
            TestFiles.write(snapshot, java.util.Arrays.copyOf(current, r.nextInt(current.length)));
        case 3 -> { // an older snapshot: trusted only if the log is still exactly what it covers
          if (older != null) {
            TestFiles.write(snapshot, older);
          }
        }
        default -> {}
      }
      older = current;
    }
  }

  /** Flips one bit of the snapshot's data region (slots or keys), which the open does not read. */
  static void damageDataByte(Path snapshot, SplittableRandom r) {
    byte[] bytes = TestFiles.read(snapshot);
    int dataOffset = (int) dataOffset(bytes);
    bytes[dataOffset + r.nextInt(bytes.length - dataOffset)] ^= (byte) (1 << r.nextInt(8));
    TestFiles.write(snapshot, bytes);
  }

  /** The garbage a full scan of a copy of {@code dir} (without the snapshot) finds. */
  private GarbageStats garbageByFullScan(Path dir, DataWal open, String name) {
    open.fsync();
    Path scanned = copyWithoutSnapshot(dir, name);
    try (DataWal store = DataWal.open(scanned, small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isFalse();
      return store.garbage();
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

  /** Recomputes the snapshot's head CRC-32C after a deliberate edit of its head. */
  static void fixCrc(byte[] bytes) {
    int head = (int) dataOffset(bytes);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, 0, head - 4);
    header(bytes).putInt(head - 4, (int) crc.getValue());
  }

  // The snapshot's layout (format version 2, see docs/format.md), read from its header.

  private static java.nio.ByteBuffer header(byte[] snapshot) {
    return java.nio.ByteBuffer.wrap(snapshot).order(java.nio.ByteOrder.LITTLE_ENDIAN);
  }

  private static int segmentCount(byte[] snapshot) {
    return header(snapshot).getInt(12);
  }

  private static long slotCount(byte[] snapshot) {
    return header(snapshot).getLong(48);
  }

  private static long arenaSize(byte[] snapshot) {
    return header(snapshot).getLong(56);
  }

  /** Where the data region (slots, then keys) starts: after the head, at a multiple of 4096. */
  private static long dataOffset(byte[] snapshot) {
    long arenaOffset = (slotCount(snapshot) * 24 + 4095) / 4096 * 4096;
    return snapshot.length - arenaOffset - arenaSize(snapshot);
  }
}
