package dev.datawal.kafka;

import static dev.datawal.kafka.TestData.await;
import static dev.datawal.kafka.TestData.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.datawal.DataWal;
import dev.datawal.Record;
import dev.datawal.RecordLog;
import dev.datawal.autoconfigure.DatawalAutoConfiguration;
import dev.datawal.autoconfigure.DatawalStoreAutoConfiguration;
import dev.datawal.kafka.autoconfigure.KafkaRelayAutoConfiguration;
import dev.datawal.kafka.autoconfigure.KafkaRelayProperties;
import dev.datawal.kafka.autoconfigure.health.KafkaRelayHealthContributorAutoConfiguration;
import dev.datawal.kafka.autoconfigure.metrics.KafkaRelayMetricsAutoConfiguration;
import dev.datawal.kafka.health.KafkaRelayHealthIndicator;
import dev.datawal.kafka.metrics.KafkaRelayMetrics;
import dev.datawal.spring.DatawalMaintenance;
import dev.datawal.spring.SubscriberPositions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * When the relay is configured, and how: conditions, properties, and the retention floor it puts
 * under background compaction and retention. No broker runs here: the relay points at a port
 * nothing listens on, so it publishes nothing.
 */
class KafkaRelayAutoConfigurationTests {
  private static String nowhere;

  @TempDir Path dir;

