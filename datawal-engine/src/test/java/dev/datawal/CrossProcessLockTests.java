package dev.datawal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store lock across processes: a {@link ChildWriter} in another JVM holds the store, and this
 * JVM tries to open it. Every child is killed after each test, whatever happened.
 */
class CrossProcessLockTests {
  private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(30);
  private static final long SEED = 42;
  private static final int RECORDS = 3;

  @TempDir Path tmp;
  private Path store;
  private final List<ChildJvm> children = new ArrayList<>();

  @BeforeEach
  void setUp() {
    store = tmp.resolve("store");
  }

  @AfterEach
  void killChildren() {
    for (ChildJvm child : children) {
      child.close();
    }
  }

  @Test
  void openFailsWithStoreLockedNamingTheProcessThatHoldsTheStore() throws Exception {
    ChildJvm child = holdingChild();
    long pid = lockedPid(child);
    assertThat(pid).isEqualTo(child.pid());

    StoreLockedException e =
        catchThrowableOfType(StoreLockedException.class, () -> RecordLog.open(store));

    assertThat(e).as("RecordLog.open while another process holds the store").isNotNull();
    assertThat(e.getMessage()).contains("locked").contains(Long.toString(pid));
    assertThat(e.holderPid()).isEqualTo(pid);
    assertThat(e.dir()).isEqualTo(store);
  }

  @Test
  void aFailedOpenLeavesTheHolderAndItsLockAlone() throws Exception {
    ChildJvm child = holdingChild();
    lockedPid(child);

    assertThatThrownBy(() -> RecordLog.open(store)).isInstanceOf(StoreLockedException.class);
    assertThatThrownBy(() -> RecordLog.open(store)).isInstanceOf(StoreLockedException.class);

    assertThat(child.process().isAlive()).isTrue();
    assertThat(Files.readString(store.resolve(".lock"), StandardCharsets.US_ASCII).trim())
        .isEqualTo(Long.toString(child.pid()));
  }

  @Test
  void theReaderReadsTheRecordsOfAWriterInAnotherProcess() throws Exception {
    ChildJvm child = holdingChild();
    lockedPid(child);

    List<Record> records = RecordLogReader.open(store).scan();
    RecoveryReport report = RecordLogReader.open(store).report();

    assertThat(records).hasSize(RECORDS);
    for (int i = 0; i < RECORDS; i++) {
      assertThat(records.get(i).txid()).isEqualTo(i + 1L);
      assertThat(records.get(i).payload()).isEqualTo(ChildWriter.payload(SEED, i + 1, 0, 64));
    }
    assertThat(report.recordsReplayed()).isEqualTo(RECORDS);
    assertThat(report.damageFound()).isFalse();
    // Reading took no lock and released none: the child still holds the store.
    assertThatThrownBy(() -> RecordLog.open(store)).isInstanceOf(StoreLockedException.class);
  }

  @Test
  void aHolderKilledWithSigkillReleasesTheStoreWithinFiveSeconds() throws Exception {
    ChildJvm child = holdingChild();
    lockedPid(child);

    child.kill(); // SIGKILL on Linux: no close, no shutdown hook
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    RecordLog log = null;
    StoreLockedException last = null;
    while (log == null && System.nanoTime() < deadline) {
      try {
        log = RecordLog.open(store);
      } catch (StoreLockedException e) {
        last = e;
        Thread.sleep(20); // retry interval: opening within the 5 s bound is what is tested
      }
    }
    assertThat(log)
        .as("open within 5 s of the holder's SIGKILL; last failure: %s", last)
        .isNotNull();
    try {
      assertThat(log.scan()).hasSize(RECORDS);
      assertThat(log.recoveryReport().damageFound()).isFalse();
    } finally {
      log.close();
    }
  }

  @Test
  void aHolderThatExitsNormallyReleasesTheStoreAtOnce() throws Exception {
    ChildJvm child = holdingChild();
    lockedPid(child);

    child.closeStdin();
    assertThat(child.awaitExit(CHILD_TIMEOUT)).as("exit code; %s", child.describe()).isZero();
    assertThat(child.seen()).contains("CLOSED");

    try (RecordLog log = RecordLog.open(store)) {
      assertThat(log.scan()).hasSize(RECORDS);
      assertThat(log.lastTxid()).isEqualTo(RECORDS);
    }
  }

  @Test
  void anotherProcessCannotOpenWhileThisProcessHoldsTheStore() throws Exception {
    try (RecordLog log = RecordLog.open(store)) {
      log.append("mine".getBytes(StandardCharsets.US_ASCII));
      log.fsync();

      ChildJvm child = child("--mode=try", "--dir=" + store);
      String line = child.awaitLine("", CHILD_TIMEOUT);
      assertThat(child.awaitExit(CHILD_TIMEOUT)).as("exit code; %s", child.describe()).isEqualTo(3);

      long ownPid = ProcessHandle.current().pid();
      assertThat(line).startsWith("STORE_LOCKED " + ownPid + " ").contains("locked");
      assertThat(log.scan()).hasSize(1);
    }
    // Once this process closed it, the other one gets in.
    ChildJvm child = child("--mode=try", "--dir=" + store);
    assertThat(child.awaitLine("", CHILD_TIMEOUT)).isEqualTo("OPENED 1");
    assertThat(child.awaitExit(CHILD_TIMEOUT)).as("exit code; %s", child.describe()).isZero();
  }

  @Test
  void aStaleLockFileNeverBlocks() throws IOException {
    Files.createDirectories(store);
    Files.writeString(store.resolve(".lock"), "12345", StandardCharsets.US_ASCII);

    try (RecordLog log = RecordLog.open(store)) {
      log.append("after a stale lock".getBytes(StandardCharsets.US_ASCII));
      assertThat(Files.readString(store.resolve(".lock"), StandardCharsets.US_ASCII).trim())
          .isEqualTo(Long.toString(ProcessHandle.current().pid()));
    }
    try (RecordLog log = RecordLog.open(store)) {
      assertThat(log.scan()).hasSize(1);
    }
    assertThat(store.resolve(".lock")).exists();
  }

  /** A child that opens the store, appends {@link #RECORDS} records, fsyncs and holds it. */
  private ChildJvm holdingChild() throws IOException {
    return child("--mode=hold", "--dir=" + store, "--records=" + RECORDS, "--seed=" + SEED);
  }

  private ChildJvm child(String... args) throws IOException {
    ChildJvm child = ChildJvm.start(tmp, args);
    children.add(child);
    return child;
  }

  /** Waits for the child's {@code LOCKED <pid>} line; returns the pid. */
  private static long lockedPid(ChildJvm child) throws InterruptedException {
    String line = child.awaitLine("LOCKED ", CHILD_TIMEOUT);
    return Long.parseLong(line.substring("LOCKED ".length()).trim());
  }
}
