package dev.datawal.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.DatawalOptions;
import dev.datawal.RecordLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
                    .contains("datawal.lock.wait")
                    .contains("datawal.dir")
                    .contains("datawal.read-only");
              });
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
