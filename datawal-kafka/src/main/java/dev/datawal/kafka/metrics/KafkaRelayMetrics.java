package dev.datawal.kafka.metrics;

import dev.datawal.kafka.KafkaRelay;
import dev.datawal.kafka.RelayStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer metrics of a {@link KafkaRelay}, tagged with the relay's {@code relay} name and {@code
 * topic}:
 *
 * <ul>
 *   <li>{@code datawal.kafka.relay.lag.records} (gauge): records written to the log and not yet
 *       acknowledged by Kafka;
 *   <li>{@code datawal.kafka.relay.lag.bytes} (gauge, bytes): bytes of the log after the last
 *       record Kafka acknowledged;
 *   <li>{@code datawal.kafka.relay.checkpoint} (gauge): the txid in the durable checkpoint;
 *   <li>{@code datawal.kafka.relay.published} (counter): records Kafka acknowledged;
 *   <li>{@code datawal.kafka.relay.failures} (counter): times the relay started over from its
 *       checkpoint after a failure;
 *   <li>{@code datawal.kafka.relay.stalled} (gauge, 0 or 1): whether the relay is running and Kafka
 *       does not take its records.
 * </ul>
 *
 * <p>Gauges read NaN when the store is closed. Thread-safe.
 */
public final class KafkaRelayMetrics implements MeterBinder {
  private final KafkaRelay relay;

  /**
   * Metrics of {@code relay}.
   *
   * @param relay the relay
   */
  public KafkaRelayMetrics(KafkaRelay relay) {
    this.relay = Objects.requireNonNull(relay, "relay");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Tags tags = Tags.of("relay", relay.name(), "topic", relay.topic());
    gauge(
        registry,
        tags,
        "lag.records",
        "Records not yet acknowledged by Kafka",
        "records",
        s -> s.lagRecords());
    gauge(
        registry,
        tags,
        "lag.bytes",
        "Log bytes after the last record Kafka acknowledged",
        BaseUnits.BYTES,
        s -> s.lagBytes());
    gauge(
        registry, tags, "checkpoint", "Txid in the durable checkpoint", null, s -> s.checkpoint());
    gauge(
        registry,
        tags,
        "stalled",
        "1 when Kafka does not take the relay's records",
        null,
        s -> s.state() == RelayStatus.State.STALLED ? 1 : 0);
    FunctionCounter.builder("datawal.kafka.relay.published", relay, r -> r.status().published())
        .description("Records Kafka acknowledged")
        .baseUnit("records")
        .tags(tags)
        .register(registry);
    FunctionCounter.builder("datawal.kafka.relay.failures", relay, r -> r.status().failures())
        .description("Times the relay started over from its checkpoint after a failure")
        .tags(tags)
        .register(registry);
  }

  private void gauge(
      MeterRegistry registry,
      Tags tags,
      String name,
      String description,
      @Nullable String unit,
      ToLongFunction<RelayStatus> value) {
    Gauge.builder("datawal.kafka.relay." + name, relay, r -> read(r, value))
        .description(description)
        .baseUnit(unit)
        .tags(tags)
        .register(registry);
  }

  private static double read(KafkaRelay relay, ToLongFunction<RelayStatus> value) {
    try {
      return value.applyAsLong(relay.status());
    } catch (RuntimeException e) {
      return Double.NaN; // the store is closed, or the checkpoint unreadable
    }
  }
}
