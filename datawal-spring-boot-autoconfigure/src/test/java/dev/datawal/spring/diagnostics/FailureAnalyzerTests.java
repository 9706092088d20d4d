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
                  .contains("Nothing on disk was changed");
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
                  .contains("Nothing on disk was changed");
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
                  .contains("Nothing on disk was changed")
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
        .contains("Nothing on disk was changed")
        .doesNotContain("null")
        .doesNotContain("segment -1")
        .doesNotContain("offset -1");
    assertThat(analysis.getAction())
        .contains("cp -a " + dir)
        .contains("`datawal verify " + dir + "`")
        .contains("`datawal repair " + dir + "` is a dry run")
        .contains("`datawal repair " + dir + " --yes`");
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
