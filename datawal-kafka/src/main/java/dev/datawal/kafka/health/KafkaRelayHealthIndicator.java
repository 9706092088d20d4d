package dev.datawal.kafka.health;

import dev.datawal.kafka.KafkaRelay;
import dev.datawal.kafka.RelayStatus;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code datawalKafkaRelay} health indicator: UP while the relay publishes (or has nothing to
 * publish); OUT_OF_SERVICE while Kafka does not take its records (broker unreachable, no
 * acknowledgement within the ack timeout, a record refused) or the relay is stopped, with the
 * reason in the {@code problem} detail. It never reports DOWN for a broker outage: the store itself
 * is fine, and its own {@code datawal} indicator says so. Details: state, topic, checkpoint, lag in
 * records and bytes, records published, failures.
 *
 * <p>Thread-safe.
 */
public final class KafkaRelayHealthIndicator extends AbstractHealthIndicator {
  private final KafkaRelay relay;

  /**
   * An indicator for {@code relay}.
   *
   * @param relay the relay
   */
  public KafkaRelayHealthIndicator(KafkaRelay relay) {
    super("datawal Kafka relay health check failed");
    this.relay = Objects.requireNonNull(relay, "relay");
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    RelayStatus status = relay.status();
    builder
        .withDetail("state", status.state().name())
        .withDetail("relay", status.name())
        .withDetail("topic", status.topic())
        .withDetail("checkpoint", status.checkpoint())
        .withDetail("confirmedTxid", status.confirmedTxid())
        .withDetail("lagRecords", status.lagRecords())
        .withDetail("lagBytes", status.lagBytes())
        .withDetail("published", status.published())
        .withDetail("failures", status.failures());
    status.problem().ifPresent(problem -> builder.withDetail("problem", problem));
    if (status.state() == RelayStatus.State.RELAYING) {
      builder.up();
    } else {
      builder.outOfService();
    }
  }
}
