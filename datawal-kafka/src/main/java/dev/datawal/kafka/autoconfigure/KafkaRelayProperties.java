package dev.datawal.kafka.autoconfigure;

import dev.datawal.kafka.KafkaRelay;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the Kafka relay ({@code datawal.kafka.relay.*}). Defaults are the relay's own
 * ({@link KafkaRelay}'s {@code DEFAULT_*} constants). The producer's connection settings come from
 * Spring Boot's {@code spring.kafka.*}.
 */
@ConfigurationProperties("datawal.kafka.relay")
public class KafkaRelayProperties {
  /** Whether to relay the store's log to Kafka. */
  private boolean enabled = false;

  /** The topic to publish to; required when the relay is enabled. */
  private @Nullable String topic;

  /**
   * The relay's name, 1 to 100 characters from [A-Za-z0-9._-]; its checkpoint is
   * subscribers/NAME.position in the store directory.
   */
  private String name = KafkaRelay.DEFAULT_NAME;

  /**
   * The store id in every record's datawal.store header, naming whose txids they are; unset uses
   * spring.application.name, else "datawal".
   */
  private @Nullable String storeId;

  /** The longest time between two checkpoint writes while Kafka acknowledges records. */
  private Duration checkpointInterval = KafkaRelay.DEFAULT_CHECKPOINT_INTERVAL;

  /**
   * How long a record may wait for Kafka's acknowledgement before the relay's health is
   * OUT_OF_SERVICE; also the timeout of a broker check.
   */
  private Duration ackTimeout = KafkaRelay.DEFAULT_ACK_TIMEOUT;

  /** How often to check that the broker answers while there is nothing to send. */
  private Duration probeInterval = KafkaRelay.DEFAULT_PROBE_INTERVAL;

  /** How long shutdown waits for records in flight to be acknowledged. */
  private Duration stopTimeout = KafkaRelay.DEFAULT_STOP_TIMEOUT;

  /**
   * Producer settings for the relay only, applied over spring.kafka.producer.* and the relay's
   * defaults; idempotence, acks=all and one request in flight cannot be changed.
   */
  private final Map<String, String> producer = new LinkedHashMap<>();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public @Nullable String getTopic() {
    return topic;
  }

  public void setTopic(@Nullable String topic) {
    this.topic = topic;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public @Nullable String getStoreId() {
    return storeId;
  }

  public void setStoreId(@Nullable String storeId) {
    this.storeId = storeId;
  }

  public Duration getCheckpointInterval() {
    return checkpointInterval;
  }

  public void setCheckpointInterval(Duration checkpointInterval) {
    this.checkpointInterval = checkpointInterval;
  }

  public Duration getAckTimeout() {
    return ackTimeout;
  }

  public void setAckTimeout(Duration ackTimeout) {
    this.ackTimeout = ackTimeout;
  }

  public Duration getProbeInterval() {
    return probeInterval;
  }

  public void setProbeInterval(Duration probeInterval) {
    this.probeInterval = probeInterval;
  }

  public Duration getStopTimeout() {
    return stopTimeout;
  }

  public void setStopTimeout(Duration stopTimeout) {
    this.stopTimeout = stopTimeout;
  }

  public Map<String, String> getProducer() {
    return producer;
  }
}
