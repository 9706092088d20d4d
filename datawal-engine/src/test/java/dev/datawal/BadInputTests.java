package dev.datawal;

import static dev.datawal.TestFiles.payloads;
import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a clear error, and never changes what is on disk. */
class BadInputTests {
  @TempDir Path tmp;

  @Test
  void oversizeKeyOrPayloadChangesNothingOnDisk() {
    Path d = tmp.resolve("store");
    try (RecordLog log = RecordLog.open(d)) {
      log.append(utf8("kept"));
      log.fsync();
      byte[] before = TestFiles.read(segment(d, 1));
      assertThatThrownBy(() -> log.appendRecord(RecordType.PUT, new byte[65_537], new byte[1]))
          .isInstanceOfSatisfying(
              LimitExceededException.class,
              e -> {
                assertThat(e.limit()).isEqualTo(Limit.MAX_KEY_LEN);
                assertThat(e.allowed()).isEqualTo(65_536);
                assertThat(e.actual()).isEqualTo(65_537);
              })
          .hasMessage("datawal: key of 65537 bytes exceeds MAX_KEY_LEN (65536 bytes)");
      assertThatThrownBy(() -> log.append(new byte[RecordLog.MAX_PAYLOAD_LEN + 1]))
          .isInstanceOf(LimitExceededException.class)
          .hasMessage(
              "datawal: payload of 67108865 bytes exceeds MAX_PAYLOAD_LEN (67108864 bytes)");
      assertThat(TestFiles.read(segment(d, 1))).isEqualTo(before);
      assertThat(log.append(utf8("next")).txid()).isEqualTo(2);
    }
  }

  @Test
  void aPayloadAtTheLimitIsAccepted() {
    Path d = tmp.resolve("store");
    try (RecordLog log = RecordLog.open(d)) {
      RecordRef ref = log.append(new byte[RecordLog.MAX_PAYLOAD_LEN]);
      assertThat(ref.length()).isEqualTo(RecordLog.MAX_PAYLOAD_LEN + 28);
    }
    try (RecordLog log = RecordLog.open(d)) {
      assertThat(log.scan().get(0).payload()).hasSize(RecordLog.MAX_PAYLOAD_LEN);
    }
  }

  @Test
  void aPathThatIsAFileIsRefusedAndLeftAlone() throws IOException {
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "precious");
    assertThatThrownBy(() -> RecordLog.open(file))
        .isInstanceOf(DatawalException.class)
        .hasMessage("datawal: store path " + file + " exists but is not a directory");
    assertThat(Files.readString(file)).isEqualTo("precious");
  }

  @Test
  void aPathUnderAFileIsRefusedClearly() throws IOException {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertThatThrownBy(() -> RecordLog.open(file.resolve("store")))
        .isInstanceOf(DatawalException.class)
        .hasMessageContaining("cannot create store directory " + file.resolve("store"));
  }

  @Test
  void anUnwritableDirectoryGetsAClearErrorAndIsNotChanged() throws Exception {
    Path d = Files.createDirectory(tmp.resolve("read-only"));
    Runnable undo = makeUnwritable(d);
    try {
      assertThatThrownBy(() -> RecordLog.open(d))
          .isInstanceOf(DatawalException.class)
          .hasMessageContaining("cannot lock store directory " + d)
          .hasMessageContaining(d.resolve(".lock").toString())
          .hasCauseInstanceOf(IOException.class);
      assertThat(TestFiles.names(d)).isEmpty();
    } finally {
      undo.run();
    }
  }

  @Test
  void unknownFilesInTheStoreAreIgnoredAndKept() throws IOException {
    Path d = tmp.resolve("store");
    try (RecordLog log = RecordLog.open(d)) {
      log.append(utf8("a"));
    }
    for (String name : new String[] {"notes.txt", "1.dwal", "000000001.dwal", "0000000a.dwal"}) {
      Files.writeString(d.resolve(name), "not a segment");
    }
    Files.createDirectory(d.resolve("backup"));
    try (RecordLog log = RecordLog.open(d)) {
      log.rotate();
      log.append(utf8("b"));
      assertThat(payloads(log.scan())).containsExactly("a", "b");
      assertThat(log.recoveryReport().filesScanned()).isEqualTo(1);
    }
    assertThat(Files.readString(d.resolve("1.dwal"))).isEqualTo("not a segment");
    assertThat(TestFiles.names(d))
        .containsExactlyInAnyOrder(
            ".lock",
            "00000001.dwal",
            "00000002.dwal",
            "datawal.manifest",
            "notes.txt",
            "1.dwal",
            "000000001.dwal",
            "0000000a.dwal",
            "backup");
  }

  @Test
  void aDirectoryWithASegmentNameFailsTheOpen() throws IOException {
    Path d = tmp.resolve("store");
    RecordLog.open(d).close();
    Files.createDirectory(d.resolve("00000002.dwal"));
    assertThatThrownBy(() -> RecordLog.open(d))
        .isInstanceOf(DatawalException.class)
        .hasMessageContaining("00000002.dwal has a segment's name but is not a regular file");
    Files.delete(d.resolve("00000002.dwal"));
    RecordLog.open(d).close(); // the failed open released the lock
  }

  @Test
  void nullArgumentsAreRejected() {
    try (RecordLog log = RecordLog.open(tmp.resolve("store"))) {
      assertThatThrownBy(() -> log.append(null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> log.appendRecord(RecordType.PUT, null, new byte[0]))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("key");
      assertThatThrownBy(() -> log.appendRecord(null, new byte[0], new byte[0]))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("type");
    }
    assertThatThrownBy(() -> RecordLog.open(null)).isInstanceOf(NullPointerException.class);
  }

  /**
   * Makes {@code dir} unwritable even for root (ext4's immutable attribute), or by permissions for
   * other users; skips the test when neither is possible here.
   */
  private static Runnable makeUnwritable(Path dir) throws IOException {
    boolean root = Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    if (root) {
      assumeTrue(
          TestFiles.exec("chattr", "+i", dir.toString()) == 0,
          "skipped: running as root and chattr +i is not supported on this file system");
      return () -> TestFiles.exec("chattr", "-i", dir.toString());
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    return () -> {
      try {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }
}
