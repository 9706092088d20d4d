package dev.datawal.kafka.autoconfigure.health;

import dev.datawal.kafka.KafkaRelay;
import dev.datawal.kafka.autoconfigure.KafkaRelayAutoConfiguration;
import dev.datawal.kafka.health.KafkaRelayHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code datawalKafkaRelay} health indicator ({@link KafkaRelayHealthIndicator}), when Spring
 * Boot's health support is on the classpath and a relay exists; {@code
 * management.health.datawal-kafka-relay.enabled=false} turns it off.
 */
@AutoConfiguration(
    after = KafkaRelayAutoConfiguration.class,
    beforeName =
        "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(KafkaRelay.class)
public final class KafkaRelayHealthContributorAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean(name = "datawalKafkaRelayHealthIndicator")
  @ConditionalOnEnabledHealthIndicator("datawal-kafka-relay")
  KafkaRelayHealthIndicator datawalKafkaRelayHealthIndicator(KafkaRelay relay) {
    return new KafkaRelayHealthIndicator(relay);
  }
}
