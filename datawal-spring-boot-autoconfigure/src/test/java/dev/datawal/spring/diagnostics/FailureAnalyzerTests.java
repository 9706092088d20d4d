package dev.datawal.spring.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.RecordLog;
import dev.datawal.StoreLockedException;
import dev.datawal.autoconfigure.DamagedStores;
import dev.datawal.autoconfigure.LockHolder;
import dev.datawal.autoconfigure.StarterContexts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.support.SpringFactoriesLoader;

/** A locked or corrupt store at startup is explained with a description and an action. */
class FailureAnalyzerTests {
  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return StarterContexts.runner(dir);
  }

  @Test
  void bootFindsBothAnalyzers() {
    assertThat(
            SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
                // Boot's own analyzers need a bean factory to be built; only ours matter here.
                .load(FailureAnalyzer.class, (type, name, failure) -> {}))
        .hasAtLeastOneElementOfType(StoreLockedFailureAnalyzer.class)
        .hasAtLeastOneElementOfType(CorruptStoreFailureAnalyzer.class)
        .hasAtLeastOneElementOfType(StoreOpenFailureAnalyzer.class);
  }

  @Test
  void aLockedStoreIsExplainedWithTheHoldersPidAndWhatToDo() throws Exception {
    try (LockHolder other = LockHolder.start(dir)) {
      runner()
          .run(
              context -> {
                FailureAnalysis analysis =
                    new StoreLockedFailureAnalyzer().analyze(context.getStartupFailure());
                assertThat(analysis).isNotNull();
                assertThat(analysis.getDescription())
                    .contains(dir.toString())
                    .contains("process " + other.pid());
                assertThat(analysis.getAction())
                    .contains("ps -p " + other.pid())
                    .contains("datawal.lock.wait")
                    .contains("datawal.dir")
                    .contains("datawal.read-only")
                    .doesNotContain("@AutoConfigureDatawal");
              });
    }
  }

  @Test
  void aStoreHeldByAnotherContextOfThisJvmIsExplainedAsSuchNotAsAnotherProcess() {
    long ownPid = ProcessHandle.current().pid();
    try (DataWal otherContextsStore = DataWal.open(dir)) {
      runner()
          .run(
              context -> {
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(StoreLockedException.class);
                FailureAnalysis analysis =
                    new StoreLockedFailureAnalyzer().analyze(context.getStartupFailure());
                assertThat(analysis.getDescription())
                    .contains(dir.toString())
                    .contains("pid " + ownPid)
                    .contains("another application context in this same JVM")
                    .contains("cached")
                    .doesNotContain("process " + ownPid);
                assertThat(analysis.getAction())
                    .contains("@AutoConfigureDatawal")
                    .contains("datawal-spring-boot-test")
                    .contains("datawal.dir")
                    .doesNotContain("ps -p")
                    .doesNotContain("datawal.lock.wait");
              });
      // The failed start left the holder's store open and writable.
      otherContextsStore.put(
          "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
      assertThat(otherContextsStore.size()).isEqualTo(1);
    }
  }

  @Test
  void corruptionInASealedSegmentIsExplainedWithFileOffsetAndWhatToDo() throws IOException {
    DatawalOptions small = DatawalOptions.builder().maxSegmentSize(100).build();
    try (RecordLog log = RecordLog.open(dir, small)) {
      for (int i = 0; i < 5; i++) {
        log.append(("event-" + i).getBytes(StandardCharsets.UTF_8)); // two segments
      }
    }
    Path sealed = dir.resolve("00000001.dwal");
    try (FileChannel channel = FileChannel.open(sealed, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {(byte) 0xFF}), 30); // payload of the first frame
    }
    runner()
        .run(
            context -> {
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(CorruptStoreException.class);
              CorruptStoreException cause =
                  (CorruptStoreException) rootCause(context.getStartupFailure());
              assertThat(cause.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH);
              FailureAnalysis analysis =
                  new CorruptStoreFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis.getDescription())
                  .contains("segment 1")
                  .contains(sealed.toString())
                  .contains("offset 0")
                  .contains(
                      "This start did not change the store's segments, manifest or key-directory snapshot");
              assertThat(analysis.getAction()).contains("copy").contains(sealed.toString());
            });
  }

  @Test
  void damageRecordedWhileTheStoreWasOpenIsExplainedAsSuch() throws IOException {
    DamagedStores.Damage damage = DamagedStores.crcMismatchInASealedSegment(dir);
    try (DataWal kv = DataWal.open(dir, DatawalOptions.builder().verifyAfterOpen(false).build())) {
      assertThat(kv.verify().problems()).hasSize(1); // recorded in the manifest
    }
    runner()
        .run(
            context -> {
              CorruptStoreException cause =
                  (CorruptStoreException) rootCause(context.getStartupFailure());
              assertThat(cause.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH);
              FailureAnalysis analysis =
                  new CorruptStoreFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis.getDescription())
                  .contains("segment 1")
                  .contains("byte offset " + damage.offset())
                  .contains("CRC mismatch")
                  .contains("found while the store was last open")
                  .contains(
                      "This start did not change the store's segments, manifest or key-directory snapshot");
              assertThat(analysis.getAction())
                  .contains("cp -a " + dir)
                  .contains("`datawal verify " + dir + "`")
                  .contains("`datawal repair " + dir + "` is a dry run")
                  .contains("`datawal repair " + dir + " --yes`")
                  .contains(dir.resolve("00000001.dwal").toString());
            });
  }

  @Test
  void aLostSegmentIsExplainedAsLostData() throws IOException {
    DatawalOptions small = DatawalOptions.builder().maxSegmentSize(100).build();
    try (RecordLog log = RecordLog.open(dir, small)) {
      for (int i = 0; i < 8; i++) {
        log.append(("event-" + i).getBytes(StandardCharsets.UTF_8)); // several segments
      }
    }
    Path lost = dir.resolve("00000002.dwal");
    Files.delete(lost);
    runner()
        .run(
            context -> {
              CorruptStoreException cause =
                  (CorruptStoreException) rootCause(context.getStartupFailure());
              assertThat(cause.kind()).isEqualTo(CorruptionKind.SEGMENT_MISSING);
              FailureAnalysis analysis =
                  new CorruptStoreFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis.getDescription())
                  .contains("segment 2 (" + lost + ") is gone")
                  .contains("datawal.manifest")
                  .contains(
                      "This start did not change the store's segments, manifest or key-directory snapshot")
                  .doesNotContain("damaged at byte offset");
              assertThat(analysis.getAction())
                  .contains("put it back as " + lost)
                  .contains("`datawal repair " + dir + "` is a dry run")
                  .contains("accept the loss")
                  .contains("--yes");
            });
  }

  @Test
  void aDamagedManifestIsExplainedWithoutASegment() throws IOException {
    try (RecordLog log = RecordLog.open(dir)) {
      log.append("event".getBytes(StandardCharsets.UTF_8));
    }
    Path manifest = dir.resolve("datawal.manifest");
    byte[] bytes = Files.readAllBytes(manifest);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(manifest, bytes);
    runner()
        .run(
            context -> {
              CorruptStoreException cause =
                  (CorruptStoreException) rootCause(context.getStartupFailure());
              assertThat(cause.kind()).isEqualTo(CorruptionKind.MANIFEST_DAMAGED);
              FailureAnalysis analysis =
                  new CorruptStoreFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis.getDescription())
                  .contains("manifest (" + manifest + ") is damaged")
                  .doesNotContain("segment -1")
                  .doesNotContain("offset -1");
              assertThat(analysis.getAction())
                  .contains("write a new manifest")
                  .contains("`datawal repair " + dir + " --yes`");
            });
  }

  @ParameterizedTest
  @EnumSource(CorruptionKind.class)
  void everyKindIsExplainedAndLeadsToVerifyAndRepair(CorruptionKind kind) {
    Path file =
        kind == CorruptionKind.MANIFEST_DAMAGED
            ? dir.resolve("datawal.manifest")
            : dir.resolve("00000002.dwal");
    long segment = kind == CorruptionKind.MANIFEST_DAMAGED ? -1 : 2;
    CorruptStoreException cause =
        new CorruptStoreException(kind, file, segment, segment < 0 ? -1 : 40, "datawal: " + kind);

    FailureAnalysis analysis =
        new CorruptStoreFailureAnalyzer().analyze(new IllegalStateException("boom", cause));

    assertThat(analysis.getDescription())
        .contains(file.toString())
        .contains(
            "This start did not change the store's segments, manifest or key-directory snapshot")
        .doesNotContain("null")
        .doesNotContain("segment -1")
        .doesNotContain("offset -1");
    assertThat(analysis.getAction())
        .contains("cp -a " + dir)
        .contains("`datawal verify " + dir + "`")
        .contains("`datawal repair " + dir + "` is a dry run")
        .contains("`datawal repair " + dir + " --yes`");
  }

  /**
   * Damage done by hand to a key/value store that closed cleanly (so its snapshot is there): the
   * start is refused, every file is byte for byte as it was, and the advice says the snapshot is
   * there and what the repair does with it.
   */
  @ParameterizedTest
  @EnumSource(HandDamage.class)
  void aRefusedStartChangesNoFileAndSaysTheSnapshotIsThere(HandDamage damage) throws IOException {
    writeKeyValueStore();
    assertThat(dir.resolve(CorruptStoreFailureAnalyzer.SNAPSHOT)).exists();
    damage.apply(dir);
    Map<String, String> before = digests(dir);
    runner()
        .run(
            context -> {
              assertThat(context).hasFailed();
              CorruptStoreException cause =
                  (CorruptStoreException) rootCause(context.getStartupFailure());
              assertThat(cause.kind()).as(cause.getMessage()).isEqualTo(damage.kind);
              FailureAnalysis analysis =
                  new CorruptStoreFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis.getDescription())
                  .contains("This start did not change the store's segments, manifest");
              assertThat(analysis.getAction())
                  .contains(
                      "The key-directory snapshot ("
                          + dir.resolve(CorruptStoreFailureAnalyzer.SNAPSHOT)
                          + ") is there")
                  .contains("`datawal repair " + dir + "` is a dry run");
            });
    assertThat(digests(dir)).as("every file after the refused start").isEqualTo(before);
  }

  @Test
  void withoutASnapshotTheAdviceSaysTheRepairCannotNameTheKeys() throws IOException {
    writeKeyValueStore();
    Files.delete(dir.resolve(CorruptStoreFailureAnalyzer.SNAPSHOT));
    HandDamage.SEGMENT_DELETED.apply(dir);
    runner()
        .run(
            context -> {
              FailureAnalysis analysis =
                  new CorruptStoreFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis.getAction())
                  .contains("There is no key-directory snapshot (keydir.snapshot)")
                  .contains("cannot name the keys the loss took away")
                  .doesNotContain("is there:");
            });
  }

  @Test
  void movingAnUnexpectedSegmentOutSaysWhatItsRecordsBecome() {
    Path file = dir.resolve("00000009.dwal");
    CorruptStoreException cause =
        new CorruptStoreException(CorruptionKind.SEGMENT_UNEXPECTED, file, 9, 0, "datawal: extra");
    FailureAnalysis analysis = new CorruptStoreFailureAnalyzer().analyze(cause);
    assertThat(analysis.getAction())
        .contains("move it out of the directory and start again")
        .contains("whatever that file holds is in no store");
  }

  /** Damage done to a store's files by hand, and the kind of refusal each must get. */
  enum HandDamage {
    SEGMENT_DELETED(CorruptionKind.SEGMENT_MISSING) {
      @Override
      void apply(Path dir) throws IOException {
        Files.delete(dir.resolve("00000002.dwal"));
      }
    },
    SEGMENT_CUT(CorruptionKind.SEGMENT_SHORTER) {
      @Override
      void apply(Path dir) throws IOException {
        Path segment = dir.resolve("00000002.dwal");
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
          channel.truncate(channel.size() / 2);
        }
      }
    },
    SEGMENT_EMPTIED(CorruptionKind.SEGMENT_SHORTER) {
      @Override
      void apply(Path dir) throws IOException {
        Files.write(dir.resolve("00000002.dwal"), new byte[0]);
      }
    },
    /** Segment 1 is shorter than segment 2 here, so the size check speaks first. */
    SEGMENT_COPIED_OVER_ANOTHER(CorruptionKind.SEGMENT_SHORTER) {
      @Override
      void apply(Path dir) throws IOException {
        Files.copy(
            dir.resolve("00000001.dwal"),
            dir.resolve("00000002.dwal"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    },
    MANIFEST_EDITED(CorruptionKind.MANIFEST_DAMAGED) {
      @Override
      void apply(Path dir) throws IOException {
        Path manifest = dir.resolve("datawal.manifest");
        byte[] bytes = Files.readAllBytes(manifest);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(manifest, bytes);
      }
    };

    final CorruptionKind kind;

    HandDamage(CorruptionKind kind) {
      this.kind = kind;
    }

    abstract void apply(Path dir) throws IOException;
  }

  private void writeKeyValueStore() {
    DatawalOptions small = DatawalOptions.builder().maxSegmentSize(4096).build();
    try (DataWal kv = DataWal.open(dir, small)) {
      for (int i = 0; i < 200; i++) {
        kv.put(
            ("key-" + i % 50).getBytes(StandardCharsets.UTF_8),
            ("value-" + i + "-" + "x".repeat(60)).getBytes(StandardCharsets.UTF_8));
      }
      assertThat(kv.log().segmentSizes()).hasSizeGreaterThan(3);
    }
  }

  private static Map<String, String> digests(Path dir) throws IOException {
    Map<String, String> digests = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        digests.put(
            file.getFileName().toString(),
            HexFormat.of().formatHex(sha256(Files.readAllBytes(file))));
      }
    }
    return digests;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aStorePathThatIsAFileIsExplainedNamingThePath() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    runner()
        .withPropertyValues("datawal.dir=" + file)
        .run(
            context -> {
              Throwable failure = context.getStartupFailure();
              FailureAnalysis analysis = new StoreOpenFailureAnalyzer().analyze(failure);
              assertThat(analysis.getDescription())
                  .contains(file.toString())
                  .contains("not a directory");
              assertThat(analysis.getAction()).contains("datawal.dir");
            });
  }

  @Test
  void theGeneralAnalyzerLeavesLockedAndCorruptStoresToTheirOwn() throws Exception {
    try (LockHolder other = LockHolder.start(dir)) {
      runner()
          .run(
              context ->
                  assertThat(new StoreOpenFailureAnalyzer().analyze(context.getStartupFailure()))
                      .isNull());
      assertThat(other.pid()).isPositive(); // held the lock throughout
    }
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
