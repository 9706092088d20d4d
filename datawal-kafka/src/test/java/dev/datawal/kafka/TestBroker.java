package dev.datawal.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * One real Kafka broker in this JVM, in KRaft mode (Spring Kafka's embedded broker: one combined
 * broker and controller node), with topics, a consumer that reads a whole topic, and a stop and
 * restart of the broker on the same port with its data kept.
 */
final class TestBroker implements AutoCloseable {
  static final int PARTITIONS = 3;

  private final EmbeddedKafkaKraftBroker broker;

  private TestBroker(EmbeddedKafkaKraftBroker broker) {
    this.broker = broker;
  }

  static TestBroker start() {
    EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS);
    broker.brokerProperties(
        Map.of(
            // A restarted broker registers again only once its old session expired: keep it short.
            "broker.session.timeout.ms", "2000",
            "broker.heartbeat.interval.ms", "500",
            // The log cleaner runs often, so compacted topics compact within a test.
            "log.cleaner.backoff.ms", "200",
            "log.cleaner.dedupe.buffer.size", "2097152",
            "auto.create.topics.enable", "false"));
    broker.afterPropertiesSet();
    return new TestBroker(broker);
  }

  String bootstrapServers() {
    return broker.getBrokersAsString();
  }

  Map<String, Object> clientConfigs() {
    return Map.of("bootstrap.servers", bootstrapServers());
  }

  void createTopic(String name, Map<String, String> configs) {
    try (Admin admin = Admin.create(clientConfigs())) {
      admin
          .createTopics(List.of(new NewTopic(name, PARTITIONS, (short) 1).configs(configs)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + name, e);
    }
  }

  /** Stops the broker (the controller keeps running); its port and data stay. */
  void stopBroker() {
    BrokerServer server = server();
    server.shutdown();
    server.awaitShutdown();
  }

  /** Starts the stopped broker again, on the same port, with the data it had. */
  void restartBroker() {
    server().startup();
  }

  private BrokerServer server() {
    return broker.getCluster().brokers().values().iterator().next();
  }

  /**
   * Reads the whole topic, from the beginning of every partition, until {@code done} holds for what
   * was read (re-reading from the beginning each time), or fails after {@code timeout}.
   */
  List<ConsumerRecord<byte[], byte[]>> readUntil(
      String topic, Duration timeout, Predicate<List<ConsumerRecord<byte[], byte[]>>> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ConsumerRecord<byte[], byte[]>> records = readAll(topic);
    while (!done.test(records)) {
      assertThat(System.nanoTime())
          .as("waited %s for topic %s; read %d records", timeout, topic, records.size())
          .isLessThan(deadline);
      Thread.sleep(200); // the poll interval of this read-until
      records = readAll(topic);
    }
    return records;
  }

  /** Every record in the topic now, partition by partition, each in offset order. */
  List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Map<String, Object> configs =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(configs, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        partitions.add(new TopicPartition(topic, p));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      consumer.pause(partitions); // one partition at a time, so each stays in offset order
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      for (TopicPartition partition : partitions) {
        consumer.resume(List.of(partition));
        long end = ends.get(partition);
        while (consumer.position(partition, Duration.ofSeconds(30)) < end) {
          consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        consumer.pause(List.of(partition));
      }
    }
    return records;
  }

  @Override
  public void close() {
    broker.destroy();
  }
}
