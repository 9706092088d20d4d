package dev.datawal.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.DataWal;
import dev.datawal.StoreLockedException;
import dev.datawal.autoconfigure.StarterContexts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.context.support.DefaultLifecycleProcessor;
import org.springframework.test.util.ReflectionTestUtils;

/**
 * The store across a stop and start of the application context, as at a CRaC checkpoint and
 * restore: Spring's CRaC resource calls {@link DefaultLifecycleProcessor}'s package-private {@code
 * stopForRestart()} before the checkpoint and {@code restartAfterStop()} after the restore, which
 * these tests call the same way (no CRaC JVM needed). Every acknowledged write is durable once
 * stopped, maintenance is stopped, and afterwards the application's own {@link DataWal} works on.
 */
class DatawalSyncOnStopTests {
  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    // manual: nothing is durable until something syncs, so the test sees what stopping did
    return StarterContexts.runner(dir)
        .withPropertyValues("datawal.fsync.policy=manual", "datawal.compaction.interval=1h");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static DefaultLifecycleProcessor lifecycle(ConfigurableApplicationContext context) {
    return context.getBean(
        AbstractApplicationContext.LIFECYCLE_PROCESSOR_BEAN_NAME, DefaultLifecycleProcessor.class);
  }

  /** What Spring does before a CRaC checkpoint. */
  private static void beforeCheckpoint(ConfigurableApplicationContext context) {
    ReflectionTestUtils.invokeMethod(lifecycle(context), "stopForRestart");
  }

  /** What Spring does after a CRaC restore. */
  private static void afterRestore(ConfigurableApplicationContext context) {
    ReflectionTestUtils.invokeMethod(lifecycle(context), "restartAfterStop");
  }

  @Test
  void aCheckpointMakesEveryAcknowledgedWriteDurableAndStopsMaintenance() {
    runner()
        .run(
            context -> {
              DataWal wal = context.getBean(DataWal.class);
              DatawalMaintenance maintenance = context.getBean(DatawalMaintenance.class);
              wal.put(utf8("a"), utf8("1"));
              wal.put(utf8("b"), utf8("2"));
              assertThat(wal.log().durableTxid()).isLessThan(wal.log().lastTxid());
              assertThat(maintenance.isRunning()).isTrue();

              beforeCheckpoint(context);

              assertThat(wal.log().durableTxid()).isEqualTo(wal.log().lastTxid());
              assertThat(maintenance.isRunning()).isFalse();
              assertThat(context.getBean(DatawalSyncOnStop.class).isRunning()).isFalse();
            });
  }

  @Test
  void afterARestoreTheApplicationsStoreWorksOnAndKeepsEveryWrite() {
    runner()
        .run(
            context -> {
              DataWal wal = context.getBean(DataWal.class);
              wal.put(utf8("before"), utf8("checkpoint"));
              beforeCheckpoint(context);
              afterRestore(context);

              assertThat(context.getBean(DatawalMaintenance.class).isRunning()).isTrue();
              assertThat(context.getBean(DatawalSyncOnStop.class).isRunning()).isTrue();
              wal.put(utf8("after"), utf8("restore"));
              assertThat(wal.get(utf8("before"))).hasValue(utf8("checkpoint"));
              assertThat(wal.get(utf8("after"))).hasValue(utf8("restore"));
            });
    try (DataWal reopened = DataWal.open(dir)) {
      assertThat(reopened.get(utf8("before"))).hasValue(utf8("checkpoint"));
      assertThat(reopened.get(utf8("after"))).hasValue(utf8("restore"));
    }
  }

  /**
   * The limitation the operations guide states: a stopped context keeps its store open (the
   * engine's store objects cannot reopen in place), so no other writer can take it meanwhile.
   */
  @Test
  void aStoppedContextKeepsItsStoreOpenAndLocked() {
    runner()
        .run(
            context -> {
              DataWal wal = context.getBean(DataWal.class);
              context.stop();
              assertThat(wal.log().isClosed()).isFalse();
              assertThatThrownBy(() -> DataWal.open(dir).close())
                  .isInstanceOf(StoreLockedException.class);
              context.start();
              wal.put(utf8("k"), utf8("v"));
              assertThat(wal.get(utf8("k"))).hasValue(utf8("v"));
            });
  }

  @Test
  void stoppingAReadOnlyViewDoesNothing() {
    try (DataWal writer = DataWal.open(dir)) {
      writer.put(utf8("k"), utf8("v"));
    }
    runner()
        .withPropertyValues("datawal.read-only=true")
        .run(
            context -> {
              context.stop();
              assertThat(context.getBean(DatawalSyncOnStop.class).isRunning()).isFalse();
              context.start();
              assertThat(context.getBean(DatawalStore.class).nextTxid()).isEqualTo(2);
            });
  }
}
