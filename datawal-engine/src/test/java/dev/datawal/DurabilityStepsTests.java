package dev.datawal;

import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every durability step, in the order it must happen, as seen at the file system seam: data is
 * forced, the directory is synced only after it changed, and a sealed segment is forced before the
 * next one exists.
 */
@SuppressWarnings("try") // some tests open a store only for what opening does
class DurabilityStepsTests {
  @TempDir Path tmp;
  private final RecordingFileIo io = new RecordingFileIo();

  private static final DatawalOptions MANUAL =
      DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build();

  /** Under MANUAL, the reference's contract, so each test decides when to fsync. */
  private RecordLog open(Path dir) {
    return RecordLog.open(dir, MANUAL, io);
  }

  @Test
  void openingANewStoreMakesItsDirectoryAndFirstSegmentDurable() {
    Path dir = tmp.resolve("a").resolve("store");
    try (RecordLog log = open(dir)) {
      assertThat(io.ops())
          .containsExactly(
              "mkdirs store",
              "open-write .lock",
              "write .lock 0 " + (ProcessHandle.current().pid() + "\n").length(),
              "truncate .lock " + (ProcessHandle.current().pid() + "\n").length(),
              "create 00000001.dwal",
              "open-write 00000001.dwal",
              "force 00000001.dwal",
              "sync-dir");
    }
  }

  @Test
  void aCommitCostsOneForceAndNoDirectorySync() {
    try (RecordLog log = open(tmp.resolve("store"))) {
      io.clear();
      log.append(utf8("a"));
      log.append(utf8("b"));
      log.fsync();
      assertThat(io.ops())
          .containsExactly(
              "write 00000001.dwal 0 29", "write 00000001.dwal 29 29", "force 00000001.dwal");
    }
  }

  @Test
  void anFsyncWithNothingNewDoesNoIo() {
    RecordLog log = open(tmp.resolve("store"));
    log.append(utf8("a"));
    log.fsync();
    io.clear();
    log.fsync();
    log.close();
    assertThat(io.ops()).isEmpty();
  }

  @Test
  void rotateForcesTheSealedSegmentBeforeCreatingTheNextThenSyncsTheDirectory() {
    try (RecordLog log = open(tmp.resolve("store"))) {
      log.append(utf8("a"));
      io.clear();
      log.rotate();
      // rotate() promises the appends before it are durable: the sealed segment's name may be as
      // new as its data, so the directory is synced before it returns.
      assertThat(io.ops())
          .containsExactly(
              "force 00000001.dwal", "create 00000002.dwal", "force 00000002.dwal", "sync-dir");
      io.clear();
      log.append(utf8("b"));
      log.fsync();
      assertThat(io.ops()).containsExactly("write 00000002.dwal 0 29", "force 00000002.dwal");
    }
  }

  @Test
  void automaticRotationTakesTheSameSteps() {
    try (RecordLog log =
        RecordLog.open(tmp.resolve("store"), MANUAL.toBuilder().maxSegmentSize(40).build(), io)) {
      log.append(utf8("a"));
      io.clear();
      log.append(utf8("b"));
      assertThat(io.ops())
          .containsExactly(
              "force 00000001.dwal", "create 00000002.dwal", "write 00000002.dwal 0 29");
    }
  }

  @Test
  void anAutomaticRotationsNewSegmentNameIsSyncedByTheNextFsyncOrClose() {
    RecordLog log =
        RecordLog.open(tmp.resolve("store"), MANUAL.toBuilder().maxSegmentSize(40).build(), io);
    log.append(utf8("a"));
    log.append(utf8("b")); // rotates by itself: 00000002.dwal is created, its name not yet synced
    io.clear();
    log.close();
    assertThat(io.ops()).containsExactly("force 00000002.dwal", "sync-dir");
  }

  @Test
  void tornTailRepairKeepsTheEvidenceDurableBeforeCuttingTheSegment() {
    Path dir = tmp.resolve("store");
    try (RecordLog log = RecordLog.open(dir)) {
      log.append(utf8("a"));
    }
    TestFiles.append(segment(dir, 1), utf8("torn"));
    io.clear();
    try (RecordLog log = open(dir)) {
      assertThat(io.ops())
          .containsSubsequence(
              "open-write 00000001.dwal",
              "create 00000001.dwal.torn-at-29.tmp",
              "write 00000001.dwal.torn-at-29.tmp 0 4",
              "force 00000001.dwal.torn-at-29.tmp",
              "move 00000001.dwal.torn-at-29.tmp 00000001.dwal.torn-at-29",
              "sync-dir",
              "truncate 00000001.dwal 29",
              "force 00000001.dwal",
              "force 00000001.dwal",
              "sync-dir");
    }
  }

  @Test
  void reopeningForcesWhatItRecoveredBeforeAcceptingAppends() {
    Path dir = tmp.resolve("store");
    try (RecordLog log = RecordLog.open(dir)) {
      log.append(utf8("a"));
    }
    io.clear();
    try (RecordLog log = open(dir)) {
      assertThat(io.ops()).endsWith("open-write 00000001.dwal", "force 00000001.dwal", "sync-dir");
    }
  }

  @Test
  void underAlwaysEachAppendIsForcedBeforeItReturns() {
    try (RecordLog log =
        RecordLog.open(
            tmp.resolve("store"),
            DatawalOptions.builder().fsyncPolicy(FsyncPolicy.ALWAYS).build(),
            io)) {
      io.clear();
      log.append(utf8("a"));
      assertThat(io.ops()).containsExactly("write 00000001.dwal 0 29", "force 00000001.dwal");
      io.clear();
      log.appendBatch(List.of(Entry.raw(utf8("b")), Entry.raw(utf8("c"))));
      assertThat(io.ops()).containsExactly("write 00000001.dwal 29 58", "force 00000001.dwal");
      assertThat(log.durableTxid()).isEqualTo(3);
    }
  }
}
