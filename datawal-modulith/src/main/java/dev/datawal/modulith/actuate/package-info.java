/**
 * The {@code datawalpublications} Actuator endpoint of the datawal event publication registry.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.modulith.actuate;

import org.jspecify.annotations.NullMarked;
