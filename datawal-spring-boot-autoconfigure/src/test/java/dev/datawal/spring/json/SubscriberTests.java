package dev.datawal.spring.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.datawal.DatawalException;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RetentionStats;
import dev.datawal.spring.SubscriberPositions;
import dev.datawal.spring.json.TestEvents.OrderPlaced;
import dev.datawal.spring.json.TestEvents.ShopEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class SubscriberTests {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  /** A new facade, as after a restart: a {@code @JsonTypeName} name must be registered. */
  private static JsonEventLog events(RecordLog log) {
    return new JsonEventLog(log, MAPPER).registerType("order-placed", OrderPlaced.class);
  }

  private static void appendOrders(JsonEventLog events, int from, int to) {
    for (int i = from; i <= to; i++) {
      events.append(new OrderPlaced("o" + i, i));
    }
  }

  /** Collects what a handler sees. */
  private static final class Collector implements EventHandler<ShopEvent> {
    final List<Long> handled = new CopyOnWriteArrayList<>();
    final List<Long> undecodable = new CopyOnWriteArrayList<>();
    final List<long[]> missed = new CopyOnWriteArrayList<>();

    @Override
    public void handle(StoredEvent<ShopEvent> event) {
      assertThat(event.event()).isInstanceOf(OrderPlaced.class);
      handled.add(event.txid());
    }

    @Override
    public void onUndecodable(StoredEvent<?> event) {
      undecodable.add(event.txid());
    }

    @Override
    public void onMissed(long first, long last) {
      missed.add(new long[] {first, last});
    }
  }

  @Test
  void aSubscriberResumesAfterItsCommittedPositionWhenTheLogIsReopened() {
    Collector first = new Collector();
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = events(log);
      appendOrders(events, 1, 5);
      EventSubscription subscription = events.subscribe("billing", ShopEvent.class, first);
      await().atMost(WAIT).until(() -> subscription.position() == 5);
      appendOrders(events, 6, 7);
      await().atMost(WAIT).until(() -> subscription.position() == 7);
      events.close();
      assertThat(subscription.isRunning()).isFalse();
      assertThat(subscription.failure()).isEmpty();
      appendOrders(events, 8, 9); // appended while no subscriber runs
    }
    assertThat(first.handled).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(SubscriberPositions.of(dir).all()).containsEntry("billing", 7L);

    Collector second = new Collector();
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = events(log);
      EventSubscription subscription = events.subscribe("billing", ShopEvent.class, second);
      appendOrders(events, 10, 10);
      await().atMost(WAIT).until(() -> subscription.position() == 10);
      events.close();
    }
    assertThat(second.handled).containsExactly(8L, 9L, 10L);
    assertThat(second.missed).isEmpty();
  }

  @Test
  void aBatchWhoseHandlerNeverFinishedIsDeliveredAgainAfterRestart() {
    AtomicInteger attempts = new AtomicInteger();
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = events(log);
      appendOrders(events, 1, 5);
      List<Long> seen = new CopyOnWriteArrayList<>();
      EventSubscription subscription =
          events.subscribe(
              "billing",
              ShopEvent.class,
              e -> {
                if (e.txid() == 4) {
                  attempts.incrementAndGet();
                  throw new IllegalStateException("downstream unavailable");
                }
                seen.add(e.txid());
              });
      await().atMost(WAIT).until(() -> attempts.get() >= 2); // retried, not skipped
      subscription.close();
      assertThat(seen).containsExactly(1L, 2L, 3L); // one batch: the failing event is retried alone
      assertThat(subscription.position()).isZero();
    }
    assertThat(SubscriberPositions.of(dir).position("billing")).isZero();

    Collector again = new Collector();
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = events(log);
      EventSubscription subscription = events.subscribe("billing", ShopEvent.class, again);
      await().atMost(WAIT).until(() -> subscription.position() == 5);
      events.close();
    }
    assertThat(again.handled).containsExactly(1L, 2L, 3L, 4L, 5L); // at least once
  }

  @Test
  void aHandlerThatFailsIsRetriedUntilItSucceedsAndNothingIsSkipped() {
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = events(log);
      appendOrders(events, 1, 3);
      AtomicInteger failures = new AtomicInteger();
      List<Long> handled = new CopyOnWriteArrayList<>();
      EventSubscription subscription =
          events.subscribe(
              "flaky",
              ShopEvent.class,
              e -> {
                if (e.txid() == 2 && failures.getAndIncrement() < 2) {
                  throw new IllegalStateException("try again");
                }
                handled.add(e.txid());
              });
      await().atMost(WAIT).until(() -> subscription.position() == 3);
      events.close();
      assertThat(failures.get()).isEqualTo(3);
      assertThat(handled).containsExactly(1L, 2L, 3L);
    }
  }

  @Test
  void anUndecodableRecordGoesToOnUndecodableAndDoesNotBlockTheRest() {
    Collector collector = new Collector();
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = events(log);
      appendOrders(events, 1, 1);
      log.append("not json".getBytes(StandardCharsets.UTF_8));
      log.append("{\"type\":\"nobody.Knows\",\"data\":{}}".getBytes(StandardCharsets.UTF_8));
      appendOrders(events, 4, 4);
      EventSubscription subscription = events.subscribe("s", ShopEvent.class, collector);
      await().atMost(WAIT).until(() -> subscription.position() == 4);
      events.close();
    }
    assertThat(collector.handled).containsExactly(1L, 4L);
    assertThat(collector.undecodable).containsExactly(2L, 3L);
  }

  @Test
  void theDefaultUndecodableHandlingSkipsTheRecord() {
    List<Long> handled = new CopyOnWriteArrayList<>();
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = events(log);
      log.append(new byte[] {1, 2, 3});
      appendOrders(events, 2, 2);
      EventSubscription subscription =
          events.subscribe("s", ShopEvent.class, e -> handled.add(e.txid()));
      await().atMost(WAIT).until(() -> subscription.position() == 2);
      events.close();
    }
    assertThat(handled).containsExactly(2L);
  }

  @Test
  void subscribersSeeOnlyDurableRecords() throws InterruptedException {
    Collector collector = new Collector();
    try (RecordLog log =
        RecordLog.open(dir, DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build())) {
      JsonEventLog events = events(log);
      EventSubscription subscription = events.subscribe("s", ShopEvent.class, collector);
      appendOrders(events, 1, 2);
      Thread.sleep(300); // a window for a wrong delivery of the unsynced records to show
      assertThat(collector.handled).isEmpty();
      log.fsync();
      await().atMost(WAIT).until(() -> subscription.position() == 2);
      events.close();
    }
    assertThat(collector.handled).containsExactly(1L, 2L);
  }

  @Test
  void recordsDeletedByRetentionBeforeTheSubscriberSawThemAreReportedAsMissed() {
    DatawalOptions options =
        DatawalOptions.builder().maxSegmentSize(200).retentionMaxBytes(250).build();
    Collector collector = new Collector();
    long firstKept;
    try (RecordLog log = RecordLog.open(dir, options)) {
      JsonEventLog events = events(log);
      appendOrders(events, 1, 12);
      events.positions().commit("late", 1); // processed txid 1 only
      RetentionStats stats = log.applyRetention();
      assertThat(stats.segmentsDeleted()).isPositive();
      firstKept = log.scan().get(0).txid();
      assertThat(firstKept).isGreaterThan(2);

      EventSubscription subscription = events.subscribe("late", ShopEvent.class, collector);
      await().atMost(WAIT).until(() -> subscription.position() == 12);
      events.close();
    }
    assertThat(collector.missed).hasSize(1);
    assertThat(collector.missed.get(0)).containsExactly(2, firstKept - 1);
    assertThat(collector.handled.get(0)).isEqualTo(firstKept);
    assertThat(collector.handled).hasSize((int) (12 - firstKept + 1));
  }

  @Test
  void aRecordGroupsMarkerIsNotReportedAsMissed() {
    Collector collector = new Collector();
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = events(log);
      appendOrders(events, 1, 2);
      List<dev.datawal.Entry> again =
          log.scan().stream().map(r -> dev.datawal.Entry.raw(r.payload())).toList();
      log.appendAtomically(again); // marker at txid 3, the events at 4 and 5
      appendOrders(events, 6, 6);
      events.positions().commit("grouped", 1);

      EventSubscription subscription = events.subscribe("grouped", ShopEvent.class, collector);
      await().atMost(WAIT).until(() -> subscription.position() == 6);
      events.close();
    }
    assertThat(collector.handled).containsExactly(2L, 4L, 5L, 6L);
    assertThat(collector.missed).isEmpty();
  }

  @Test
  void aNewSubscriberStartsAtTheFirstRecordLeftWithoutAMissedReport() {
    DatawalOptions options =
        DatawalOptions.builder().maxSegmentSize(200).retentionMaxBytes(250).build();
    Collector collector = new Collector();
    try (RecordLog log = RecordLog.open(dir, options)) {
      JsonEventLog events = events(log);
      appendOrders(events, 1, 12);
      log.applyRetention();
      long firstKept = log.scan().get(0).txid();
      EventSubscription subscription = events.subscribe("fresh", ShopEvent.class, collector);
      await().atMost(WAIT).until(() -> subscription.position() == 12);
      events.close();
      assertThat(collector.handled.get(0)).isEqualTo(firstKept);
    }
    assertThat(collector.missed).isEmpty();
  }

  @Test
  void aDamagedPositionFileStopsTheSubscriberFromStartingNamingTheFile() throws Exception {
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = events(log);
      appendOrders(events, 1, 3);
      events.positions().commit("billing", 2);
      Path file = events.positions().file("billing");
      Files.writeString(file, Files.readString(file).replace("txid 2", "txid 0"));

      assertThatThrownBy(() -> events.subscribe("billing", ShopEvent.class, e -> {}))
          .isInstanceOf(DatawalException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("CRC-32C mismatch");
    }
  }

  @Test
  void aPositionPastTheEndOfTheLogIsRefused() {
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = events(log);
      appendOrders(events, 1, 3);
      events.positions().commit("billing", 9);

      assertThatThrownBy(() -> events.subscribe("billing", ShopEvent.class, e -> {}))
          .isInstanceOf(DatawalException.class)
          .hasMessageContaining("txid 9")
          .hasMessageContaining("ends at txid 3");
    }
  }

  @Test
  void namesAreValidatedAndUniquePerInstance() {
    try (RecordLog log = RecordLog.open(dir)) {
      JsonEventLog events = events(log);
      assertThatThrownBy(() -> events.subscribe("../x", ShopEvent.class, e -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("../x");
      EventSubscription subscription = events.subscribe("one", ShopEvent.class, e -> {});
      assertThatThrownBy(() -> events.subscribe("one", ShopEvent.class, e -> {}))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already running");
      subscription.close();
      events.subscribe("one", ShopEvent.class, e -> {}).close(); // the name is free again
      events.close();
      assertThatThrownBy(() -> events.subscribe("two", ShopEvent.class, e -> {}))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }
}
