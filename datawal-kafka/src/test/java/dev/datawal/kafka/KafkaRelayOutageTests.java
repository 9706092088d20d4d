package dev.datawal.kafka;

import static dev.datawal.kafka.TestData.await;
import static dev.datawal.kafka.TestData.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.datawal.DataWal;
import dev.datawal.RecordLog;
import dev.datawal.kafka.health.KafkaRelayHealthIndicator;
import dev.datawal.spring.DatawalStore;
import dev.datawal.spring.health.DatawalHealthIndicator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Status;

/**
 * The broker goes away and comes back: the real broker process of the embedded KRaft cluster is
 * shut down and started again on the same port with its data (the controller keeps running), so the
 * relay sees refused connections and then the same cluster again.
 */
class KafkaRelayOutageTests {
  private static TestBroker broker;

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  private static KafkaRelay.Builder relay(RecordLog log, String topic) {
    return KafkaRelay.builder(log, topic)
        .commonConfigs(broker.clientConfigs())
        .checkpointInterval(Duration.ofMillis(20))
        .ackTimeout(Duration.ofSeconds(1))
        .probeInterval(Duration.ofMillis(200));
  }

  @Test
  void anOutageStallsTheRelayNotTheWritesAndTheRelayCatchesUpWhenTheBrokerReturns()
      throws Exception {
    broker.createTopic("outage", Map.of());
    try (DataWal wal = DataWal.open(dir);
        KafkaRelay relay = relay(wal.log(), "outage").build()) {
      KafkaRelayHealthIndicator relayHealth = new KafkaRelayHealthIndicator(relay);
      DatawalHealthIndicator storeHealth =
          new DatawalHealthIndicator(DatawalStore.of(wal, null), 0);
      relay.start();
      for (int i = 1; i <= 20; i++) {
        wal.put(utf8("key-" + i % 8), utf8("before-" + i));
      }
      await("the first records to be published", 60, () -> relay.checkpoint() == 20);
      assertThat(relayHealth.health(true).getStatus()).isEqualTo(Status.UP);

      broker.stopBroker();
      try {
        // With nothing to send, the relay's broker check notices.
        await("an idle relay to notice", 30, () -> isStalled(relay));
        assertThat(relay.status().problem())
            .hasValueSatisfying(p -> assertThat(p).contains("does not answer"));
        assertThat(relayHealth.health(true).getStatus()).isEqualTo(Status.OUT_OF_SERVICE);

        // Durable writes go on at local speed: the relay neither blocks nor slows them.
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () -> {
              for (int i = 21; i <= 70; i++) {
                wal.put(utf8("key-" + i % 8), utf8("during-" + i));
              }
            });
        assertThat(wal.log().durableTxid()).isEqualTo(70);
        assertThat(storeHealth.health(true).getStatus())
            .as("the store is fine")
            .isEqualTo(Status.UP);
        RelayStatus stalled = relay.status();
        assertThat(stalled.state()).isEqualTo(RelayStatus.State.STALLED);
        assertThat(stalled.lagRecords()).isEqualTo(50);
        assertThat(stalled.lagBytes()).isPositive();
        assertThat(relay.checkpoint()).isEqualTo(20);
        assertThat(relayHealth.health(true).getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
      } finally {
        broker.restartBroker();
      }

      await("the relay to catch up", 90, () -> relay.checkpoint() == 70);
      await("the relay to be healthy again", 30, () -> !isStalled(relay));
      assertThat(relay.status().lagRecords()).isZero();
      assertThat(relay.status().lagBytes()).isZero();
      assertThat(relayHealth.health(true).getStatus()).isEqualTo(Status.UP);
      assertThat(Relayed.txids(Relayed.once(broker.readAll("outage"))))
          .containsExactlyInAnyOrderElementsOf(range(1, 70));
      assertThat(Relayed.keyValueView(broker.readAll("outage"))).isEqualTo(TestData.view(wal));
    }
  }

  @Test
  void aRelayStartedWhileTheBrokerIsDownPublishesEverythingOnceItIsUp() throws Exception {
    broker.createTopic("late", Map.of());
    broker.stopBroker();
    try (RecordLog log = RecordLog.open(dir);
        KafkaRelay relay =
            relay(log, "late").producerOverrides(Map.of("max.block.ms", "1000")).build()) {
      try {
        for (int i = 1; i <= 30; i++) {
          log.append(utf8("event-" + i));
        }
        relay.start();
        // Sends wait for the topic's metadata, give up after max.block.ms, and the relay starts
        // over from its checkpoint, again and again.
        await("the relay to start over", 60, () -> relay.status().failures() >= 2);
        assertThat(relay.status().state()).isEqualTo(RelayStatus.State.STALLED);
        assertThat(relay.checkpoint()).isZero();
      } finally {
        broker.restartBroker();
      }
      await("the relay to catch up", 90, () -> relay.checkpoint() == 30);
      await("the relay to be healthy again", 30, () -> !isStalled(relay));
      assertThat(Relayed.txids(Relayed.once(broker.readAll("late"))))
          .as("in order, none missing")
          .containsExactlyElementsOf(range(1, 30)); // Raw records: one partition
    }
  }

  private static boolean isStalled(KafkaRelay relay) {
    return relay.status().state() == RelayStatus.State.STALLED;
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }
}
