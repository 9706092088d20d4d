package dev.datawal;

import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following a live log: in order, from a txid, woken by new records, durable ones by default. */
class LogFollowerTests {
  private static final Duration NONE = Duration.ZERO;
  private static final Duration LONG = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private RecordLog open(FsyncPolicy policy, long maxSegmentSize) {
    return RecordLog.open(
        tmp.resolve("store"),
        DatawalOptions.builder().fsyncPolicy(policy).maxSegmentSize(maxSegmentSize).build());
  }

  @Test
  void returnsEveryRecordInOrderAcrossSegments() throws Exception {
    try (RecordLog log = open(FsyncPolicy.ALWAYS, 100)) {
      for (int i = 1; i <= 10; i++) {
        log.append(utf8("r" + i));
      }
      try (LogFollower follower = log.follow(1)) {
        for (int i = 1; i <= 10; i++) {
          Record r = follower.poll(LONG);
          assertThat(r.txid()).isEqualTo(i);
          assertThat(str(r.payload())).isEqualTo("r" + i);
        }
        assertThat(follower.poll(NONE)).isNull();
        assertThat(follower.nextTxid()).isEqualTo(11);
      }
    }
  }

  @Test
  void startsAtTheTxidAskedFor() throws Exception {
    try (RecordLog log = open(FsyncPolicy.ALWAYS, 100)) {
      for (int i = 1; i <= 10; i++) {
        log.append(utf8("r" + i));
      }
      try (LogFollower follower = log.follow(7)) {
        assertThat(follower.poll(LONG).txid()).isEqualTo(7);
        assertThat(follower.poll(LONG).txid()).isEqualTo(8);
      }
      try (LogFollower beyond = log.follow(50)) {
        assertThat(beyond.poll(NONE)).isNull();
      }
    }
  }

  @Test
  void wakesUpWhenAnotherThreadAppends() throws Exception {
    try (RecordLog log = open(FsyncPolicy.ALWAYS, 1 << 20)) {
      try (LogFollower follower = log.follow(1)) {
        Future<List<Long>> consumer =
            pool.submit(
                () -> {
                  List<Long> seen = new ArrayList<>();
                  while (seen.size() < 100) {
                    Record r = follower.poll(LONG);
                    if (r == null) {
                      throw new AssertionError("no record within " + LONG);
                    }
                    seen.add(r.txid());
                  }
                  return seen;
                });
        for (int i = 0; i < 100; i++) {
          log.append(utf8("r" + i));
        }
        List<Long> seen = consumer.get(60, TimeUnit.SECONDS);
        for (int i = 0; i < 100; i++) {
          assertThat(seen.get(i)).isEqualTo(i + 1L);
        }
      }
    }
  }

  @Test
  void returnsOnlyDurableRecordsByDefault() throws Exception {
    try (RecordLog log = open(FsyncPolicy.MANUAL, 1 << 20)) {
      log.append(utf8("unsynced"));
      try (LogFollower durable = log.follow(1);
          LogFollower written = log.follow(1, true)) {
        assertThat(durable.poll(Duration.ofMillis(20))).isNull();
        assertThat(str(written.poll(NONE).payload())).isEqualTo("unsynced");
        log.fsync();
        assertThat(str(durable.poll(LONG).payload())).isEqualTo("unsynced");
      }
    }
  }

  @Test
  void followsRecordsRecoveredAtOpen() throws Exception {
    try (RecordLog log = open(FsyncPolicy.MANUAL, 100)) {
      for (int i = 1; i <= 5; i++) {
        log.append(utf8("r" + i));
      }
    }
    try (RecordLog log = open(FsyncPolicy.MANUAL, 100);
        LogFollower follower = log.follow(2)) {
      assertThat(follower.poll(LONG).txid()).isEqualTo(2); // recovered records are durable
    }
  }

  @Test
  void closingTheLogEndsAWait() throws Exception {
    RecordLog log = open(FsyncPolicy.ALWAYS, 1 << 20);
    LogFollower follower = log.follow(1);
    AtomicReference<Thread> poller = new AtomicReference<>();
    Future<?> waiting =
        pool.submit(
            () -> {
              poller.set(Thread.currentThread());
              return follower.poll(LONG);
            });
    // Close while the poll waits for a record (a timed wait), not before it starts.
    TestFiles.await(
        "the follower to wait for a record",
        () -> poller.get() != null && poller.get().getState() == Thread.State.TIMED_WAITING);
    log.close();
    assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> follower.poll(NONE)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aPollAfterOneThatFailedToOpenTheNextSegmentGoesOnFromThere() throws Exception {
    RecordingFileIo io = new RecordingFileIo();
    DatawalOptions options = DatawalOptions.builder().maxSegmentSize(100).build();
    try (RecordLog log = RecordLog.open(tmp.resolve("store"), options, io)) {
      for (int i = 1; i <= 6; i++) {
        log.append(utf8("r" + i)); // three records a segment
      }
      try (LogFollower follower = log.follow(1)) {
        for (int i = 1; i <= 3; i++) {
          assertThat(follower.poll(LONG).txid()).isEqualTo(i);
        }
        io.failOpenReadOnce("00000002.dwal", "too many open files");
        assertThatThrownBy(() -> follower.poll(LONG))
            .isInstanceOf(DatawalException.class)
            .hasMessageContaining("too many open files");
        for (int i = 4; i <= 6; i++) {
          assertThat(follower.poll(LONG).txid()).isEqualTo(i);
        }
        assertThat(follower.poll(NONE)).isNull();
      }
    }
  }

  @Test
  void aClosedFollowerRefusesToPoll() {
    try (RecordLog log = open(FsyncPolicy.ALWAYS, 1 << 20)) {
      LogFollower follower = log.follow(1);
      follower.close();
      follower.close();
      assertThatThrownBy(() -> follower.poll(NONE)).isInstanceOf(IllegalStateException.class);
    }
  }
}
