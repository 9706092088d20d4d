package dev.datawal.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.CompactionStats;
import dev.datawal.DataWal;
import dev.datawal.DatawalObserver;
import dev.datawal.Record;
import dev.datawal.RecordLog;
import dev.datawal.autoconfigure.StarterContexts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Background compaction and retention: when due, one at a time, stopped at shutdown. */
class DatawalMaintenanceTests {
  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return StarterContexts.runner(dir).withPropertyValues("datawal.segment.max-size=200B");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Overwrites one key {@code times} times, so every sealed segment is nearly all garbage; returns
   * the bytes written.
   */
  private static long overwrite(DataWal wal, int times) {
    long written = 0;
    for (int i = 0; i < times; i++) {
      written += wal.put(utf8("key"), utf8("value-" + i)).length();
    }
    return written;
  }

  private static void await(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
      Thread.sleep(20); // the poll interval of this condition wait
    }
  }

  @Test
  void aKeyValueStoreWithEnoughGarbageIsCompactedInTheBackground() {
    runner()
        .withPropertyValues(
            "datawal.compaction.interval=100ms", "datawal.compaction.min-garbage-ratio=0.5")
        .run(
            context -> {
              DataWal wal = context.getBean(DataWal.class);
              DatawalStore store = context.getBean(DatawalStore.class);
              // The background thread may compact while the overwrites go on, so compare with
              // what was written, not with the size at some moment in between.
              long written = overwrite(wal, 50);
              await(
                  "a compaction that reclaims space",
                  () -> store.lastCompaction().isPresent() && store.diskBytes() < written);
              assertThat(store.lastCompaction().get().stats().bytesReclaimed()).isPositive();
              assertThat(wal.get(utf8("key"))).hasValue(utf8("value-49"));
            });
  }

  @Test
  void aStoreBelowTheGarbageRatioIsLeftAlone() throws Exception {
    runner()
        .withPropertyValues(
            "datawal.compaction.interval=50ms", "datawal.compaction.min-garbage-ratio=0.99")
        .run(
            context -> {
              DataWal wal = context.getBean(DataWal.class);
              for (int i = 0; i < 20; i++) {
                wal.put(utf8("key-" + i), utf8("v")); // no garbage at all
              }
              DatawalMaintenance maintenance = context.getBean(DatawalMaintenance.class);
              assertThat(maintenance.runScheduled())
                  .isEqualTo(DatawalMaintenance.Outcome.SKIPPED_NOT_DUE);
              Thread.sleep(300); // several 50 ms intervals pass: no scheduled run may compact
              assertThat(context.getBean(DatawalStore.class).lastCompaction()).isEmpty();
            });
  }

  @Test
  void disabledCompactionSchedulesNothingButCanStillBeRunNow() {
    runner()
        .withPropertyValues("datawal.compaction.enabled=false")
        .run(
            context -> {
              DatawalMaintenance maintenance = context.getBean(DatawalMaintenance.class);
              assertThat(maintenance.isRunning()).isFalse();
              overwrite(context.getBean(DataWal.class), 30);
              assertThat(maintenance.runNow()).isEqualTo(DatawalMaintenance.Outcome.RAN);
              assertThat(context.getBean(DatawalStore.class).lastCompaction()).isPresent();
            });
  }

  @Test
  void aRunAskedForWhileAnotherIsGoingIsSkipped() {
    runner()
        .withPropertyValues("datawal.compaction.enabled=false")
        .run(
            context -> {
              DataWal wal = context.getBean(DataWal.class);
              DatawalMaintenance maintenance = context.getBean(DatawalMaintenance.class);
              overwrite(wal, 30);
              CountDownLatch inCompaction = new CountDownLatch(1);
              CountDownLatch letGo = new CountDownLatch(1);
              wal.addObserver(
                  new DatawalObserver() {
                    @Override
                    public void compacted(CompactionStats stats) {
                      inCompaction.countDown(); // the first run holds its turn here
                      try {
                        letGo.await(20, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }
                  });
              Thread first = new Thread(maintenance::runNow);
              first.start();
              assertThat(inCompaction.await(20, TimeUnit.SECONDS)).isTrue();
              assertThat(maintenance.runNow()).isEqualTo(DatawalMaintenance.Outcome.SKIPPED_BUSY);
              letGo.countDown();
              first.join();
            });
  }

  @Test
  void shutdownStopsTheScheduleBeforeTheStoreCloses() throws InterruptedException {
    DatawalMaintenance[] maintenance = new DatawalMaintenance[1];
    runner()
        .withPropertyValues("datawal.compaction.interval=50ms")
        .run(
            context -> {
              maintenance[0] = context.getBean(DatawalMaintenance.class);
              assertThat(maintenance[0].isRunning()).isTrue();
            });
    assertThat(maintenance[0].isRunning()).isFalse();
    // The executor has terminated; its thread may take a moment more to leave run().
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("datawal-maintenance " + dir)) {
        t.join(10_000);
        assertThat(t.isAlive()).as("%s still running after shutdown", t).isFalse();
      }
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class SubscriberAtFive {
    @Bean
    RetentionFloor subscriber() {
      return () -> OptionalLong.of(5);
    }
  }

  @Test
  void retentionOfALogKeepsWhatARegisteredReaderStillNeeds() throws Exception {
    runner()
        .withUserConfiguration(SubscriberAtFive.class)
        .withPropertyValues(
            "datawal.store=log",
            "datawal.segment.max-size=100B",
            "datawal.retention.max-bytes=1B",
            "datawal.retention.interval=50ms")
        .run(
            context -> {
              RecordLog log = context.getBean(RecordLog.class);
              for (int i = 0; i < 10; i++) {
                log.append(utf8("e" + i)); // three 30-byte records per segment
              }
              DatawalStore store = context.getBean(DatawalStore.class);
              await("a retention run", () -> store.lastRetention().isPresent());
              // Two more runs, the last begun after every append: the floor must hold in every one.
              for (int run = 0; run < 2; run++) {
                DatawalStore.Event<?> seen = store.lastRetention().orElseThrow();
                await("another retention run", () -> store.lastRetention().orElseThrow() != seen);
              }
              // txids 1-3 went with segment 1; segment 2 holds txid 5, which the reader needs
              assertThat(log.scan().get(0).ref().txid()).isEqualTo(4);
              assertThat(log.scan()).extracting(Record::ref).hasSize(7);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class ReaderAtTwenty {
    @Bean
    RetentionFloor relay() {
      return () -> OptionalLong.of(20);
    }
  }

  @Test
  void compactionOfAKeyValueStoreKeepsWhatARegisteredReaderStillNeeds() {
    runner()
        .withUserConfiguration(ReaderAtTwenty.class)
        .withPropertyValues("datawal.compaction.enabled=false")
        .run(
            context -> {
              DataWal wal = context.getBean(DataWal.class);
              overwrite(wal, 50); // txids 1-50, one key: all but the last are garbage
              List<Record> before = wal.log().scan();
              context.getBean(DatawalMaintenance.class).runNow();
              List<Record> after = wal.log().scan();
              assertThat(after).as("garbage below txid 20 went").hasSizeLessThan(before.size());
              assertThat(after.stream().filter(r -> r.txid() >= 20).toList())
                  .as("every record from txid 20 on is still there")
                  .isEqualTo(before.stream().filter(r -> r.txid() >= 20).toList());
              assertThat(wal.get(utf8("key"))).hasValue(utf8("value-49"));
            });
  }

  @Test
  void retentionKeepsWhatANamedSubscriberHasNotProcessedUnlessToldNotTo() throws Exception {
    for (boolean respect : new boolean[] {true, false}) {
      Path store = dir.resolve("respect-" + respect);
      SubscriberPositions.of(store).commit("billing", 4); // processed up to txid 4
      runner()
          .withPropertyValues(
              "datawal.dir=" + store,
              "datawal.store=log",
              "datawal.segment.max-size=100B",
              "datawal.retention.max-bytes=1B",
              "datawal.retention.respect-subscribers=" + respect)
          .run(
              context -> {
                RecordLog log = context.getBean(RecordLog.class);
                for (int i = 0; i < 10; i++) {
                  log.append(utf8("e" + i)); // three 30-byte records per segment
                }
                context.getBean(DatawalMaintenance.class).runNow();
                long first = log.scan().get(0).ref().txid();
                if (respect) {
                  assertThat(first).as("segment 2 holds txid 5, still needed").isEqualTo(4);
                } else {
                  assertThat(first).as("only the active segment is left").isEqualTo(10);
                }
              });
    }
  }

  @Test
  void retentionWithoutLimitsIsNotScheduled() {
    runner()
        .withPropertyValues("datawal.store=log")
        .run(
            context -> assertThat(context.getBean(DatawalMaintenance.class).isRunning()).isFalse());
  }

  @Test
  void aReadOnlyStoreRefusesMaintenance() {
    try (RecordLog writer = RecordLog.open(dir)) {
      writer.append(utf8("e"));
      runner()
          .withPropertyValues("datawal.read-only=true")
          .run(
              context ->
                  assertThatThrownBy(() -> context.getBean(DatawalMaintenance.class).runNow())
                      .isInstanceOf(UnsupportedOperationException.class)
                      .hasMessageContaining("read-only"));
    }
  }
}
