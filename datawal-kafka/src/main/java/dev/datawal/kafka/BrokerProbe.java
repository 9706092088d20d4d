package dev.datawal.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.jspecify.annotations.Nullable;

/**
 * Asks the Kafka cluster whether it answers, for a relay with nothing to send (with records in
 * flight, acknowledgements tell). One admin client, created at the first check with the producer's
 * connection settings, closed with the probe.
 *
 * <p>Not thread-safe: used by the relay thread only.
 */
final class BrokerProbe implements AutoCloseable {
  private final Map<String, Object> configs;
  private @Nullable Admin admin; // created at the first check

  BrokerProbe(Map<String, Object> producerConfigs) {
    this.configs = adminConfigs(producerConfigs);
  }

  /**
   * The producer's settings an admin client also understands (and unknown ones, such as Boot's).
   */
  static Map<String, Object> adminConfigs(Map<String, Object> producerConfigs) {
    Set<String> admin = AdminClientConfig.configNames();
    Set<String> producer = ProducerConfig.configNames();
    Map<String, Object> configs = new HashMap<>();
    producerConfigs.forEach(
        (key, value) -> {
          if (admin.contains(key) || !producer.contains(key)) {
            configs.put(key, value);
          }
        });
    Object clientId = producerConfigs.get(ProducerConfig.CLIENT_ID_CONFIG);
    if (clientId != null) {
      configs.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-probe");
    }
    return configs;
  }

  /**
   * Returns when the cluster answered within {@code timeout}.
   *
   * @throws Exception why it did not
   */
  void check(Duration timeout) throws Exception {
    if (admin == null) {
      admin = Admin.create(configs);
    }
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    admin
        .describeCluster(new DescribeClusterOptions().timeoutMs(millis))
        .nodes()
        .get(millis + 1000L, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(1));
      admin = null;
    }
  }
}
