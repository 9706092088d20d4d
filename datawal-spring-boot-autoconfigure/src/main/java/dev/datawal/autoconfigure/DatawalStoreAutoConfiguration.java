package dev.datawal.autoconfigure;

import dev.datawal.DataWal;
import dev.datawal.RecordLog;
import dev.datawal.RecordLogReader;
import dev.datawal.spring.DatawalMaintenance;
import dev.datawal.spring.DatawalStore;
import dev.datawal.spring.DatawalSyncOnStop;
import dev.datawal.spring.RetentionFloor;
import dev.datawal.spring.SubscriberPositions;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.ConfigurationCondition;

/**
 * The {@link DatawalStore} view of the application's store, auto-configured or its own, its
 * background {@link DatawalMaintenance}, and the {@link DatawalSyncOnStop} that makes its writes
 * durable when the context stops. The Actuator endpoint, health indicator and metrics build on it.
 */
@AutoConfiguration(after = DatawalAutoConfiguration.class)
@ConditionalOnClass(RecordLog.class)
@ConditionalOnBooleanProperty(name = "datawal.enabled", matchIfMissing = true)
@Conditional(DatawalStoreAutoConfiguration.OneStore.class)
@EnableConfigurationProperties(DatawalProperties.class)
public final class DatawalStoreAutoConfiguration {
  /** Created by Spring Boot's auto-configuration; an application never needs to. */
  public DatawalStoreAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  DatawalStore datawalStore(
      ObjectProvider<DataWal> dataWal,
      ObjectProvider<RecordLog> log,
      ObjectProvider<RecordLogReader> reader,
      ObjectProvider<StoreOpener> opener) {
    StoreOpener ours = opener.getIfAvailable();
    DataWal kv = dataWal.getIfUnique();
    if (kv != null) {
      return DatawalStore.of(kv, took(ours, kv));
    }
    RecordLog plain = log.getIfUnique();
    if (plain != null) {
      return DatawalStore.of(plain, took(ours, plain));
    }
    RecordLogReader view = reader.getObject();
    StoreOpener.Opening opening = ours == null ? null : ours.opening(view);
    return opening == null
        ? DatawalStore.of(view, view.report(), null)
        : DatawalStore.of(view, opening.report(), opening.took());
  }

  private static @Nullable Duration took(@Nullable StoreOpener opener, Object store) {
    StoreOpener.Opening opening = opener == null ? null : opener.opening(store);
    return opening == null ? null : opening.took();
  }

  @Bean
  @ConditionalOnMissingBean
  DatawalMaintenance datawalMaintenance(
      DatawalStore store, DatawalProperties properties, ObjectProvider<RetentionFloor> floors) {
    return new DatawalMaintenance(store, schedule(properties), floors.orderedStream().toList());
  }

  /**
   * Syncs the store when the context stops: a CRaC checkpoint, {@code stop()}, the start of
   * shutdown.
   */
  @Bean
  @ConditionalOnMissingBean
  DatawalSyncOnStop datawalSyncOnStop(DatawalStore store) {
    return new DatawalSyncOnStop(store);
  }

  /** Compaction when enabled; retention only when a limit is set. */
  private static DatawalMaintenance.Schedule schedule(DatawalProperties properties) {
    DatawalProperties.Compaction compaction = properties.getCompaction();
    DatawalProperties.Retention retention = properties.getRetention();
    boolean limited = retention.getMaxAge() != null || retention.getMaxBytes().toBytes() > 0;
    return new DatawalMaintenance.Schedule(
        compaction.isEnabled() ? compaction.getInterval() : null,
        compaction.getMinGarbageRatio(),
        limited ? retention.getInterval() : null);
  }

  /**
   * Keeps the records named subscribers (see {@link SubscriberPositions}) have not processed from
   * retention, unless {@code datawal.retention.respect-subscribers=false}. Positions are read at
   * each retention run; a damaged position file fails the run, so nothing is deleted on a guess.
   */
  @Bean
  @ConditionalOnBooleanProperty(
      name = "datawal.retention.respect-subscribers",
      matchIfMissing = true)
  RetentionFloor datawalSubscribersRetentionFloor(DatawalStore store) {
    SubscriberPositions positions = SubscriberPositions.of(store.dir());
    return positions::retentionFloor;
  }

  /** Exactly one store bean of some kind exists. */
  static final class OneStore extends AnyNestedCondition {
    OneStore() {
      super(ConfigurationCondition.ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnSingleCandidate(DataWal.class)
    static final class KeyValue {}

    @ConditionalOnSingleCandidate(RecordLog.class)
    static final class Log {}

    @ConditionalOnSingleCandidate(RecordLogReader.class)
    static final class Reader {}
  }
}
