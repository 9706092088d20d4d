/**
 * Micrometer metrics of the Kafka relay ({@link dev.datawal.kafka.metrics.KafkaRelayMetrics}).
 * Needs Micrometer only, not Actuator. Auto-configured by {@code
 * dev.datawal.kafka.autoconfigure.metrics.KafkaRelayMetricsAutoConfiguration}.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.kafka.metrics;

import org.jspecify.annotations.NullMarked;
