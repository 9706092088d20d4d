package dev.datawal;

import static dev.datawal.TestFiles.await;
import static dev.datawal.TestFiles.payloads;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each fsync policy promises, group commit, asynchronous and batch appends. */
class FsyncPolicyTests {
  @TempDir Path tmp;
  private final RecordingFileIo io = new RecordingFileIo();
  private final ExecutorService writers = Executors.newFixedThreadPool(4);

  @AfterEach
  void stopWriters() {
    io.releaseForces();
    writers.shutdownNow();
  }

  private RecordLog open(FsyncPolicy policy) {
    return open(DatawalOptions.builder().fsyncPolicy(policy));
  }

  private RecordLog open(DatawalOptions.Builder options) {
    return RecordLog.open(tmp.resolve("store"), options.build(), io);
  }

  @Test
  void theDefaultPolicyIsAlways() {
    assertThat(DatawalOptions.defaults().fsyncPolicy()).isEqualTo(FsyncPolicy.ALWAYS);
  }

  @Test
  void underManualNothingIsForcedUntilFsync() {
    try (RecordLog log = open(FsyncPolicy.MANUAL)) {
      io.clear();
      RecordRef ref = log.append(utf8("a"));
      assertThat(io.count("force")).isZero();
      assertThat(log.durableTxid()).isZero();
      log.fsync();
      assertThat(log.durableTxid()).isEqualTo(ref.txid());
    }
  }

  @Test
  void underAlwaysEveryAppendIsDurableWhenItReturns() {
    try (RecordLog log = open(FsyncPolicy.ALWAYS)) {
      for (int i = 0; i < 5; i++) {
        RecordRef ref = log.append(utf8("r" + i));
        assertThat(log.durableTxid()).isGreaterThanOrEqualTo(ref.txid());
      }
    }
  }

  @Test
  void concurrentAlwaysWritersShareOneForce() throws Exception {
    try (RecordLog log = open(FsyncPolicy.ALWAYS)) {
      io.clear();
      io.holdForces();
      CompletableFuture<RecordRef> first =
          CompletableFuture.supplyAsync(() -> log.append(utf8("a")), writers);
      await("the first append's force has started", () -> io.count("force") == 1);
      List<CompletableFuture<RecordRef>> others = new ArrayList<>();
      for (String p : new String[] {"b", "c", "d"}) {
        others.add(CompletableFuture.supplyAsync(() -> log.append(utf8(p)), writers));
      }
      await("all four frames are written", () -> log.lastTxid() == 4);
      io.releaseForces();
      first.get(30, TimeUnit.SECONDS);
      for (CompletableFuture<RecordRef> f : others) {
        f.get(30, TimeUnit.SECONDS);
      }
      // One force for "a", one shared by b, c and d, which were written while it ran.
      assertThat(io.count("force")).isEqualTo(2);
      assertThat(log.durableTxid()).isEqualTo(4);
    }
  }

  @Test
  void underIntervalABackgroundFlusherMakesAppendsDurable() {
    try (RecordLog log =
        open(
            DatawalOptions.builder()
                .fsyncPolicy(FsyncPolicy.INTERVAL)
                .fsyncInterval(Duration.ofMillis(20)))) {
      RecordRef ref = log.append(utf8("a"));
      await("the flusher synced", () -> log.durableTxid() >= ref.txid());
      assertThat(io.ops()).contains("force 00000001.dwal");
    }
  }

  @Test
  void aFailedBackgroundForcePoisonsTheWriter() {
    try (RecordLog log =
        open(
            DatawalOptions.builder()
                .fsyncPolicy(FsyncPolicy.INTERVAL)
                .fsyncInterval(Duration.ofMillis(20)))) {
      io.failOnce("force", "Input/output error");
      log.append(utf8("a"));
      await("the flusher's failure poisoned the writer", log::isPoisoned);
      assertThatThrownBy(() -> log.append(utf8("b")))
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessageContaining("fsync of")
          .hasMessageContaining("Input/output error");
      assertThat(payloads(log.scan())).containsExactly("a");
    }
  }

  @Test
  void anAsyncAppendCompletesOnceDurableUnderEveryPolicy() throws Exception {
    for (FsyncPolicy policy : FsyncPolicy.values()) {
      try (RecordLog log = RecordLog.open(tmp.resolve(policy.name()), options(policy), io)) {
        CompletableFuture<RecordRef> future = log.appendAsync(utf8("async"));
        RecordRef ref = future.get(30, TimeUnit.SECONDS);
        assertThat(log.durableTxid()).as(policy.name()).isGreaterThanOrEqualTo(ref.txid());
        assertThat(payloads(log.scan())).containsExactly("async");
      }
    }
  }

