package dev.datawal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flock on {@code .lock} against util-linux's {@code flock} command, which stands for the
 * reference implementation. Writers run as {@link ChildWriter}s on Java 22+ (by default Temurin 25
 * at {@value #DEFAULT_JAVA_HOME}; the system property {@code datawal.test.java22.home} names
 * another), so this runs whatever the JDK of the build; the tests are skipped where that JDK, the
 * command or Linux's {@code /proc/locks} is missing.
 */
class FlockInteropTests {
  private static final String DEFAULT_JAVA_HOME = "/usr/lib/jvm/temurin-25-jdk-amd64";
  private static final Path JAVA =
      Path.of(System.getProperty("datawal.test.java22.home", DEFAULT_JAVA_HOME), "bin", "java");
  private static final List<String> NATIVE_ACCESS = List.of("--enable-native-access=ALL-UNNAMED");
  private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private Path store;
  private Path lockFile;
  private final List<ChildJvm> children = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    assumeThat(System.getProperty("os.name").toLowerCase(Locale.ROOT))
        .as("os.name")
        .startsWith("linux");
    assumeThat(Files.isExecutable(JAVA)).as("a Java 22+ launcher at %s", JAVA).isTrue();
    assumeThat(FlockCommand.installed()).as("util-linux flock is installed").isTrue();
    assumeThat(ProcLocks.listed()).as("/proc/locks is readable").isTrue();
    store = tmp.resolve("store");
    lockFile = store.resolve(".lock");
    Files.createDirectories(store);
  }

  @AfterEach
  void killChildren() {
    for (ChildJvm child : children) {
      child.close();
    }
  }

  @Test
  void aWriterWithNativeAccessHoldsBothLocksAndKeepsFlockOutUntilItCloses() throws Exception {
    ChildJvm child = holdingChild(NATIVE_ACCESS);

    assertThat(ProcLocks.heldBy(child.pid(), lockFile)).containsExactly("FLOCK", "POSIX");
    assertThat(FlockCommand.canLock(lockFile)).as("flock -n .lock true while held").isFalse();

    child.closeStdin();
    assertThat(child.awaitExit(CHILD_TIMEOUT)).as("exit code; %s", child.describe()).isZero();
    assertThat(FlockCommand.canLock(lockFile)).as("flock -n .lock true once closed").isTrue();
    try (RecordLog log = RecordLog.open(store)) {
      assertThat(log.lastTxid()).isEqualTo(1);
    }
    assertNoWarning(child);
  }

  @Test
  void anExternalFlockKeepsAWriterWithNativeAccessOutUntilReleased() throws Exception {
    try (FlockCommand.Holder holder = FlockCommand.hold(lockFile)) {
      // As a reference writer would: the holder's pid in the file, for the message.
      Files.writeString(lockFile, holder.pid() + "\n", StandardCharsets.US_ASCII);

      ChildJvm child = tryingChild(NATIVE_ACCESS);
      String line = child.awaitLine("", CHILD_TIMEOUT);
      assertThat(child.awaitExit(CHILD_TIMEOUT)).as("exit code; %s", child.describe()).isEqualTo(3);

      assertThat(line)
          .startsWith("STORE_LOCKED " + holder.pid() + " ")
          .contains("already locked by another process (pid " + holder.pid() + ")");
      assertNoWarning(child);
    }
    ChildJvm child = tryingChild(NATIVE_ACCESS);
    assertThat(child.awaitLine("", CHILD_TIMEOUT)).isEqualTo("OPENED 0");
    assertThat(child.awaitExit(CHILD_TIMEOUT)).as("exit code; %s", child.describe()).isZero();
    assertNoWarning(child);
  }

  @Test
  void aWriterWithoutNativeAccessTakesOnlyTheFcntlLockAndPrintsNoWarning() throws Exception {
    ChildJvm child = holdingChild(List.of());

    assertThat(ProcLocks.heldBy(child.pid(), lockFile)).containsExactly("POSIX");
    // The documented gap: without native access a flock holder (the reference) is not kept out.
    assertThat(FlockCommand.canLock(lockFile)).isTrue();
    // The fcntl lock still keeps other datawal writers out.
    StoreLockedException e =
        catchThrowableOfType(StoreLockedException.class, () -> RecordLog.open(store));
    assertThat(e).as("RecordLog.open while the child holds the store").isNotNull();
    assertThat(e.holderPid()).isEqualTo(child.pid());

    child.closeStdin();
    assertThat(child.awaitExit(CHILD_TIMEOUT)).as("exit code; %s", child.describe()).isZero();
    assertNoWarning(child);
  }

  @Test
  void aWriterInThisJvmKeepsAWriterWithNativeAccessOut() throws Exception {
    try (RecordLog log = RecordLog.open(store)) {
      ChildJvm child = tryingChild(NATIVE_ACCESS);
      String line = child.awaitLine("", CHILD_TIMEOUT);
      assertThat(child.awaitExit(CHILD_TIMEOUT)).as("exit code; %s", child.describe()).isEqualTo(3);

      long ownPid = ProcessHandle.current().pid();
      assertThat(line).startsWith("STORE_LOCKED " + ownPid + " ").contains("another process");
      assertThat(log.lastTxid()).isZero();
      assertNoWarning(child);
    }
  }

  /** A child holding the store with one record appended, once it said so. */
  private ChildJvm holdingChild(List<String> jvmOptions) throws Exception {
    ChildJvm child = start(jvmOptions, "--mode=hold", "--dir=" + store, "--records=1", "--seed=1");
    child.awaitLine("LOCKED ", CHILD_TIMEOUT);
    return child;
  }

  /** A child that tries to open the store once and exits. */
  private ChildJvm tryingChild(List<String> jvmOptions) throws IOException {
    return start(jvmOptions, "--mode=try", "--dir=" + store);
  }

  private ChildJvm start(List<String> jvmOptions, String... args) throws IOException {
    ChildJvm child = ChildJvm.start(JAVA, jvmOptions, tmp, args);
    children.add(child);
    return child;
  }

  /** The JVM warns on stderr when a restricted method runs without native access. */
  private static void assertNoWarning(ChildJvm child) {
    assertThat(child.stderr()).as("stderr of child %s", child.pid()).doesNotContain("WARNING");
  }
}
