/**
 * Relays a datawal log to Apache Kafka: {@link dev.datawal.kafka.KafkaRelay} publishes every
 * durable record to a topic, at least once and in order, from a durable checkpoint; {@link
 * dev.datawal.kafka.RelayHeaders} is the header contract consumers read.
 *
 * <p>This package and the packages below it are the runtime, each integration beside what it serves
 * and needing only its own library: {@code dev.datawal.kafka.health} holds the relay's health
 * indicator (Boot's health support), {@code dev.datawal.kafka.metrics} its Micrometer metrics. None
 * of them depends on the auto-configuration in {@code dev.datawal.kafka.autoconfigure}.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.kafka;

import org.jspecify.annotations.NullMarked;
