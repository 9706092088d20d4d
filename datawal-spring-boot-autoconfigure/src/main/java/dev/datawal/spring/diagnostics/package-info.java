/**
 * Failure analyzers that explain a store the application could not open at startup (locked by
 * another writer, damaged, or another failure) and what to do about it. Registered with Spring Boot
 * in {@code META-INF/spring.factories}.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.spring.diagnostics;

import org.jspecify.annotations.NullMarked;
