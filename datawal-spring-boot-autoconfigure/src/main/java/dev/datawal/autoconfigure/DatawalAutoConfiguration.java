package dev.datawal.autoconfigure;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.RecordLog;
import dev.datawal.RecordLogReader;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;

/**
 * Auto-configures the application's datawal store from {@code datawal.*}: a {@link DataWal} ({@code
 * datawal.store=kv}, the default), a {@link RecordLog} ({@code log}), or with {@code
 * datawal.read-only=true} a lockless {@link RecordLogReader}.
 *
 * <p>The store is opened while the context starts, so the lock is held and recovery has run before
 * the application reports ready; it is closed (every write durable, lock released) when the context
 * closes, which is after the web server has stopped taking and drained its requests. A store bean
 * or {@link DatawalOptions} bean of the application's own replaces the one here.
 */
@AutoConfiguration
@ConditionalOnClass(RecordLog.class)
@ConditionalOnBooleanProperty(name = "datawal.enabled", matchIfMissing = true)
@EnableConfigurationProperties(DatawalProperties.class)
public final class DatawalAutoConfiguration {
  /** Created by Spring Boot's auto-configuration; an application never needs to. */
  public DatawalAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  DatawalOptions datawalOptions(DatawalProperties properties) {
    return OptionsFromProperties.options(properties);
  }

  @Bean
  StoreOpener datawalStoreOpener(
      DatawalProperties properties, Environment environment, ResourceLoader resources) {
    UnknownProperties.warnAbout(environment, resources.getClassLoader());
    OptionsFromProperties.requireADir(environment);
    OptionsFromProperties.validate(properties);
    return new StoreOpener(properties.getLock().getWait());
  }

  /** The writer, unless read-only; which store depends on {@code datawal.store}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBooleanProperty(
      name = "datawal.read-only",
      havingValue = false,
      matchIfMissing = true)
  static class WriterConfiguration {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(DataWal.class)
    @ConditionalOnProperty(name = "datawal.store", havingValue = "kv", matchIfMissing = true)
    DataWal dataWal(DatawalProperties properties, DatawalOptions options, StoreOpener opener) {
      return opener.open(
          "kv store",
          properties.getDir(),
          () -> DataWal.open(properties.getDir(), options),
          DataWal::recoveryReport,
          DataWal::log);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean({DataWal.class, RecordLog.class})
    @ConditionalOnProperty(name = "datawal.store", havingValue = "log")
    RecordLog recordLog(DatawalProperties properties, DatawalOptions options, StoreOpener opener) {
      return opener.open(
          "log",
          properties.getDir(),
          () -> RecordLog.open(properties.getDir(), options),
          RecordLog::recoveryReport,
          log -> log);
    }
  }

  /** A lockless read-only view, for inspection apps beside a running writer. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBooleanProperty(name = "datawal.read-only")
  static class ReadOnlyConfiguration {
    @Bean
    @ConditionalOnMissingBean(RecordLogReader.class)
    RecordLogReader recordLogReader(DatawalProperties properties, StoreOpener opener) {
      // The report scans (and checks) every frame, as a writer's recovery would.
      return opener.open(
          "read-only view of",
          properties.getDir(),
          () -> RecordLogReader.open(properties.getDir()),
          RecordLogReader::report,
          reader -> null);
    }
  }
}
