package dev.datawal.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The relay producer's configuration, in layers: the application's common client settings
 * (bootstrap servers, security), then the relay's defaults, then the relay's own overrides, then
 * the settings the delivery guarantee rests on, which nothing may change.
 */
final class ProducerSettings {
  /**
   * Defaults that replace the application's common settings but may be overridden for the relay:
   * never give up on a record (a broker outage only delays it, in order), and do not wait long for
   * metadata when the broker is unreachable (the relay starts over after a pause instead).
   */
  static Map<String, Object> defaults(String relayName) {
    return Map.of(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
        Integer.MAX_VALUE,
        ProducerConfig.MAX_BLOCK_MS_CONFIG,
        10_000,
        ProducerConfig.LINGER_MS_CONFIG,
        5,
        ProducerConfig.CLIENT_ID_CONFIG,
        "datawal-" + relayName);
  }

  /**
   * What the delivery guarantee rests on: an idempotent producer whose records are on every in-sync
   * replica before they count, with one request in flight per connection, so that after a failure a
   * partition holds a gap-free prefix of what was sent to it (see {@code RelayLoop}).
   */
  static final Map<String, Object> REQUIRED =
      Map.of(
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
          ProducerConfig.ACKS_CONFIG, "all",
          ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1",
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

  private ProducerSettings() {}

  /**
   * The configuration of the relay's producer.
   *
   * @throws IllegalArgumentException if {@code overrides} changes a required setting
   */
  static Map<String, Object> assemble(
      Map<String, ?> common, Map<String, ?> overrides, String relayName) {
    for (Map.Entry<String, ?> override : overrides.entrySet()) {
      Object required = REQUIRED.get(override.getKey());
      if (required != null && !sameSetting(override.getKey(), required, override.getValue())) {
        throw new IllegalArgumentException(
            "datawal: the Kafka relay needs "
                + override.getKey()
                + "="
                + required
                + " for its delivery guarantee, was "
                + override.getValue());
      }
    }
    Map<String, Object> configs = new HashMap<>(common);
    configs.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG); // idempotent, not transactional
    configs.putAll(defaults(relayName));
    configs.putAll(overrides);
    configs.putAll(REQUIRED);
    return configs;
  }

  private static boolean sameSetting(String key, Object required, Object given) {
    String value = String.valueOf(given).trim();
    if (given instanceof Class<?> type) {
      value = type.getName();
    }
    if (key.equals(ProducerConfig.ACKS_CONFIG) && value.equals("-1")) {
      return true; // -1 is all
    }
    return Objects.equals(String.valueOf(required), value);
  }
}
