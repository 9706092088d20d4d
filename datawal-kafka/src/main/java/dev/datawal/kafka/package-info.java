/**
 * Relays a datawal log to Apache Kafka: {@link dev.datawal.kafka.KafkaRelay} publishes every
 * durable record to a topic, at least once and in order, from a durable checkpoint; {@link
 * dev.datawal.kafka.RelayHeaders} is the header contract consumers read.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.kafka;

import org.jspecify.annotations.NullMarked;