  @BeforeAll
  static void findAClosedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      nowhere = "localhost:" + socket.getLocalPort(); // closed again: connections are refused
    }
  }

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DatawalAutoConfiguration.class,
                DatawalStoreAutoConfiguration.class,
                KafkaAutoConfiguration.class,
                KafkaRelayAutoConfiguration.class,
                KafkaRelayHealthContributorAutoConfiguration.class,
                KafkaRelayMetricsAutoConfiguration.class))
        .withBean(SimpleMeterRegistry.class)
        .withPropertyValues(
            "datawal.dir=" + dir,
            "spring.kafka.bootstrap-servers=" + nowhere,
            "datawal.kafka.relay.topic=events",
            // Sends to the missing broker give up quickly, so contexts close quickly.
            "datawal.kafka.relay.producer.max.block.ms=200");
  }

  private ApplicationContextRunner enabled() {
    return runner().withPropertyValues("datawal.kafka.relay.enabled=true");
  }

  @Test
  void theRelayIsOffByDefault() {
    runner()
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(DataWal.class);
              assertThat(context).doesNotHaveBean(KafkaRelay.class);
              assertThat(context).doesNotHaveBean(KafkaRelayHealthIndicator.class);
              assertThat(context).doesNotHaveBean(KafkaRelayMetrics.class);
            });
  }

  @Test
  void enabledItRunsWithItsHealthIndicatorAndMetrics() {
    enabled()
        .run(
            context -> {
              assertThat(context).hasSingleBean(KafkaRelay.class);
              assertThat(context).hasSingleBean(KafkaRelayHealthIndicator.class);
              assertThat(context).hasSingleBean(KafkaRelayMetrics.class);
              KafkaRelay relay = context.getBean(KafkaRelay.class);
              assertThat(relay.isRunning()).isTrue();
              assertThat(relay.topic()).isEqualTo("events");
              assertThat(relay.name()).isEqualTo("kafka-relay");
              assertThat(relay.log()).isSameAs(context.getBean(DataWal.class).log());
            });
  }

  @Test
  void theProducerStartsFromSpringKafkaWithTheRelaysDefaultsAndOverridesOverIt() {
    enabled()
        .withPropertyValues(
            "spring.kafka.producer.properties.delivery.timeout.ms=120000",
            "spring.kafka.producer.compression-type=zstd",
            "spring.kafka.producer.transaction-id-prefix=tx-",
            "datawal.kafka.relay.producer.linger.ms=20")
        .run(
            context -> {
              var configs = context.getBean(KafkaRelay.class).producerConfigs();
              assertThat(configs.get("bootstrap.servers").toString()).contains(nowhere);
              assertThat(configs).containsEntry("compression.type", "zstd");
              assertThat(configs)
                  .as("never give up on a record, whatever the application's producers do")
                  .containsEntry("delivery.timeout.ms", Integer.MAX_VALUE);
              assertThat(configs).containsEntry("linger.ms", "20");
              assertThat(configs)
                  .containsEntry("enable.idempotence", "true")
                  .containsEntry("acks", "all")
                  .containsEntry("max.in.flight.requests.per.connection", "1")
                  .doesNotContainKey("transactional.id");
            });
  }

  @Test
  void aRequiredProducerSettingCannotBeChanged() {
    enabled()
        .withPropertyValues("datawal.kafka.relay.producer.acks=1")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("acks=all")
                    .hasMessageContaining("was 1"));
  }

  @Test
  void anEnabledRelayWithoutATopicFailsStartupNamingTheProperty() {
    runner()
        .withPropertyValues("datawal.kafka.relay.enabled=true", "datawal.kafka.relay.topic=")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("datawal.kafka.relay.topic"));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnRelay {
    @Bean
    KafkaRelay ownRelay(DataWal wal) {
      return KafkaRelay.builder(wal.log(), "own-topic").name("own").build();
    }
  }

  @Test
  void aRelayBeanOfTheApplicationsOwnWins() {
    enabled()
        .withUserConfiguration(OwnRelay.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(KafkaRelay.class);
              assertThat(context.getBean(KafkaRelay.class).topic()).isEqualTo("own-topic");
              assertThat(context).hasSingleBean(KafkaRelayHealthIndicator.class);
            });
  }

  @Test
  void withoutSpringKafkaThereIsNoRelay() {
    enabled()
        .withClassLoader(new FilteredClassLoader(KafkaTemplate.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(DataWal.class);
              assertThat(context).doesNotHaveBean(KafkaRelay.class);
            });
  }

  @Test
  void theHealthIndicatorCanBeTurnedOff() {
    enabled()
        .withPropertyValues("management.health.datawal-kafka-relay.enabled=false")
        .run(
            context -> {
              assertThat(context).hasSingleBean(KafkaRelay.class);
              assertThat(context).doesNotHaveBean(KafkaRelayHealthIndicator.class);
            });
  }

  @Test
  void theStoreIdIsTheApplicationNameUnlessSet() {
    enabled()
        .run(
            context ->
                assertThat(context.getBean(KafkaRelay.class).storeId()).isEqualTo("datawal"));
    enabled()
        .withPropertyValues("spring.application.name=shop")
        .run(context -> assertThat(context.getBean(KafkaRelay.class).storeId()).isEqualTo("shop"));
    enabled()
        .withPropertyValues(
            "spring.application.name=shop", "datawal.kafka.relay.store-id=shop-eu-1")
        .run(
            context ->
                assertThat(context.getBean(KafkaRelay.class).storeId()).isEqualTo("shop-eu-1"));
  }

  @Test
  void theDefaultsOfThePropertiesAreTheRelaysOwn() {
    KafkaRelayProperties properties = new KafkaRelayProperties();
    assertThat(properties.isEnabled()).isFalse();
    assertThat(properties.getName()).isEqualTo(KafkaRelay.DEFAULT_NAME);
    assertThat(properties.getCheckpointInterval())
        .isEqualTo(KafkaRelay.DEFAULT_CHECKPOINT_INTERVAL);
    assertThat(properties.getAckTimeout()).isEqualTo(KafkaRelay.DEFAULT_ACK_TIMEOUT);
    assertThat(properties.getProbeInterval()).isEqualTo(KafkaRelay.DEFAULT_PROBE_INTERVAL);
    assertThat(properties.getStopTimeout()).isEqualTo(KafkaRelay.DEFAULT_STOP_TIMEOUT);
    assertThat(properties.getStoreId()).isNull();
    assertThat(properties.getProducer()).isEmpty();
  }

  @Test
  void theGeneratedMetadataGivesTheRelaysDefaults() throws IOException {
    String json;
    try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Map<String, Object> defaults = new HashMap<>();
    List<Map<String, Object>> properties = JsonPath.read(json, "$.properties[*]");
    properties.forEach(p -> defaults.put((String) p.get("name"), p.get("defaultValue")));
    String prefix = "datawal.kafka.relay.";
    assertThat(defaults).containsEntry(prefix + "enabled", false);
    assertThat(defaults).containsEntry(prefix + "name", KafkaRelay.DEFAULT_NAME);
    assertThat(duration(defaults.get(prefix + "checkpoint-interval")))
        .isEqualTo(KafkaRelay.DEFAULT_CHECKPOINT_INTERVAL);
    assertThat(duration(defaults.get(prefix + "ack-timeout")))
        .isEqualTo(KafkaRelay.DEFAULT_ACK_TIMEOUT);
    assertThat(duration(defaults.get(prefix + "probe-interval")))
        .isEqualTo(KafkaRelay.DEFAULT_PROBE_INTERVAL);
    assertThat(duration(defaults.get(prefix + "stop-timeout")))
        .isEqualTo(KafkaRelay.DEFAULT_STOP_TIMEOUT);
    assertThat(defaults.keySet())
        .contains(prefix + "topic", prefix + "store-id", prefix + "producer");
  }

  private static Duration duration(Object text) {
    return DurationStyle.detectAndParse((String) text);
  }

  @Test
  void aReadOnlyStoreCannotBeRelayed() {
    RecordLog.open(dir).close();
    enabled()
        .withPropertyValues("datawal.read-only=true")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("needs a writer")
                    .hasMessageContaining("read-only"));
  }

  @Test
  void compactionKeepsEveryRecordTheRelayHasNotPublished() {
    enabled()
        .withPropertyValues("datawal.segment.max-size=200B", "datawal.compaction.enabled=false")
        .run(
            context -> {
              DataWal wal = context.getBean(DataWal.class);
              for (int i = 0; i < 50; i++) {
                wal.put(utf8("key"), utf8("value-" + i)); // all but the last are garbage
              }
              List<Record> written = wal.log().scan();
              DatawalMaintenance maintenance = context.getBean(DatawalMaintenance.class);
              maintenance.runNow();
              assertThat(wal.log().scan()).as("nothing published: all kept").isEqualTo(written);

              // Once Kafka has everything up to txid 30, what comes before may go.
              SubscriberPositions.of(wal.log().dir()).commit("kafka-relay", 30);
              maintenance.runNow();
              List<Record> after = wal.log().scan();
              assertThat(after).hasSizeLessThan(written.size());
              assertThat(after.stream().filter(r -> r.txid() > 30).toList())
                  .isEqualTo(written.stream().filter(r -> r.txid() > 30).toList());
            });
  }

  @Test
  void retentionKeepsEveryRecordTheRelayHasNotPublishedEvenIgnoringSubscribers() {
    enabled()
        .withPropertyValues(
            "datawal.store=log",
            "datawal.segment.max-size=100B",
            "datawal.retention.max-bytes=1B",
            "datawal.retention.respect-subscribers=false")
        .run(
            context -> {
              RecordLog log = context.getBean(RecordLog.class);
              for (int i = 0; i < 10; i++) {
                log.append(utf8("e" + i));
              }
              context.getBean(DatawalMaintenance.class).runNow();
              assertThat(log.scan()).hasSize(10);
            });
  }

  @Test
  void aDamagedCheckpointStallsTheRelayNamingTheFileAndLeavesTheApplicationRunning()
      throws Exception {
    Path checkpoint = dir.resolve("subscribers/kafka-relay.position");
    Files.createDirectories(checkpoint.getParent());
    Files.writeString(checkpoint, "datawal-subscriber-position 1\ntxid 12\ncrc32c 00000000\n");
    byte[] damaged = Files.readAllBytes(checkpoint);
    enabled()
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              context.getBean(DataWal.class).put(utf8("k"), utf8("v")); // the store works
              KafkaRelay relay = context.getBean(KafkaRelay.class);
              await("the relay to stall", 30, () -> relay.status().failures() > 0);
              RelayStatus status = relay.status();
              assertThat(status.state()).isEqualTo(RelayStatus.State.STALLED);
              assertThat(status.problem())
                  .hasValueSatisfying(p -> assertThat(p).contains(checkpoint.toString()));
              assertThat(context.getBean(KafkaRelayHealthIndicator.class).health(true).getStatus())
                  .isEqualTo(Status.OUT_OF_SERVICE);
            });
    assertThat(Files.readAllBytes(checkpoint)).as("never reset").isEqualTo(damaged);
  }

  @Test
  void theLagIsMeasuredInRecordsAndBytes() {
    enabled()
        .run(
            context -> {
              DataWal wal = context.getBean(DataWal.class);
              wal.put(utf8("a"), utf8("1"));
              wal.put(utf8("b"), utf8("22"));
              wal.delete(utf8("a"));
              long bytes = wal.log().scan().stream().mapToLong(Record::length).sum();
              MeterRegistry registry = new SimpleMeterRegistry();
              context.getBean(KafkaRelayMetrics.class).bindTo(registry);
              await(
                  "the lag gauges",
                  30,
                  () ->
                      gauge(registry, "datawal.kafka.relay.lag.records") == 3
                          && gauge(registry, "datawal.kafka.relay.lag.bytes") == bytes);
              assertThat(gauge(registry, "datawal.kafka.relay.checkpoint")).isZero();
              assertThat(
                      registry
                          .get("datawal.kafka.relay.published")
                          .tag("relay", "kafka-relay")
                          .tag("topic", "events")
                          .functionCounter()
                          .count())
                  .isZero();
            });
  }

  private static double gauge(MeterRegistry registry, String name) {
    return registry.get(name).tag("relay", "kafka-relay").tag("topic", "events").gauge().value();
  }
}
