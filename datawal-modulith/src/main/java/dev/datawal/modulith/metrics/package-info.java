/**
 * Micrometer metrics of the datawal event publication registry.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.modulith.metrics;

import org.jspecify.annotations.NullMarked;
