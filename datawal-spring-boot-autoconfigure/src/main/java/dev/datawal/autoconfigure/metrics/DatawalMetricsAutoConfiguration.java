package dev.datawal.autoconfigure.metrics;

import dev.datawal.autoconfigure.DatawalStoreAutoConfiguration;
import dev.datawal.spring.DatawalStore;
import dev.datawal.spring.metrics.DatawalMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer metrics of the store ({@link DatawalMetrics}), when Micrometer is on the classpath and
 * the application has a {@link MeterRegistry}.
 *
 * <p>Guarded on Micrometer's {@link MeterRegistry} and {@link MeterBinder} only: the metrics need
 * no Actuator or health classes.
 */
@AutoConfiguration(
    after = DatawalStoreAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass({MeterRegistry.class, MeterBinder.class})
@ConditionalOnBean({DatawalStore.class, MeterRegistry.class})
public final class DatawalMetricsAutoConfiguration {
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  DatawalMetrics datawalMetrics(DatawalStore store) {
    return new DatawalMetrics(store);
  }
}
