/**
 * Auto-configuration of the {@code datawal} Actuator endpoint ({@link
 * dev.datawal.spring.actuate.endpoint.DatawalEndpoint}) and its web extension, guarded on
 * Actuator's endpoint classes.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.autoconfigure.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
