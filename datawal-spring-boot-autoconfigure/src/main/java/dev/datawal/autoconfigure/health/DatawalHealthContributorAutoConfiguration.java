package dev.datawal.autoconfigure.health;

import dev.datawal.autoconfigure.DatawalProperties;
import dev.datawal.autoconfigure.DatawalStoreAutoConfiguration;
import dev.datawal.spring.DatawalStore;
import dev.datawal.spring.health.DatawalHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code datawal} health indicator ({@link DatawalHealthIndicator}), when Spring Boot's health
 * support is on the classpath; {@code management.health.datawal.enabled=false} turns it off.
 *
 * <p>Guarded on {@link HealthIndicator} and {@link ConditionalOnEnabledHealthIndicator}
 * (spring-boot-health) only: the indicator needs no Actuator endpoint classes.
 */
@AutoConfiguration(
    after = DatawalStoreAutoConfiguration.class,
    beforeName =
        "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(DatawalStore.class)
@EnableConfigurationProperties(DatawalProperties.class)
public final class DatawalHealthContributorAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean(name = "datawalHealthIndicator")
  @ConditionalOnEnabledHealthIndicator("datawal")
  DatawalHealthIndicator datawalHealthIndicator(DatawalStore store, DatawalProperties properties) {
    return new DatawalHealthIndicator(
        store, properties.getHealth().getFreeSpaceThreshold().toBytes());
  }
}
