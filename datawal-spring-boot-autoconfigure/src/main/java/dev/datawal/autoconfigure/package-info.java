/**
 * Spring Boot auto-configuration for datawal, laid out as Boot's own modules are: this package and
 * the packages below it hold only {@code @AutoConfiguration} classes, the {@link
 * dev.datawal.autoconfigure.DatawalProperties} they bind ({@code datawal.*}) and their
 * package-private helpers; every type an application uses at run time lives in {@code
 * dev.datawal.spring} and below, which never depends on this package.
 *
 * <ul>
 *   <li>{@code dev.datawal.autoconfigure}: the store ({@link
 *       dev.datawal.autoconfigure.DatawalAutoConfiguration}) and its {@link
 *       dev.datawal.spring.DatawalStore} view and background maintenance ({@link
 *       dev.datawal.autoconfigure.DatawalStoreAutoConfiguration});
 *   <li>{@code dev.datawal.autoconfigure.json}: the Jackson facades of {@code
 *       dev.datawal.spring.json}, when Jackson 3 is on the classpath;
 *   <li>{@code dev.datawal.autoconfigure.actuate.endpoint}: the {@code datawal} endpoint of {@code
 *       dev.datawal.spring.actuate.endpoint}, when Actuator is on the classpath;
 *   <li>{@code dev.datawal.autoconfigure.health}: the health indicator of {@code
 *       dev.datawal.spring.health}, when Boot's health support is on the classpath;
 *   <li>{@code dev.datawal.autoconfigure.metrics}: the metrics of {@code
 *       dev.datawal.spring.metrics}, when Micrometer is on the classpath.
 * </ul>
 *
 * <p>The failure analyzers of {@code dev.datawal.spring.diagnostics} are registered in {@code
 * META-INF/spring.factories}, the hints of a native image ({@code DatawalRuntimeHints}) in {@code
 * META-INF/spring/aot.factories}.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.autoconfigure;

import org.jspecify.annotations.NullMarked;
