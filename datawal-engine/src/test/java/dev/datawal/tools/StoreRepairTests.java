package dev.datawal.tools;

import static dev.datawal.TestFiles.payloads;
import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.utf8;
import static dev.datawal.tools.SegmentWalkerTests.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.DataWal;
import dev.datawal.Record;
import dev.datawal.RecordLog;
import dev.datawal.RecordType;
import dev.datawal.RecordingFileIo;
import dev.datawal.StoreLockedException;
import dev.datawal.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repair moves exactly the damage that blocks opening into quarantine files, durably, under the
 * writer lock, and the store then opens with every valid record it had.
 */
class StoreRepairTests {
  @TempDir Path tmp;

  private static StoreRepair.Result repair(Path dir) {
    try (StoreRepair repair = StoreRepair.lock(dir)) {
      return repair.apply(repair.plan());
    }
  }

  private static byte[] slice(byte[] bytes, long from, long to) {
    return Arrays.copyOfRange(bytes, (int) from, (int) to);
  }

  @Test
  void aCrcMismatchInASealedSegmentIsQuarantinedAndTheStoreOpensWithTheOtherRecords() {
    Path d = TestFiles.copyFixture("bad_crc", tmp.resolve("bad_crc"));
    byte[] damaged = TestFiles.read(segment(d, 2));
    assertThatThrownBy(() -> RecordLog.open(d)).isInstanceOf(CorruptStoreException.class);

    StoreRepair.Plan plan = StoreRepair.plan(d);
    assertThat(plan.needed()).isTrue();
    assertThat(plan.quarantines())
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.segment()).isEqualTo(2);
              assertThat(q.offset()).isZero();
              assertThat(q.length()).isEqualTo(50);
              assertThat(q.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH);
              assertThat(q.file()).isEqualTo(d.resolve("00000002.dwal.quarantine-at-0"));
            });
    assertThat(TestFiles.names(d)).doesNotContain("00000002.dwal.quarantine-at-0"); // a dry run

    repair(d);

    assertThat(TestFiles.read(d.resolve("00000002.dwal.quarantine-at-0"))).isEqualTo(damaged);
    assertThat(TestFiles.read(segment(d, 2))).isEmpty();
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(payloads(log.scan())).containsExactly("good", "after");
      assertThat(log.scan()).extracting(Record::txid).containsExactly(1L, 3L);
      assertThat(log.append(utf8("next")).txid()).isEqualTo(4);
    }
  }

  @Test
  void aReferenceStoreWithAppendsAfterATornTailKeepsTheAppendsAndQuarantinesOnlyTheTornBytes() {
    // The reference leaves a torn tail in place and appends after it (txid = highest found + 1).
    Path d = TestFiles.rawStore(tmp.resolve("s"), "one", "two", "three");
    long tornAt = 62;
    TestFiles.truncate(segment(d, 1), TestFiles.read(segment(d, 1)).length - 5);
    TestFiles.append(segment(d, 1), frame(RecordType.RAW, 3, "", "appended"));
    byte[] before = TestFiles.read(segment(d, 1));
    assertThatThrownBy(() -> RecordLog.open(d)).hasMessageContaining("mid-stream");

    StoreRepair.Result result = repair(d);

    StoreRepair.Quarantine q = result.plan().quarantines().get(0);
    assertThat(q.offset()).isEqualTo(tornAt);
    assertThat(q.length()).isEqualTo(33 - 5);
    assertThat(TestFiles.read(q.file())).isEqualTo(slice(before, tornAt, tornAt + 28));
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(payloads(log.scan())).containsExactly("one", "two", "appended");
      assertThat(log.recoveryReport().damageFound()).isFalse();
    }
  }

  @Test
  void anUnknownVersionHeaderAtTheTailIsQuarantinedWhileATornTailIsLeftToTheWriter() {
    Path d = TestFiles.rawStore(tmp.resolve("s"), "a", "b");
    long at = TestFiles.read(segment(d, 1)).length;
    // Version 254 may be a newer format's (0 or above 255 would be a torn header, a torn tail).
    byte[] garbage = Arrays.copyOf(new byte[] {'D', 'W', 'A', 'L', (byte) 0xFE, 0}, 30);
    TestFiles.append(segment(d, 1), garbage);
    assertThatThrownBy(() -> RecordLog.open(d)).hasMessageContaining("unsupported version");

    repair(d);

    assertThat(TestFiles.read(d.resolve("00000001.dwal.quarantine-at-" + at))).isEqualTo(garbage);
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(payloads(log.scan())).containsExactly("a", "b");
    }

    // A plain torn tail does not block opening: repair leaves it, the writer's open keeps it.
    TestFiles.append(segment(d, 1), new byte[] {'D', 'W', 'A'});
    StoreRepair.Plan plan = StoreRepair.plan(d);
    assertThat(plan.needed()).isFalse();
    assertThat(plan.tornTails())
        .singleElement()
        .satisfies(t -> assertThat(t.length()).isEqualTo(3));
    Map<String, String> files = TestFiles.snapshot(d);
    repair(d);
    assertThat(TestFiles.snapshot(d)).isEqualTo(files);
  }

  @Test
  void structuralAndTruncatedDamageInSealedSegmentsAreQuarantinedAndLaterFramesKept() {
    Path d = tmp.resolve("s");
    try (RecordLog log = RecordLog.open(d)) {
      log.append(utf8("a"));
      log.append(utf8("b"));
      log.append(utf8("c"));
      log.rotate();
      log.append(utf8("d"));
      log.append(utf8("e"));
      log.rotate();
      log.append(utf8("f"));
    }
    TestFiles.patch(segment(d, 1), 29, (byte) 'X'); // bad magic of "b"
    TestFiles.truncate(segment(d, 2), 29 + 10); // "e" cut short
    byte[] one = TestFiles.read(segment(d, 1));

    StoreRepair.Result result = repair(d);

    assertThat(result.plan().quarantines())
        .extracting(StoreRepair.Quarantine::segment, StoreRepair.Quarantine::kind)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, CorruptionKind.STRUCTURAL),
            org.assertj.core.groups.Tuple.tuple(2L, CorruptionKind.TRUNCATED));
    assertThat(TestFiles.read(d.resolve("00000001.dwal.quarantine-at-29")))
        .isEqualTo(slice(one, 29, 58));
    assertThat(TestFiles.read(d.resolve("00000002.dwal.quarantine-at-29"))).hasSize(10);
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(payloads(log.scan())).containsExactly("a", "c", "d", "f");
    }
  }

  @Test
  void everyDurabilityStepHappensInOrder() {
    Path d = TestFiles.rawStore(tmp.resolve("s"), "a", "b");
    TestFiles.append(segment(d, 1), utf8("garbage"));
    TestFiles.append(segment(d, 1), frame(RecordType.RAW, 3, "", "c"));
    RecordingFileIo io = new RecordingFileIo();
    try (StoreRepair repair = StoreRepair.lock(io, d)) {
      StoreRepair.Plan plan = repair.plan();
      io.clear();
      repair.apply(plan);
    }
    String q = "00000001.dwal.quarantine-at-58";
    assertThat(io.ops())
        .containsExactly(
            "delete " + q + ".tmp",
            "create " + q + ".tmp",
            "write " + q + ".tmp 0 7",
            "force " + q + ".tmp",
            "move " + q + ".tmp " + q,
            "sync-dir",
            "delete 00000001.dwal.repairing",
            "create 00000001.dwal.repairing",
            "write 00000001.dwal.repairing 0 58",
            "write 00000001.dwal.repairing 58 29",
            "force 00000001.dwal.repairing",
            "move 00000001.dwal.repairing 00000001.dwal",
            "sync-dir",
            // last, the manifest of the repaired store: until then the old one refuses the store
            "delete datawal.manifest.tmp",
            "create datawal.manifest.tmp",
            "write datawal.manifest.tmp 0 92",
            "force datawal.manifest.tmp",
            "move datawal.manifest.tmp datawal.manifest",
            "sync-dir");
  }

  @Test
  void theKeyDirectorySnapshotIsDeletedDurablyBeforeASegmentChanges() {
    Path d = tmp.resolve("kv");
    try (DataWal kv = DataWal.open(d)) {
      kv.put(utf8("k1"), utf8("v1"));
      kv.log().rotate();
      kv.put(utf8("k2"), utf8("v2"));
    }
    assertThat(d.resolve("keydir.snapshot")).exists();
    TestFiles.patch(segment(d, 1), 30, (byte) '!'); // k1's Put, covered by the snapshot
    RecordingFileIo io = new RecordingFileIo();
    try (StoreRepair repair = StoreRepair.lock(io, d)) {
      StoreRepair.Plan plan = repair.plan();
      assertThat(plan.snapshotPresent()).isTrue();
      io.clear();
      assertThat(repair.apply(plan).snapshotDeleted()).isTrue();
    }
    assertThat(io.ops()).startsWith("delete keydir.snapshot", "sync-dir");
    assertThat(d.resolve("keydir.snapshot")).doesNotExist();
    try (DataWal kv = DataWal.open(d)) {
      assertThat(kv.get(utf8("k1"))).isEmpty();
      assertThat(kv.get(utf8("k2"))).hasValue(utf8("v2"));
    }
  }

  @Test
  void aRepairInterruptedBeforeTheSegmentIsReplacedLosesNothingAndARerunFinishesIt() {
    Path d = TestFiles.copyFixture("bad_crc", tmp.resolve("bad_crc"));
    byte[] damaged = TestFiles.read(segment(d, 2));
    RecordingFileIo io =
        new RecordingFileIo()
            .failOnce("move 00000002.dwal.repairing", "crash")
            // the clean-up after the failed rename (the 2nd delete) fails too: a crash leaves it
            .andFailNth("delete 00000002.dwal.repairing", 2);
    try (StoreRepair repair = StoreRepair.lock(io, d)) {
      StoreRepair.Plan plan = repair.plan();
      assertThatThrownBy(() -> repair.apply(plan)).hasMessageContaining("crash");
    }
    assertThat(TestFiles.read(segment(d, 2))).isEqualTo(damaged);
    assertThat(TestFiles.read(d.resolve("00000002.dwal.quarantine-at-0"))).isEqualTo(damaged);
    assertThat(d.resolve("00000002.dwal.repairing")).exists();

    StoreRepair.Result rerun = repair(d);

    assertThat(rerun.leftoversRemoved()).containsExactly(d.resolve("00000002.dwal.repairing"));
    assertThat(rerun.plan().quarantines().get(0).file())
        .isEqualTo(d.resolve("00000002.dwal.quarantine-at-0.2"));
    assertThat(TestFiles.read(d.resolve("00000002.dwal.quarantine-at-0.2"))).isEqualTo(damaged);
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(payloads(log.scan())).containsExactly("good", "after");
    }
  }

  @Test
  void aSegmentChangedSinceThePlanIsLeftAlone() {
    Path d = TestFiles.copyFixture("bad_crc", tmp.resolve("bad_crc"));
    try (StoreRepair repair = StoreRepair.lock(d)) {
      StoreRepair.Plan plan = repair.plan();
      TestFiles.append(segment(d, 2), utf8("x"));
      byte[] changed = TestFiles.read(segment(d, 2));
      assertThatThrownBy(() -> repair.apply(plan)).hasMessageContaining("changed since the plan");
      assertThat(TestFiles.read(segment(d, 2))).isEqualTo(changed);
      assertThatThrownBy(() -> repair.apply(plan)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> repair.apply(StoreRepair.plan(d)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aLiveWriterBlocksARepairAndAMissingDirectoryIsNeverCreated() {
    Path d = tmp.resolve("live");
    try (RecordLog log = RecordLog.open(d)) {
      log.append(utf8("a"));
      assertThatThrownBy(() -> StoreRepair.lock(d))
          .isInstanceOf(StoreLockedException.class)
          .hasMessageContaining("locked");
      assertThat(StoreRepair.plan(d).needed()).isFalse();
    }
    Path missing = tmp.resolve("missing");
    assertThatThrownBy(() -> StoreRepair.lock(missing)).hasMessageContaining("no such directory");
    assertThatThrownBy(() -> StoreRepair.plan(missing)).hasMessageContaining("no such directory");
    assertThat(Files.exists(missing)).isFalse();
  }
}
