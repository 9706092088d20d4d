package dev.datawal.kafka.autoconfigure.metrics;

import dev.datawal.kafka.KafkaRelay;
import dev.datawal.kafka.autoconfigure.KafkaRelayAutoConfiguration;
import dev.datawal.kafka.metrics.KafkaRelayMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer metrics of the Kafka relay ({@link KafkaRelayMetrics}), when Micrometer is on the
 * classpath and the application has a {@link MeterRegistry}.
 */
@AutoConfiguration(
    after = KafkaRelayAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean({KafkaRelay.class, MeterRegistry.class})
public final class KafkaRelayMetricsAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean
  KafkaRelayMetrics datawalKafkaRelayMetrics(KafkaRelay relay) {
    return new KafkaRelayMetrics(relay);
  }
}
