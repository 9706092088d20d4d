/**
 * Auto-configuration of the {@code datawal} health indicator ({@link
 * dev.datawal.spring.health.DatawalHealthIndicator}), guarded on Spring Boot's health support
 * ({@code spring-boot-health}) alone: it needs no Actuator endpoint classes.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
