/**
 * Spring Boot auto-configuration of the Kafka relay: the {@link dev.datawal.kafka.KafkaRelay} bean,
 * its health indicator and its metrics.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.kafka.autoconfigure;

import org.jspecify.annotations.NullMarked;
