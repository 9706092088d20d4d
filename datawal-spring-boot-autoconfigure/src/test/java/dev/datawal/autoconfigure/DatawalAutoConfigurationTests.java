package dev.datawal.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RecordLogReader;
import dev.datawal.RecoveryReport;
import dev.datawal.StoreLockedException;
import dev.datawal.spring.DatawalStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Which store beans the starter creates, from which properties, and when it steps aside. */
class DatawalAutoConfigurationTests {
  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return StarterContexts.runner(dir);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void byDefaultAKeyValueStoreIsOpenedInTheConfiguredDirectory() {
    runner()
        .run(
            context -> {
              assertThat(context).hasSingleBean(DataWal.class).doesNotHaveBean(RecordLog.class);
              DataWal wal = context.getBean(DataWal.class);
              assertThat(wal.log().dir()).isEqualTo(dir);
              assertThat(wal.log().options()).isEqualTo(DatawalOptions.defaults());
              assertThat(Files.exists(dir.resolve(".lock"))).isTrue();
              DatawalStore store = context.getBean(DatawalStore.class);
              assertThat(store.mode()).isEqualTo(DatawalStore.Mode.KV);
              assertThat(store.recoveryDuration()).isPresent();
            });
  }

  @Test
  void storeLogOpensAPlainRecordLog() {
    runner()
        .withPropertyValues("datawal.store=log")
        .run(
            context -> {
              assertThat(context).hasSingleBean(RecordLog.class).doesNotHaveBean(DataWal.class);
              assertThat(context.getBean(DatawalStore.class).mode())
                  .isEqualTo(DatawalStore.Mode.LOG);
            });
  }

  @Test
  void readOnlyOpensTheLocklessReaderBesideALiveWriter() {
    try (RecordLog writer = RecordLog.open(dir)) {
      writer.append(utf8("e1"));
      runner()
          .withPropertyValues("datawal.read-only=true")
          .run(
              context -> {
                assertThat(context)
                    .hasSingleBean(RecordLogReader.class)
                    .doesNotHaveBean(DataWal.class)
                    .doesNotHaveBean(RecordLog.class);
                DatawalStore store = context.getBean(DatawalStore.class);
                assertThat(store.mode()).isEqualTo(DatawalStore.Mode.READ_ONLY);
                assertThat(store.recoveryReport().recordsReplayed()).isEqualTo(1);
                assertThat(store.nextTxid()).isEqualTo(2);
              });
    }
  }

