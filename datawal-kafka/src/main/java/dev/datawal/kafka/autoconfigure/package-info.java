/**
 * Spring Boot auto-configuration of the Kafka relay: the {@link dev.datawal.kafka.KafkaRelay} bean,
 * its health indicator and its metrics.
 */
package dev.datawal.kafka.autoconfigure;
