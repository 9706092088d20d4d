package dev.datawal.kafka;

import static dev.datawal.kafka.TestData.await;
import static dev.datawal.kafka.TestData.str;
import static dev.datawal.kafka.TestData.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.Record;
import dev.datawal.RecordLog;
import dev.datawal.RecordType;
import dev.datawal.autoconfigure.DatawalAutoConfiguration;
import dev.datawal.autoconfigure.DatawalStoreAutoConfiguration;
import dev.datawal.kafka.autoconfigure.KafkaRelayAutoConfiguration;
import dev.datawal.kafka.autoconfigure.health.KafkaRelayHealthContributorAutoConfiguration;
import dev.datawal.kafka.health.KafkaRelayHealthIndicator;
import dev.datawal.testing.TestSeed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The relay against a real broker: what it publishes, and that a restart loses nothing. */
class KafkaRelayTests {
  private static final long SEED = TestSeed.of(KafkaRelayTests.class, "datawal.test.seed");
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
        .storeId("orders")
        .commonConfigs(broker.clientConfigs())
        .checkpointInterval(Duration.ofMillis(20));
  }

  @Test
  void everyDurableRecordIsPublishedOnceInTxidOrderWithItsKeyValueAndHeaders() throws Exception {
    broker.createTopic("content", Map.of());
    try (RecordLog log = RecordLog.open(dir)) {
      for (int i = 1; i <= 60; i++) {
        switch (i % 3) {
          case 0 -> log.appendRecord(RecordType.PUT, utf8("key-" + i % 7), utf8("value-" + i));
          case 1 -> log.appendRecord(RecordType.DELETE, utf8("key-" + i % 7), new byte[0]);
          default -> log.append(utf8("event-" + i)); // Raw, empty key
        }
      }
      log.appendRecord(RecordType.PUT, utf8("empty-value"), new byte[0]);
      Map<Long, Record> written =
          log.scan().stream().collect(Collectors.toMap(Record::txid, Function.identity()));
      try (KafkaRelay relay = relay(log, "content").build()) {
        relay.start();
        List<ConsumerRecord<byte[], byte[]>> published =
            broker.readUntil("content", Duration.ofSeconds(60), r -> r.size() >= 61);

        assertThat(Relayed.txids(published))
            .as("each record once")
            .doesNotHaveDuplicates()
            .containsExactlyInAnyOrderElementsOf(written.keySet());
        for (int p = 0; p < TestBroker.PARTITIONS; p++) {
          int partition = p;
          assertThat(
                  Relayed.txids(
                      published.stream().filter(r -> r.partition() == partition).toList()))
              .as("partition %d in txid order", p)
              .isSorted();
        }
        for (ConsumerRecord<byte[], byte[]> record : published) {
          Record original = written.get(Relayed.txid(record));
          assertThat(record.key()).isEqualTo(original.key());
          assertThat(RelayHeaders.type(record.headers())).isEqualTo(original.type());
          assertThat(RelayHeaders.storeId(record.headers())).isEqualTo("orders");
          if (original.type() == RecordType.DELETE) {
            assertThat(record.value()).as("a Delete is a tombstone").isNull();
          } else {
            assertThat(record.value()).isEqualTo(original.payload());
          }
        }
        assertThat(
                published.stream()
                    .filter(r -> RelayHeaders.type(r.headers()) == RecordType.RAW)
                    .map(ConsumerRecord::partition)
                    .distinct())
            .as("Raw records share the empty key, so one partition and their order")
            .hasSize(1);

        await("the checkpoint to reach the end", 30, () -> relay.checkpoint() == 61);
        RelayStatus status = relay.status();
        assertThat(status.state()).isEqualTo(RelayStatus.State.RELAYING);
        assertThat(status.lagRecords()).isZero();
        assertThat(status.lagBytes()).isZero();
        assertThat(status.published()).isEqualTo(61);
        assertThat(status.problem()).isEmpty();
      }
    }
  }

  /**
   * A producer that sends every record to the broker but tells the relay of the acknowledgements of
   * txids up to {@code confirmUpTo} only: as if the relay died with the rest in flight.
   */
  static final class AcksWithheldAfter extends KafkaProducer<byte[], byte[]> {
    private final long confirmUpTo;
    private final AtomicInteger withheld;

    AcksWithheldAfter(Map<String, Object> configs, long confirmUpTo, AtomicInteger withheld) {
      super(configs, new ByteArraySerializer(), new ByteArraySerializer());
      this.confirmUpTo = confirmUpTo;
      this.withheld = withheld;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      if (RelayHeaders.txid(record.headers()) <= confirmUpTo) {
        return super.send(record, callback);
      }
      return super.send(
          record,
          (metadata, e) -> {
            if (e == null) {
              withheld.incrementAndGet(); // on the broker; the relay never hears of it
            }
          });
    }
  }

  @Test
  void aRelayStoppedMidStreamResumesFromItsCheckpointAndLosesNothing() throws Exception {
    broker.createTopic("restart", Map.of());
    try (RecordLog log = RecordLog.open(dir)) {
      for (int i = 1; i <= 300; i++) {
        log.appendRecord(RecordType.PUT, utf8("key-" + i % 40), utf8("value-" + i));
      }
      AtomicInteger withheld = new AtomicInteger();
      Function<Map<String, Object>, Producer<byte[], byte[]>> gated =
          configs -> new AcksWithheldAfter(configs, 100, withheld);
      KafkaRelay first =
          relay(log, "restart")
              .stopTimeout(Duration.ZERO)
              .ackTimeout(Duration.ofSeconds(1))
              .producers(gated)
              .build();
      first.start();
      await("Kafka to hold records 101-300 unconfirmed", 60, () -> withheld.get() == 200);
      await("the checkpoint to reach 100", 30, () -> first.checkpoint() == 100);
      RelayStatus stalledAt = first.status();
      assertThat(stalledAt.confirmedTxid()).isEqualTo(100);
      assertThat(stalledAt.lagRecords()).isEqualTo(200);
      long unconfirmedBytes =
          log.scan().stream().filter(r -> r.txid() > 100).mapToLong(Record::length).sum();
      assertThat(stalledAt.lagBytes()).isEqualTo(unconfirmedBytes);
      await(
          "records waiting longer than the ack timeout to stall the relay",
          30,
          () -> first.status().state() == RelayStatus.State.STALLED);
      assertThat(first.status().problem())
          .hasValueSatisfying(p -> assertThat(p).contains("has not acknowledged a record"));

      first.stop(); // mid-stream: 200 records on the broker but not confirmed to the relay
      assertThat(first.checkpoint()).isEqualTo(100);
      for (int i = 301; i <= 400; i++) {
        log.appendRecord(RecordType.PUT, utf8("key-" + i % 40), utf8("value-" + i));
      }

      try (KafkaRelay second = relay(log, "restart").build()) {
        second.start();
        List<ConsumerRecord<byte[], byte[]>> published =
            broker.readUntil("restart", Duration.ofSeconds(60), r -> r.size() >= 600);
        await("the checkpoint to reach 400", 30, () -> second.checkpoint() == 400);

        assertThat(published).hasSize(600);
        Map<Long, Long> copies =
            Relayed.txids(published).stream()
                .collect(Collectors.groupingBy(t -> t, Collectors.counting()));
        assertThat(copies.keySet()).containsExactlyInAnyOrderElementsOf(range(1, 400));
        assertThat(copies.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey))
            .as("only what was past the checkpoint is repeated, once")
            .containsExactlyInAnyOrderElementsOf(range(101, 300))
            .allSatisfy(t -> assertThat(copies.get(t)).isEqualTo(2));

        List<ConsumerRecord<byte[], byte[]>> once = Relayed.once(published);
        assertThat(Relayed.txids(once)).containsExactlyInAnyOrderElementsOf(range(1, 400));
        Map<Long, Record> written =
            log.scan().stream().collect(Collectors.toMap(Record::txid, Function.identity()));
        for (ConsumerRecord<byte[], byte[]> record : once) {
          assertThat(str(record.value()))
              .isEqualTo(str(written.get(Relayed.txid(record)).payload()));
        }
      }
    }
  }

  @Test
  void aConsumerRebuildsTheKeyValueViewFromACompactedTopic() throws Exception {
    broker.createTopic(
        "view",
        Map.of(
            "cleanup.policy", "compact",
            "segment.ms", "100",
            "min.cleanable.dirty.ratio", "0.01",
            "min.compaction.lag.ms", "0",
            "delete.retention.ms", "100"));
    DatawalOptions small = DatawalOptions.builder().maxSegmentSize(2048).build();
    try (DataWal wal = DataWal.open(dir, small);
        KafkaRelay relay = relay(wal.log(), "view").build()) {
      relay.start();
      SplittableRandom random = new SplittableRandom(SEED);
      int written = 0;
      for (; written < 300; written++) {
        write(wal, random, written);
        if (written == 150) {
          // Local compaction while the relay runs: it keeps what the relay has not published.
          wal.compact(relay.keepFromTxid().getAsLong());
        }
      }
      // Keep writing, a little at a time, until Kafka's log cleaner has compacted the topic: it
      // holds fewer records than were published (segments roll on the first append after 100 ms).
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (broker.readAll("view").size() >= relay.status().published()) {
        assertThat(System.nanoTime()).as("the topic was never compacted").isLessThan(deadline);
        write(wal, random, written++);
        Thread.sleep(150); // paces the writes past segment.ms, so the broker rolls and cleans
      }
      long last = wal.log().lastTxid();
      await("the relay to publish everything", 60, () -> relay.status().confirmedTxid() == last);
      Map<String, String> rebuilt = Relayed.keyValueView(broker.readAll("view"));
      assertThat(rebuilt).as("seed %d", SEED).isEqualTo(TestData.view(wal));
    }
  }

  @Test
  void theAutoConfiguredRelayPublishesTheStoreOverSpringKafkasConnection() throws Exception {
    broker.createTopic("spring", Map.of());
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DatawalAutoConfiguration.class,
                DatawalStoreAutoConfiguration.class,
                KafkaAutoConfiguration.class,
                KafkaRelayAutoConfiguration.class,
                KafkaRelayHealthContributorAutoConfiguration.class))
        .withPropertyValues(
            "datawal.dir=" + dir,
            "spring.application.name=shop",
            "spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
            "datawal.kafka.relay.enabled=true",
            "datawal.kafka.relay.topic=spring",
            "datawal.kafka.relay.checkpoint-interval=20ms")
        .run(
            context -> {
              DataWal wal = context.getBean(DataWal.class);
              for (int i = 0; i < 10; i++) {
                wal.put(utf8("key-" + i % 4), utf8("value-" + i));
              }
              wal.delete(utf8("key-0"));
              List<ConsumerRecord<byte[], byte[]>> published =
                  broker.readUntil("spring", Duration.ofSeconds(60), r -> r.size() >= 11);
              assertThat(Relayed.keyValueView(published)).isEqualTo(TestData.view(wal));
              assertThat(published)
                  .allSatisfy(r -> assertThat(RelayHeaders.storeId(r.headers())).isEqualTo("shop"));
              KafkaRelay relay = context.getBean(KafkaRelay.class);
              await("the checkpoint", 30, () -> relay.checkpoint() == 11);
              assertThat(dir.resolve("subscribers/kafka-relay.position")).exists();
              Health health = context.getBean(KafkaRelayHealthIndicator.class).health(true);
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails()).containsEntry("lagRecords", 0L);
            });
  }

  private static void write(DataWal wal, SplittableRandom random, int i) {
    String key = "key-" + random.nextInt(25);
    if (random.nextInt(4) == 0) {
      wal.delete(utf8(key));
    } else {
      wal.put(utf8(key), utf8("value-" + i));
    }
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }
}
