/**
 * The {@code datawal} Actuator endpoint ({@link
 * dev.datawal.spring.actuate.endpoint.DatawalEndpoint}) and its web extension: the store's state,
 * recovery report and integrity, and its write operations. Auto-configured by {@code
 * dev.datawal.autoconfigure.actuate.endpoint.DatawalEndpointAutoConfiguration}.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.spring.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
