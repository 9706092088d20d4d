/**
 * Auto-configuration of the Kafka relay's Micrometer metrics ({@link
 * dev.datawal.kafka.metrics.KafkaRelayMetrics}), guarded on Micrometer alone: they need no Actuator
 * classes.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.kafka.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