  @Test
  void readOnlyOnAMissingDirectoryFailsAndCreatesNothing() {
    Path missing = dir.resolve("nope");
    runner()
        .withPropertyValues("datawal.read-only=true", "datawal.dir=" + missing)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("no store");
              assertThat(missing).doesNotExist();
            });
  }

  @Test
  void propertiesReachTheEngineOptions() {
    runner()
        .withPropertyValues(
            "datawal.segment.max-size=1MB",
            "datawal.fsync.policy=interval",
            "datawal.fsync.interval=250ms",
            "datawal.max-read-handles=4")
        .run(
            context -> {
              DatawalOptions options = context.getBean(DataWal.class).log().options();
              assertThat(options.maxSegmentSize()).isEqualTo(1024 * 1024);
              assertThat(options.fsyncPolicy()).isEqualTo(FsyncPolicy.INTERVAL);
              assertThat(options.fsyncInterval()).isEqualTo(Duration.ofMillis(250));
              assertThat(options.maxReadHandles()).isEqualTo(4);
            });
  }

  @Test
  void retentionPropertiesReachALog() {
    runner()
        .withPropertyValues(
            "datawal.store=log", "datawal.retention.max-age=7d", "datawal.retention.max-bytes=1GB")
        .run(
            context -> {
              DatawalOptions options = context.getBean(RecordLog.class).options();
              assertThat(options.retentionMaxAge()).isEqualTo(Duration.ofDays(7));
              assertThat(options.retentionMaxBytes()).isEqualTo(1L << 30);
            });
  }

  @Test
  void theOffSwitchCreatesNothing() {
    runner()
        .withPropertyValues("datawal.enabled=false")
        .run(
            context -> {
              assertThat(context)
                  .doesNotHaveBean(DataWal.class)
                  .doesNotHaveBean(DatawalStore.class)
                  .doesNotHaveBean(DatawalOptions.class);
              assertThat(dir.resolve(".lock")).doesNotExist();
            });
  }

  @Test
  void withoutTheEngineOnTheClasspathNothingIsConfigured() {
    runner()
        .withClassLoader(new FilteredClassLoader(RecordLog.class))
        .run(context -> assertThat(context).doesNotHaveBean(DatawalProperties.class));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnStore {
    @Bean(destroyMethod = "close")
    RecordLog myLog(DatawalProperties properties) {
      return RecordLog.open(properties.getDir().resolve("mine"));
    }
  }

  @Test
  void aLogBeanOfTheApplicationSitsBesideTheKeyValueStore() {
    runner()
        .withUserConfiguration(OwnStore.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(RecordLog.class).hasSingleBean(DataWal.class);
              assertThat(context.getBean(DatawalStore.class).dir()).isEqualTo(dir);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnKeyValueStore {
    @Bean(destroyMethod = "close")
    DataWal myStore(DatawalProperties properties) {
      return DataWal.open(properties.getDir().resolve("mine"));
    }
  }

  @Test
  void aKeyValueStoreOfTheApplicationWinsInEveryMode() {
    for (String store : new String[] {"kv", "log"}) {
      runner()
          .withUserConfiguration(OwnKeyValueStore.class)
          .withPropertyValues("datawal.store=" + store)
          .run(
              context -> {
                assertThat(context).hasSingleBean(DataWal.class).doesNotHaveBean(RecordLog.class);
                assertThat(context.getBean(DatawalStore.class).dir())
                    .isEqualTo(dir.resolve("mine"));
              });
    }
  }

  @Test
  void aStoreBeanOfTheApplicationWinsAndStillGetsTheStoreView() {
    runner()
        .withUserConfiguration(OwnStore.class)
        .withPropertyValues("datawal.store=log")
        .run(
            context -> {
              assertThat(context).hasSingleBean(RecordLog.class).doesNotHaveBean(DataWal.class);
              assertThat(context.getBean(RecordLog.class).dir()).isEqualTo(dir.resolve("mine"));
              DatawalStore store = context.getBean(DatawalStore.class);
              assertThat(store.dir()).isEqualTo(dir.resolve("mine"));
              assertThat(store.recoveryDuration()).isEmpty(); // not opened by the starter
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnOptions {
    @Bean
    DatawalOptions myOptions() {
      return DatawalOptions.builder().maxSegmentSize(4096).build();
    }
  }

  @Test
  void anOptionsBeanOfTheApplicationWins() {
    runner()
        .withUserConfiguration(OwnOptions.class)
        .run(
            context ->
                assertThat(context.getBean(DataWal.class).log().options().maxSegmentSize())
                    .isEqualTo(4096));
  }

  @Test
  void invalidValuesFailStartupNamingTheProperty() {
    String[][] cases = {
      {"datawal.segment.max-size=0B", "datawal.segment.max-size"},
      {"datawal.segment.max-size=100GB", "datawal.segment.max-size"},
      {"datawal.fsync.interval=0s", "datawal.fsync.interval"},
      {"datawal.max-read-handles=0", "datawal.max-read-handles"},
      {"datawal.lock.wait=-1s", "datawal.lock.wait"},
      {"datawal.compaction.interval=0s", "datawal.compaction.interval"},
      {"datawal.compaction.min-garbage-ratio=1.5", "datawal.compaction.min-garbage-ratio"},
      {"datawal.retention.max-age=0s", "datawal.retention.max-age"},
      {"datawal.retention.interval=-5m", "datawal.retention.interval"},
    };
    for (String[] c : cases) {
      runner()
          .withPropertyValues(c[0])
          .run(
              context -> {
                assertThat(context).as(c[0]).hasFailed();
                assertThat(context.getStartupFailure())
                    .as(c[0])
                    .rootCause()
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining(c[1]);
                assertThat(dir.resolve(".lock")).as(c[0]).doesNotExist();
              });
    }
  }

  @Test
  void valuesOfTheWrongKindFailBindingNamingTheProperty() {
    String[][] cases = {
      {"datawal.fsync.policy=sometimes", "datawal.fsync.policy"},
      {"datawal.store=sql", "datawal.store"},
      {"datawal.segment.max-size=lots", "datawal.segment.max-size"},
    };
    for (String[] c : cases) {
      runner()
          .withPropertyValues(c[0])
          .run(
              context -> {
                assertThat(context).as(c[0]).hasFailed();
                assertThat(context.getStartupFailure()).as(c[0]).hasStackTraceContaining(c[1]);
              });
    }
  }

  @Test
  void aStoreLockedByAnotherProcessFailsAtOnceByDefault() throws Exception {
    try (LockHolder other = LockHolder.start(dir)) {
      long started = System.nanoTime();
      runner()
          .run(
              context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(StoreLockedException.class)
                    .hasMessageContaining(String.valueOf(other.pid()));
              });
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void lockWaitOutlastsAnotherProcessThatLetsGo() throws Exception {
    // The other process lets go once the opener has found the store locked and says it waits.
    CountDownLatch waiting = new CountDownLatch(1);
    Logger opener = (Logger) LoggerFactory.getLogger(StoreOpener.class);
    Level level = opener.getLevel();
    AppenderBase<ILoggingEvent> waitLine =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent event) {
            if (event.getFormattedMessage().contains("for it to be released")) {
              waiting.countDown();
            }
          }
        };
    waitLine.start();
    opener.setLevel(Level.INFO);
    opener.addAppender(waitLine);
    try (LockHolder other = LockHolder.start(dir)) {
      other.releaseWhen(waiting);
      runner()
          .withPropertyValues("datawal.store=log", "datawal.lock.wait=30s")
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(RecordLog.class).lastTxid()).isEqualTo(1);
              });
    } finally {
      opener.detachAppender(waitLine);
      opener.setLevel(level);
    }
  }

  @Test
  void lockWaitGivesUpAfterTheWaitNamingIt() throws Exception {
    try (LockHolder other = LockHolder.start(dir)) {
      runner()
          .withPropertyValues("datawal.lock.wait=300ms")
          .run(
              context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(StoreLockedException.class)
                    .hasMessageContaining("datawal.lock.wait=PT0.3S");
              });
      assertThat(other.pid()).isPositive(); // still holding it
    }
  }

  @Test
  void aStoreOpenInThisProcessIsLockedToo() {
    try (RecordLog other = RecordLog.open(dir)) {
      runner()
          .run(
              context ->
                  assertThat(context.getStartupFailure())
                      .rootCause()
                      .isInstanceOf(StoreLockedException.class));
      assertThat(other.isClosed()).isFalse();
    }
  }

  @Test
  void closingTheContextClosesTheStoreAndReleasesTheLock() {
    DataWal[] opened = new DataWal[1];
    runner()
        .run(
            context -> {
              opened[0] = context.getBean(DataWal.class);
              opened[0].put(utf8("k"), utf8("v"));
            });
    assertThat(opened[0].log().isClosed()).isTrue();
    try (DataWal again = DataWal.open(dir)) { // the lock is free again
      assertThat(again.get(utf8("k"))).hasValue(utf8("v"));
    }
  }

  @Test
  void aRestartedContextOnTheSameDirectoryKeepsTheData() {
    runner()
        .run(
            context -> {
              DataWal wal = context.getBean(DataWal.class);
              for (int i = 0; i < 100; i++) {
                wal.put(utf8("key-" + i), utf8("value-" + i));
              }
              wal.delete(utf8("key-7"));
            });
    runner()
        .run(
            context -> {
              DataWal wal = context.getBean(DataWal.class);
              assertThat(wal.size()).isEqualTo(99);
              assertThat(wal.get(utf8("key-42"))).hasValue(utf8("value-42"));
              assertThat(wal.get(utf8("key-7"))).isEmpty();
              // Closed cleanly by the first context: the key directory comes from the snapshot.
              RecoveryReport report = context.getBean(DatawalStore.class).recoveryReport();
              assertThat(report.snapshotUsed()).isTrue();
              assertThat(report.snapshotKeys()).isEqualTo(99);
              assertThat(report.recordsReplayed()).isZero();
              assertThat(report.lastTxidSeen()).isEqualTo(101);
            });
  }
}
