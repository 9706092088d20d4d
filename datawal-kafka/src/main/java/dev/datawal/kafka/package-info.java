/**
 * Relays a datawal log to Apache Kafka: {@link dev.datawal.kafka.KafkaRelay} publishes every
 * durable record to a topic, at least once and in order, from a durable checkpoint; {@link
 * dev.datawal.kafka.RelayHeaders} is the header contract consumers read.
 */
package dev.datawal.kafka;
