/**
 * Micrometer metrics of the store ({@link dev.datawal.spring.metrics.DatawalMetrics}). Needs
 * Micrometer only, not Actuator. Auto-configured by {@code
 * dev.datawal.autoconfigure.metrics.DatawalMetricsAutoConfiguration}.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.spring.metrics;

import org.jspecify.annotations.NullMarked;
