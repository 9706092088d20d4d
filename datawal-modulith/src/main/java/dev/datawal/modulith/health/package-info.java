/**
 * The {@code datawalPublications} health indicator of the datawal event publication registry
 * (Spring Boot's health support).
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.modulith.health;

import org.jspecify.annotations.NullMarked;
