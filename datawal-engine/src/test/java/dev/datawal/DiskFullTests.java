package dev.datawal;

import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference's disk-full case on a real, small tmpfs: a write fails with ENOSPC, the writer is
 * poisoned with the exact message, reads and the report still work, and after space is freed a
 * reopen recovers and appends again. Needs root to mount; skipped otherwise.
 */
class DiskFullTests {
  @TempDir Path tmp;

  @Test
  void aFullDiskPoisonsTheWriterAndAReopenRecoversOnceSpaceIsFreed() throws Exception {
    Path mount = Files.createDirectory(tmp.resolve("tmpfs"));
    assumeTrue(
        TestFiles.exec("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", mount.toString()) == 0,
        "skipped: mounting a small tmpfs needs root (mount -t tmpfs failed)");
    try {
      Path store = mount.resolve("store");
      Path filler = Files.write(mount.resolve("filler"), new byte[128 * 1024]);
      byte[] payload = new byte[8 * 1024];
      int acknowledged = 0;
      WriterPoisonedException poisoned = null;
      try (RecordLog log = RecordLog.open(store)) {
        while (poisoned == null && acknowledged < 1000) {
          Throwable t =
              catchThrowable(
                  () -> {
                    log.append(payload);
                    log.fsync();
                  });
          if (t == null) {
            acknowledged++;
          } else {
            assertThat(t).isInstanceOf(WriterPoisonedException.class);
            poisoned = (WriterPoisonedException) t;
          }
        }
        assertThat(poisoned).as("the disk never filled up").isNotNull();
        assertThat(poisoned.getMessage())
            .startsWith("datawal: writer poisoned: ")
            .contains("No space left on device")
            .endsWith("; drop handle and reopen");
        assertThat(log.isPoisoned()).isTrue();
        assertThat(log.recoveryReport().recordsReplayed()).isZero();
        assertThat(log.scan()).hasSizeGreaterThanOrEqualTo(acknowledged);
      }
      // Still full: the store opens (read-only, saying why, if recovery itself needed space; a
      // failed preallocation leaves nothing for it to keep), so that the application can start and
      // free space; every acknowledged record reads, and a write is refused for lack of space.
      try (RecordLog log = RecordLog.open(store)) {
        assertThat(log.scan()).hasSizeGreaterThanOrEqualTo(acknowledged);
        Throwable refused =
            catchThrowable(
                () -> {
                  log.append(payload);
                  log.fsync();
                });
        assertThat(refused)
            .isInstanceOf(WriterPoisonedException.class)
            .hasMessageContaining("No space left on device");
        assertThat(log.scan()).hasSizeGreaterThanOrEqualTo(acknowledged);
      }
      Files.delete(filler);
      try (RecordLog log = RecordLog.open(store)) {
        List<Record> records = log.scan();
        assertThat(records.size()).isGreaterThanOrEqualTo(acknowledged);
        log.append(utf8("after space was freed"));
        log.fsync();
      }
      try (RecordLog log = RecordLog.open(store)) {
        assertThat(TestFiles.str(log.scan().get(log.scan().size() - 1).payload()))
            .isEqualTo("after space was freed");
      }
    } finally {
      TestFiles.exec("umount", mount.toString());
    }
  }
}
