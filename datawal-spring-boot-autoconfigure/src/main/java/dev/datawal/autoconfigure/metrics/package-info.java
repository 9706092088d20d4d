/**
 * Auto-configuration of the store's Micrometer metrics ({@link
 * dev.datawal.spring.metrics.DatawalMetrics}), guarded on Micrometer alone: they need no Actuator
 * classes.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
