package dev.datawal.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.StoreLockedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference's lock group, in one process (CrossProcessLockTests covers two). */
class DirectoryLockTests {
  @TempDir Path dir;

  @Test
  void lockCanBeTakenAgainAfterRelease() throws IOException {
    DirectoryLock.acquire(FileIo.system(), dir).close();
    DirectoryLock.acquire(FileIo.system(), dir).close();
  }

  @Test
  @SuppressWarnings("try") // the lock is held, not used
  void secondAcquireFailsAsAlreadyLocked() throws IOException {
    try (DirectoryLock first = DirectoryLock.acquire(FileIo.system(), dir)) {
      assertThatThrownBy(() -> DirectoryLock.acquire(FileIo.system(), dir))
          .isInstanceOf(StoreLockedException.class)
          .hasMessageContaining("already locked")
          .hasMessageContaining(dir.toString());
      // The failed attempt must not have released the holder's OS lock.
      assertThatThrownBy(() -> DirectoryLock.acquire(FileIo.system(), dir))
          .isInstanceOf(StoreLockedException.class);
    }
  }

  @Test
  void closingReleasesAndIsIdempotent() throws IOException {
    DirectoryLock lock = DirectoryLock.acquire(FileIo.system(), dir);
    lock.close();
    lock.close();
    DirectoryLock.acquire(FileIo.system(), dir).close();
  }

  @Test
  @SuppressWarnings("try")
  void staleLockFileDoesNotBlockAndGetsOurPid() throws IOException {
    Files.writeString(dir.resolve(".lock"), "12345");
    try (DirectoryLock lock = DirectoryLock.acquire(FileIo.system(), dir)) {
      assertThat(Files.readString(dir.resolve(".lock")).trim())
          .isEqualTo(Long.toString(ProcessHandle.current().pid()));
    }
    assertThat(dir.resolve(".lock")).exists(); // never deleted
  }

  @Test
  @SuppressWarnings("try")
  void theSameDirectoryThroughAnotherPathIsStillLocked() throws IOException {
    Path alias = dir.resolve("sub").resolve("..");
    Files.createDirectory(dir.resolve("sub"));
    try (DirectoryLock lock = DirectoryLock.acquire(FileIo.system(), dir)) {
      assertThatThrownBy(() -> DirectoryLock.acquire(FileIo.system(), alias))
          .isInstanceOf(StoreLockedException.class);
    }
  }
}
