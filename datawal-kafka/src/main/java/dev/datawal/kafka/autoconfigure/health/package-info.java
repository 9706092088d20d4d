/**
 * Auto-configuration of the Kafka relay's health indicator ({@link
 * dev.datawal.kafka.health.KafkaRelayHealthIndicator}), guarded on Spring Boot's health support
 * ({@code spring-boot-health}) alone: it needs no Actuator endpoint classes.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.kafka.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