  @Test
  void manyAsyncAppendsShareForces() throws Exception {
    try (RecordLog log = open(FsyncPolicy.MANUAL)) {
      io.clear();
      List<CompletableFuture<RecordRef>> futures = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        futures.add(log.appendAsync(utf8("r" + i)));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertThat(log.durableTxid()).isEqualTo(200);
      assertThat(io.count("force")).isBetween(1L, 200L);
    }
  }

  @Test
  void anAsyncAppendFailsWhenItsSyncFails() {
    try (RecordLog log = open(FsyncPolicy.MANUAL)) {
      io.failOnce("force", "No space left on device");
      CompletableFuture<RecordRef> future = log.appendAsync(utf8("a"));
      assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(WriterPoisonedException.class);
      assertThat(log.isPoisoned()).isTrue();
      assertThatThrownBy(() -> log.appendAsync(utf8("b")))
          .isInstanceOf(WriterPoisonedException.class);
    }
  }

  @Test
  void closeMakesPendingAsyncAppendsDurable() throws Exception {
    RecordLog log = open(FsyncPolicy.MANUAL);
    io.holdForces();
    CompletableFuture<RecordRef> future = log.appendAsync(utf8("a"));
    CompletableFuture<Void> closing = CompletableFuture.runAsync(log::close, writers);
    io.releaseForces();
    closing.get(30, TimeUnit.SECONDS);
    assertThat(future.get(30, TimeUnit.SECONDS).txid()).isEqualTo(1);
  }

  @Test
  void aBatchIsWrittenInOneWriteWithConsecutiveTxids() {
    try (RecordLog log = open(FsyncPolicy.ALWAYS)) {
      log.append(utf8("before"));
      io.clear();
      List<RecordRef> refs =
          log.appendBatch(
              List.of(
                  Entry.raw(utf8("a")), Entry.put(utf8("k"), utf8("v")), Entry.delete(utf8("k"))));
      assertThat(refs).extracting(RecordRef::txid).containsExactly(2L, 3L, 4L);
      assertThat(refs).extracting(RecordRef::offset).containsExactly(34L, 63L, 93L);
      assertThat(io.ops()).containsExactly("write 00000001.dwal 34 88", "force 00000001.dwal");
      assertThat(log.scan()).extracting(Record::ref).endsWith(refs.toArray(RecordRef[]::new));
    }
  }

  @Test
  void aBatchWithAnOversizeEntryWritesNothing() {
    try (RecordLog log = open(FsyncPolicy.ALWAYS)) {
      io.clear();
      assertThatThrownBy(
              () ->
                  log.appendBatch(
                      List.of(
                          Entry.raw(utf8("fine")),
                          Entry.put(new byte[RecordLog.MAX_KEY_LEN + 1], utf8("v")))))
          .isInstanceOf(LimitExceededException.class);
      assertThat(io.ops()).isEmpty();
      assertThat(log.lastTxid()).isZero();
    }
  }

  @Test
  void aLargeBatchSpansSeveralWritesAndReadsBackWhole() {
    try (RecordLog log = open(FsyncPolicy.MANUAL)) {
      List<Entry> entries = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        entries.add(Entry.raw(new byte[i % 3 == 0 ? 2 << 20 : 1000]));
      }
      List<RecordRef> refs = log.appendBatch(entries);
      assertThat(refs).hasSize(300);
      List<Record> records = log.scan();
      assertThat(records).extracting(Record::ref).containsExactlyElementsOf(refs);
      assertThat(records.get(3).payload()).hasSize(2 << 20);
    }
  }

  @Test
  void aBatchThatDoesNotFitStartsANewSegment() {
    try (RecordLog log = open(DatawalOptions.builder().maxSegmentSize(100))) {
      log.append(utf8("a"));
      List<RecordRef> fits = log.appendBatch(List.of(Entry.raw(utf8("b")), Entry.raw(utf8("c"))));
      assertThat(fits).extracting(RecordRef::segment).containsExactly(1L, 1L); // 87 bytes
      List<RecordRef> big =
          log.appendBatch(List.of(Entry.raw(new byte[80]), Entry.raw(new byte[80])));
      assertThat(big).extracting(RecordRef::segment).containsExactly(2L, 2L); // its own
      assertThat(log.append(utf8("d")).segment()).isEqualTo(3);
    }
  }

  private static DatawalOptions options(FsyncPolicy policy) {
    return DatawalOptions.builder().fsyncPolicy(policy).build();
  }
}
