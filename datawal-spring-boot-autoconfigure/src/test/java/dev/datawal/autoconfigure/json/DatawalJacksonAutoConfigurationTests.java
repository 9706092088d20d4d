package dev.datawal.autoconfigure.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.datawal.DataWal;
import dev.datawal.RecordLog;
import dev.datawal.spring.json.EventSubscription;
import dev.datawal.spring.json.JsonEventLog;
import dev.datawal.spring.json.JsonKeyValueStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import tools.jackson.databind.json.JsonMapper;

class DatawalJacksonAutoConfigurationTests {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(DatawalJacksonAutoConfiguration.class));

  @TempDir Path dir;

  @Test
  void aRecordLogBeanGetsAJsonEventLogWithADefaultMapper() {
    runner
        .withBean(RecordLog.class, () -> RecordLog.open(dir))
        .run(
            context -> {
              assertThat(context).hasSingleBean(JsonEventLog.class);
              assertThat(context).doesNotHaveBean(JsonKeyValueStore.class);
              JsonEventLog events = context.getBean(JsonEventLog.class);
              assertThat(events.log()).isSameAs(context.getBean(RecordLog.class));
              assertThat(events.mapper()).isNotNull();
              events.append(Map.of("hello", "world"));
              assertThat(context.getBean(RecordLog.class).lastTxid()).isEqualTo(1);
            });
  }

  @Test
  void aDataWalBeanGetsAJsonKeyValueStore() {
    runner
        .withBean(DataWal.class, () -> DataWal.open(dir))
        .run(
            context -> {
              assertThat(context).hasSingleBean(JsonKeyValueStore.class);
              assertThat(context).doesNotHaveBean(JsonEventLog.class);
              JsonKeyValueStore kv = context.getBean(JsonKeyValueStore.class);
              kv.put("k", Map.of("n", 1));
              assertThat(kv.get("k", Map.class)).contains(Map.of("n", 1));
            });
  }

  @Test
  void theApplicationsJsonMapperIsUsed() {
    JsonMapper mine = JsonMapper.builder().build();
    runner
        .withBean(RecordLog.class, () -> RecordLog.open(dir.resolve("log")))
        .withBean(DataWal.class, () -> DataWal.open(dir.resolve("kv")))
        .withBean(JsonMapper.class, () -> mine)
        .run(
            context -> {
              assertThat(context.getBean(JsonEventLog.class).mapper()).isSameAs(mine);
              assertThat(context.getBean(JsonKeyValueStore.class).mapper()).isSameAs(mine);
            });
  }

  @Test
  void bootsJacksonAutoConfiguredMapperIsUsed() {
    runner
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
        .withBean(RecordLog.class, () -> RecordLog.open(dir))
        .run(
            context -> {
              assertThat(context).hasSingleBean(JsonMapper.class);
              assertThat(context.getBean(JsonEventLog.class).mapper())
                  .isSameAs(context.getBean(JsonMapper.class));
            });
  }

  @Test
  void withoutAStoreBeanThereAreNoFacades() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(JsonEventLog.class);
          assertThat(context).doesNotHaveBean(JsonKeyValueStore.class);
        });
  }

  @Test
  void aUserDefinedFacadeWins() {
    runner
        .withBean(RecordLog.class, () -> RecordLog.open(dir))
        .withBean(
            "myEvents",
            JsonEventLog.class,
            () ->
                new JsonEventLog(
                    RecordLog.open(dir.resolve("other")), JsonMapper.builder().build()))
        .run(
            context -> {
              assertThat(context).hasSingleBean(JsonEventLog.class);
              assertThat(context).hasBean("myEvents");
              context.getBean(JsonEventLog.class).log().close();
            });
  }

  @Test
  void closingTheContextStopsSubscriptionsBeforeTheLogCloses() {
    AtomicReference<EventSubscription> subscription = new AtomicReference<>();
    AtomicReference<RecordLog> log = new AtomicReference<>();
    runner
        .withBean(RecordLog.class, () -> RecordLog.open(dir))
        .run(
            context -> {
              JsonEventLog events = context.getBean(JsonEventLog.class);
              log.set(events.log());
              subscription.set(events.subscribe("audit", Object.class, e -> {}));
              events.append(Map.of("a", 1));
              await()
                  .atMost(Duration.ofSeconds(10))
                  .until(() -> subscription.get().position() == 1);
            });
    assertThat(subscription.get().isRunning()).isFalse();
    assertThat(subscription.get().failure()).isEmpty(); // stopped by close, not by a closed log
    // The log was closed by the context too: its lock is free again.
    RecordLog.open(dir).close();
  }
}
