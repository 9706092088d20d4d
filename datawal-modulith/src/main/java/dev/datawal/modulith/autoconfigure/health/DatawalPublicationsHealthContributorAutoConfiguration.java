package dev.datawal.modulith.autoconfigure.health;

import dev.datawal.modulith.DatawalEventPublicationRepository;
import dev.datawal.modulith.autoconfigure.DatawalModulithAutoConfiguration;
import dev.datawal.modulith.autoconfigure.DatawalModulithProperties;
import dev.datawal.modulith.health.DatawalPublicationsHealthIndicator;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code datawalPublications} health indicator ({@link DatawalPublicationsHealthIndicator}),
 * when Spring Boot's health support is on the classpath; {@code
 * management.health.datawalpublications.enabled=false} turns it off.
 */
@AutoConfiguration(
    after = DatawalModulithAutoConfiguration.class,
    beforeName =
        "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(DatawalEventPublicationRepository.class)
@EnableConfigurationProperties(DatawalModulithProperties.class)
public final class DatawalPublicationsHealthContributorAutoConfiguration {
  /** Created by Spring Boot's auto-configuration; an application never needs to. */
  public DatawalPublicationsHealthContributorAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean(name = "datawalPublicationsHealthIndicator")
  @ConditionalOnEnabledHealthIndicator("datawalpublications")
  DatawalPublicationsHealthIndicator datawalPublicationsHealthIndicator(
      DatawalEventPublicationRepository repository,
      DatawalModulithProperties properties,
      ObjectProvider<Clock> clock) {
    return new DatawalPublicationsHealthIndicator(
        repository,
        properties.getHealth().getStalledAfter(),
        clock.getIfAvailable(Clock::systemUTC));
  }
}
