/**
 * The {@code datawal} health indicator ({@link dev.datawal.spring.health.DatawalHealthIndicator}).
 * Needs Spring Boot's health support only, not Actuator's endpoint classes. Auto-configured by
 * {@code dev.datawal.autoconfigure.health.DatawalHealthContributorAutoConfiguration}.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.spring.health;

import org.jspecify.annotations.NullMarked;
