package dev.datawal.modulith.autoconfigure.metrics;

import dev.datawal.modulith.DatawalEventPublicationRepository;
import dev.datawal.modulith.autoconfigure.DatawalModulithAutoConfiguration;
import dev.datawal.modulith.metrics.DatawalPublicationsMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer metrics of the datawal event publication registry ({@link
 * DatawalPublicationsMetrics}), when Micrometer is on the classpath and the application has a
 * {@link MeterRegistry}.
 */
@AutoConfiguration(
    after = DatawalModulithAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass({MeterRegistry.class, MeterBinder.class})
@ConditionalOnBean({DatawalEventPublicationRepository.class, MeterRegistry.class})
public final class DatawalPublicationsMetricsAutoConfiguration {
  /** Created by Spring Boot's auto-configuration; an application never needs to. */
  public DatawalPublicationsMetricsAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  DatawalPublicationsMetrics datawalPublicationsMetrics(
      DatawalEventPublicationRepository repository, ObjectProvider<Clock> clock) {
    return new DatawalPublicationsMetrics(repository, clock.getIfAvailable(Clock::systemUTC));
  }
}
