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

  /**
   * The steps of replacing {@code datawal.manifest} recording {@code sealed} sealed segments:
   * written under a temporary name, forced, renamed over the old one, directory synced.
   */
  private static List<String> manifestWrite(int sealed) {
    int size = 88 + 56 * sealed + 4;
    return List.of(
        "delete datawal.manifest.tmp",
        "create datawal.manifest.tmp",
        "write datawal.manifest.tmp 0 " + size,
        "force datawal.manifest.tmp",
        "move datawal.manifest.tmp datawal.manifest",
        "sync-dir");
  }

  private static String[] concat(List<String> a, List<String> b, List<String> c) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    all.addAll(c);
    return all.toArray(new String[0]);
  }

  /** Under MANUAL, the reference's contract, so each test decides when to fsync. */
  private RecordLog open(Path dir) {
    return RecordLog.open(dir, MANUAL, io);
  }

  @Test
  void openingANewStoreMakesItsDirectoryAndFirstSegmentDurable() {
    Path dir = tmp.resolve("a").resolve("store");
    try (RecordLog log = open(dir)) {
      // The new segment and its directory entry are durable, and then the manifest that records
      // the store's shape (its own directory sync comes last).
      assertThat(io.ops())
          .containsExactly(
              concat(
                  List.of(
                      "mkdirs store",
                      "open-write .lock",
                      "write .lock 0 " + (ProcessHandle.current().pid() + "\n").length(),
                      "truncate .lock " + (ProcessHandle.current().pid() + "\n").length(),
                      "create 00000001.dwal",
                      "open-write 00000001.dwal",
                      "force 00000001.dwal",
                      "sync-dir"),
                  manifestWrite(0),
                  List.of()));
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
              // the first append zero-fills the segment's first step (1 MiB), then the frames go
              // into it: a commit still costs one force
              "write 00000001.dwal 0 1048576",
              "write 00000001.dwal 0 29",
              "write 00000001.dwal 29 29",
              "force 00000001.dwal");
    }
  }

  @Test
  void anFsyncWithNothingNewDoesNoIo() {
    RecordLog log = open(tmp.resolve("store"));
    log.append(utf8("a"));
    log.fsync();
    io.clear();
    log.fsync();
    assertThat(io.ops()).isEmpty();
    // Nothing new to force; the preallocated zeros are cut off (a forced cut), then the
    // manifest records the clean close.
    log.close();
    assertThat(io.ops())
        .containsExactly(
            concat(
                List.of("truncate 00000001.dwal 29", "force 00000001.dwal"),
                manifestWrite(0),
                List.of()));
  }

  @Test
  void rotateForcesTheSealedSegmentBeforeCreatingTheNextThenSyncsTheDirectory() {
    try (RecordLog log = open(tmp.resolve("store"))) {
      log.append(utf8("a"));
      io.clear();
      log.rotate();
      // rotate() promises the appends before it are durable: the sealed segment's name may be as
      // new as its data, so the directory is synced before it returns.
      // The manifest records the sealed segment (with its length, txids and frame digest) before
      // anything is appended to the next one; its directory sync makes the new name durable too.
      // Sealing first cuts the preallocated zeros off: a sealed segment is plain DWAL v1.
      assertThat(io.ops())
          .containsExactly(
              concat(
                  List.of(
                      "truncate 00000001.dwal 29", "force 00000001.dwal", "create 00000002.dwal"),
                  manifestWrite(1),
                  List.of("force 00000002.dwal", "sync-dir")));
      io.clear();
      log.append(utf8("b"));
      log.fsync();
      assertThat(io.ops())
          .containsExactly(
              "write 00000002.dwal 0 1048576", "write 00000002.dwal 0 29", "force 00000002.dwal");
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
              concat(
                  List.of("force 00000001.dwal", "create 00000002.dwal"),
                  manifestWrite(1),
                  List.of("write 00000002.dwal 0 29")));
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
    assertThat(io.ops())
        .containsExactly(
            concat(List.of("force 00000002.dwal", "sync-dir"), manifestWrite(1), List.of()));
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
      // A clean close recorded the whole segment: nothing changed, so the manifest stays.
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
      assertThat(io.ops())
          .containsExactly(
              "write 00000001.dwal 0 1048576", "write 00000001.dwal 0 29", "force 00000001.dwal");
      io.clear();
      log.appendBatch(List.of(Entry.raw(utf8("b")), Entry.raw(utf8("c"))));
      assertThat(io.ops()).containsExactly("write 00000001.dwal 29 58", "force 00000001.dwal");
      assertThat(log.durableTxid()).isEqualTo(3);
    }
  }
}
