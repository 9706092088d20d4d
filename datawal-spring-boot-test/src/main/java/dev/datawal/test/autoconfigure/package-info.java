/**
 * Test support for applications that use datawal, laid out as Spring Boot's own test
 * auto-configuration: {@link dev.datawal.test.autoconfigure.AutoConfigureDatawal} gives every
 * application context of a test its own fresh, temporary store directory, deleted when the context
 * closes; {@link dev.datawal.test.autoconfigure.DatawalTest} is a test slice with only the store,
 * its typed (Jackson) access and nothing else of the application.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.test.autoconfigure;

import org.jspecify.annotations.NullMarked;
