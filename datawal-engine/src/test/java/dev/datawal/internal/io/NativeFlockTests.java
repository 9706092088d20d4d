package dev.datawal.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.datawal.FlockCommand;
import dev.datawal.ProcLocks;
import dev.datawal.StoreLockedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flock that {@link DirectoryLock} takes beside its fcntl lock, in this JVM. Under Java 17 (the
 * build's JDK) flock is unavailable and only the first two tests run; run the tests on Java 22+
 * with {@code -DargLine=--enable-native-access=ALL-UNNAMED} for the others. FlockInteropTests runs
 * the flock path in child JVMs whatever the JDK of the build.
 */
class NativeFlockTests {
  private static final long OWN_PID = ProcessHandle.current().pid();

  @TempDir Path dir;
  private Path lockFile;

  @BeforeEach
  void setUp() {
    lockFile = dir.resolve(DirectoryLock.FILE_NAME);
  }

  @Test
  void flockIsAvailableExactlyOnLinuxWithJava22PlusAndNativeAccess() throws Exception {
    boolean linux = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux");
    boolean knownArch =
        Set.of("amd64", "x86_64", "aarch64").contains(System.getProperty("os.arch"));
    boolean java22 = Runtime.version().feature() >= 22;
    boolean nativeAccess =
        java22
            && (Boolean)
                Module.class
                    .getMethod("isNativeAccessEnabled")
                    .invoke(NativeFlock.class.getModule());

    assertThat(NativeFlock.available()).isEqualTo(linux && knownArch && java22 && nativeAccess);
  }

  @Test
  @SuppressWarnings("try") // the lock is held, not used
  void withoutFlockTheStoreLockIsTheFcntlLockAloneAndLeavesTheFlockFree() throws Exception {
    assumeThat(NativeFlock.available()).as("flock is available in this JVM").isFalse();
    assumeLinuxTools();

    try (DirectoryLock lock = DirectoryLock.acquire(FileIo.system(), dir)) {
      assertThat(ProcLocks.heldBy(OWN_PID, lockFile)).containsExactly("POSIX");
      // The gap the documentation states: a flock holder (the reference) is not kept out.
      assertThat(FlockCommand.canLock(lockFile)).isTrue();
    }
    assertThat(ProcLocks.heldBy(OWN_PID, lockFile)).isEmpty();
  }

  @Test
  @SuppressWarnings("try")
  void aHeldStoreHoldsBothLocksAndKeepsTheFlockCommandOutUntilReleased() throws Exception {
    assumeFlockAvailable();

    try (DirectoryLock lock = DirectoryLock.acquire(FileIo.system(), dir)) {
      assertThat(ProcLocks.heldBy(OWN_PID, lockFile)).containsExactly("FLOCK", "POSIX");
      assertThat(FlockCommand.canLock(lockFile)).isFalse();
    }
    assertThat(ProcLocks.heldBy(OWN_PID, lockFile)).isEmpty();
    assertThat(FlockCommand.canLock(lockFile)).isTrue();
  }

  @Test
  @SuppressWarnings("try") // the locks are held, not used
  void anExternalFlockFailsTheAcquireAsLockedByAnotherProcessNamingThePidInTheFile()
      throws Exception {
    assumeFlockAvailable();
    Files.writeString(lockFile, "4242\n", StandardCharsets.US_ASCII);

    try (FlockCommand.Holder holder = FlockCommand.hold(lockFile)) {
      StoreLockedException e = storeLocked(() -> DirectoryLock.acquire(FileIo.system(), dir));

      assertThat(e.holderPid()).isEqualTo(4242);
      assertThat(e.dir()).isEqualTo(dir);
      assertThat(e.getMessage())
          .contains("already locked by another process (pid 4242)")
          .contains(dir.toString());
    }
  }

  @Test
  @SuppressWarnings("try") // the locks are held, not used
  void aFailedFlockLeavesNoLockBehindAndTheStoreLocksAgainOnceFreed() throws Exception {
    assumeFlockAvailable();

    try (FlockCommand.Holder holder = FlockCommand.hold(lockFile)) {
      storeLocked(() -> DirectoryLock.acquire(FileIo.system(), dir));
      // The fcntl lock taken first was released with the failure, not kept.
      assertThat(ProcLocks.heldBy(OWN_PID, lockFile)).isEmpty();
      // And the failure did not leave the directory marked as held by this process.
      assertThat(storeLocked(() -> DirectoryLock.acquire(FileIo.system(), dir)).getMessage())
          .contains("another process");
    }
    try (DirectoryLock lock = DirectoryLock.acquire(FileIo.system(), dir)) {
      assertThat(ProcLocks.heldBy(OWN_PID, lockFile)).containsExactly("FLOCK", "POSIX");
    }
  }

  private static StoreLockedException storeLocked(ThrowingCallable acquire) {
    StoreLockedException e = catchThrowableOfType(StoreLockedException.class, acquire);
    assertThat(e).as("DirectoryLock.acquire while a flock is held elsewhere").isNotNull();
    return e;
  }

  private static void assumeFlockAvailable() {
    assumeThat(NativeFlock.available())
        .as("flock needs Linux, Java 22+ and --enable-native-access=ALL-UNNAMED")
        .isTrue();
    assumeLinuxTools();
  }

  private static void assumeLinuxTools() {
    assumeThat(FlockCommand.installed()).as("util-linux flock is installed").isTrue();
    assumeThat(ProcLocks.listed()).as("/proc/locks is readable").isTrue();
  }
}
