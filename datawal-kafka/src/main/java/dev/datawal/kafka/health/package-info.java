/**
 * The Kafka relay's health indicator ({@link dev.datawal.kafka.health.KafkaRelayHealthIndicator}).
 * Needs Spring Boot's health support only, not Actuator's endpoint classes. Auto-configured by
 * {@code dev.datawal.kafka.autoconfigure.health.KafkaRelayHealthContributorAutoConfiguration}.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.kafka.health;

import org.jspecify.annotations.NullMarked;
