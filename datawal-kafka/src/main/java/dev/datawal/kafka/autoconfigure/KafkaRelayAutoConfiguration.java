package dev.datawal.kafka.autoconfigure;

import dev.datawal.RecordLog;
import dev.datawal.autoconfigure.DatawalStoreAutoConfiguration;
import dev.datawal.kafka.KafkaRelay;
import dev.datawal.spring.DatawalStore;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/**
 * The {@link KafkaRelay} of the application's store, when Spring for Apache Kafka is on the
 * classpath and {@code datawal.kafka.relay.enabled=true}. Its producer starts from the
 * application's producer factory (Spring Boot's, configured by {@code spring.kafka.*}), with the
 * relay's own defaults and {@code datawal.kafka.relay.producer.*} over it. The relay bean is also a
 * {@link dev.datawal.spring.RetentionFloor}, so background retention and compaction keep what it
 * has not published. A {@link KafkaRelay} bean of the application's own replaces this one.
 */
@AutoConfiguration(
    after = DatawalStoreAutoConfiguration.class,
    afterName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConditionalOnClass({KafkaTemplate.class, KafkaProducer.class})
@ConditionalOnBooleanProperty("datawal.kafka.relay.enabled")
@ConditionalOnBean(DatawalStore.class)
@EnableConfigurationProperties(KafkaRelayProperties.class)
public final class KafkaRelayAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean
  KafkaRelay datawalKafkaRelay(
      DatawalStore store,
      KafkaRelayProperties properties,
      ObjectProvider<ProducerFactory<?, ?>> producerFactory,
      Environment environment) {
    String topic = properties.getTopic();
    if (topic == null || topic.isBlank()) {
      throw new InvalidConfigurationPropertyValueException(
          "datawal.kafka.relay.topic",
          topic,
          "the Kafka relay is enabled (datawal.kafka.relay.enabled=true) and needs a topic");
    }
    RecordLog log =
        store
            .log()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "datawal: the Kafka relay needs a writer, but the store at "
                            + store.dir()
                            + " is open read-only; set datawal.kafka.relay.enabled=false"));
    String storeId =
        properties.getStoreId() != null
            ? properties.getStoreId()
            : environment.getProperty("spring.application.name", KafkaRelay.DEFAULT_STORE_ID);
    ProducerFactory<?, ?> factory = producerFactory.getIfUnique();
    Map<String, Object> common = factory == null ? Map.of() : factory.getConfigurationProperties();
    try {
      return KafkaRelay.builder(log, topic)
          .name(properties.getName())
          .storeId(storeId)
          .commonConfigs(common)
          .producerOverrides(properties.getProducer())
          .checkpointInterval(properties.getCheckpointInterval())
          .ackTimeout(properties.getAckTimeout())
          .probeInterval(properties.getProbeInterval())
          .stopTimeout(properties.getStopTimeout())
          .build();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("datawal.kafka.relay: " + e.getMessage(), e);
    }
  }
}
