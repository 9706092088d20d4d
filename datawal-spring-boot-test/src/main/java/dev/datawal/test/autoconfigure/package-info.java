/**
 * Test support for applications that use datawal, laid out as Spring Boot's own test
 * auto-configuration: {@link dev.datawal.test.autoconfigure.AutoConfigureDatawal} gives every
 * application context of a test its own fresh, temporary store directory, deleted when the context
 * closes.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.test.autoconfigure;

import org.jspecify.annotations.NullMarked;
