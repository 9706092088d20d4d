package dev.datawal;

import static dev.datawal.TestFiles.payloads;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed write, fsync or rotation poisons the writer: every later change fails with the exact
 * message, reads keep working, and reopening recovers.
 */
class PoisoningTests {
  private static final String ENOSPC = "No space left on device";

  @TempDir Path tmp;
  private final RecordingFileIo io = new RecordingFileIo();

  private RecordLog open(long maxSegmentSize) {
    return RecordLog.open(
        tmp.resolve("store"),
        DatawalOptions.builder()
            .maxSegmentSize(maxSegmentSize)
            .fsyncPolicy(FsyncPolicy.MANUAL)
            .build(),
        io);
  }

  private void assertPoisoned(RecordLog log, String reason) {
    String message = "datawal: writer poisoned: " + reason + "; drop handle and reopen";
    assertThat(log.isPoisoned()).isTrue();
    assertThatThrownBy(() -> log.append(utf8("x")))
        .isInstanceOf(WriterPoisonedException.class)
        .hasMessage(message);
    assertThatThrownBy(log::fsync).isInstanceOf(WriterPoisonedException.class).hasMessage(message);
    assertThatThrownBy(log::rotate).isInstanceOf(WriterPoisonedException.class).hasMessage(message);
  }

  @Test
  void aFailedWritePoisonsTheWriter() {
    Path segment = tmp.resolve("store").resolve("00000001.dwal");
    try (RecordLog log = open(1 << 20)) {
      log.append(utf8("kept"));
      io.failOnce("write 00000001.dwal", ENOSPC);
      assertThatThrownBy(() -> log.append(utf8("lost")))
          .isInstanceOfSatisfying(
              WriterPoisonedException.class,
              e -> {
                assertThat(e.getCause()).hasMessage(ENOSPC);
                assertThat(e.reason())
                    .isEqualTo("write to " + segment + " failed: IOException: " + ENOSPC);
              });
      assertPoisoned(log, "write to " + segment + " failed: IOException: " + ENOSPC);
      assertThat(payloads(log.scan())).containsExactly("kept"); // reads keep working
      assertThat(log.recoveryReport()).isNotNull();
    }
    try (RecordLog log = RecordLog.open(tmp.resolve("store"))) {
      assertThat(log.isPoisoned()).isFalse();
      assertThat(payloads(log.scan())).containsExactly("kept");
      log.append(utf8("after reopen"));
    }
  }

  @Test
  void aFailedFsyncPoisonsTheWriterAndIsNeverRetried() {
    Path segment = tmp.resolve("store").resolve("00000001.dwal");
    try (RecordLog log = open(1 << 20)) {
      log.append(utf8("a"));
      io.failOnce("force 00000001.dwal", "Input/output error");
      assertThatThrownBy(log::fsync)
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessage(
              "datawal: writer poisoned: fsync of "
                  + segment
                  + " failed: IOException: Input/output error; drop handle and reopen");
      io.clear();
      assertPoisoned(log, "fsync of " + segment + " failed: IOException: Input/output error");
      assertThat(io.ops()).isEmpty(); // no second force that could report false success
      assertThat(log.scan()).hasSize(1);
    }
    assertThat(io.ops()).doesNotContain("force 00000001.dwal"); // close did not retry either
  }

  @Test
  void aFailedRotationPoisonsTheWriter() {
    Path next = tmp.resolve("store").resolve("00000002.dwal");
    try (RecordLog log = open(1 << 20)) {
      log.append(utf8("a"));
      io.failOnce("create 00000002.dwal", ENOSPC);
      assertThatThrownBy(log::rotate).isInstanceOf(WriterPoisonedException.class);
      assertPoisoned(log, "creating segment " + next + " failed: IOException: " + ENOSPC);
      assertThat(payloads(log.scan())).containsExactly("a");
    }
    try (RecordLog log = RecordLog.open(tmp.resolve("store"))) {
      assertThat(payloads(log.scan())).containsExactly("a");
    }
  }

  @Test
  void aFailedForceWhileSealingPoisonsTheWriter() {
    Path segment = tmp.resolve("store").resolve("00000001.dwal");
    try (RecordLog log = open(60)) {
      log.append(utf8("a"));
      io.failOnce("force 00000001.dwal", ENOSPC);
      assertThatThrownBy(() -> log.append(utf8("rotates first")))
          .isInstanceOf(WriterPoisonedException.class);
      assertPoisoned(
          log, "fsync of " + segment + " while sealing it failed: IOException: " + ENOSPC);
    }
  }

  @Test
  void aFailedDirectorySyncPoisonsTheWriter() {
    try (RecordLog log = open(1 << 20)) {
      log.append(utf8("a"));
      // rotate() records the sealed segment in the manifest (temp file, rename, directory sync),
      // then syncs the directory before it returns: the second sync is the log's own.
      io.failNth("sync-dir", 2, ENOSPC);
      assertThatThrownBy(log::rotate)
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessageContaining("fsync of directory");
      assertThat(log.isPoisoned()).isTrue();
      assertThatThrownBy(log::fsync).isInstanceOf(WriterPoisonedException.class);
    }
  }

  @Test
  void aFailedManifestWriteAtASealPoisonsTheWriter() {
    try (RecordLog log = open(1 << 20)) {
      log.append(utf8("a"));
      io.failOnce("sync-dir", ENOSPC);
      assertThatThrownBy(log::rotate)
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessageContaining("recording sealed segment 1 in datawal.manifest failed");
      assertThat(log.isPoisoned()).isTrue();
      assertThatThrownBy(() -> log.append(utf8("b"))).isInstanceOf(WriterPoisonedException.class);
    }
    // Whether or not the new manifest reached the disk, the store opens with what was acknowledged.
    try (RecordLog log = RecordLog.open(tmp.resolve("store"))) {
      assertThat(payloads(log.scan())).containsExactly("a");
    }
  }

  @Test
  void closingAPoisonedWriterReleasesTheLockWithoutSyncing() {
    RecordLog log = open(1 << 20);
    io.failOnce("write", ENOSPC).andFailNth("write", 1); // the preallocated zeros, then the frame
    assertThatThrownBy(() -> log.append(utf8("a"))).isInstanceOf(WriterPoisonedException.class);
    io.clear();
    assertThatCode(log::close).doesNotThrowAnyException();
    assertThat(io.ops()).isEmpty();
    RecordLog.open(tmp.resolve("store")).close();
  }

  @Test
  void aFailedFinalFsyncInCloseIsReportedAndStillReleasesTheLock() {
    RecordLog log = open(1 << 20);
    log.append(utf8("a"));
    io.failOnce("force", ENOSPC);
    assertThatThrownBy(log::close)
        .isInstanceOf(WriterPoisonedException.class)
        .hasMessageContaining(ENOSPC);
    RecordLog.open(tmp.resolve("store")).close();
  }
}
