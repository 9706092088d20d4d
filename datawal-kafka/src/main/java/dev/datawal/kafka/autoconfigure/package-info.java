/**
 * Spring Boot auto-configuration of the Kafka relay, laid out as Boot's own modules are: this
 * package and the packages below it hold only {@code @AutoConfiguration} classes and the {@link
 * dev.datawal.kafka.autoconfigure.KafkaRelayProperties} they bind ({@code datawal.kafka.relay.*});
 * the types an application uses at run time live in {@code dev.datawal.kafka} and below, which
 * never depends on this package.
 *
 * <ul>
 *   <li>{@code dev.datawal.kafka.autoconfigure}: the {@link dev.datawal.kafka.KafkaRelay} bean
 *       ({@link dev.datawal.kafka.autoconfigure.KafkaRelayAutoConfiguration});
 *   <li>{@code dev.datawal.kafka.autoconfigure.health}: its health indicator, of {@code
 *       dev.datawal.kafka.health}, when Boot's health support is on the classpath;
 *   <li>{@code dev.datawal.kafka.autoconfigure.metrics}: its metrics, of {@code
 *       dev.datawal.kafka.metrics}, when Micrometer is on the classpath.
 * </ul>
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.kafka.autoconfigure;

import org.jspecify.annotations.NullMarked;
