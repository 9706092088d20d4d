/**
 * The application's datawal store as Spring sees it: {@link dev.datawal.spring.DatawalStore}, the
 * view of whichever store bean there is, its background {@link
 * dev.datawal.spring.DatawalMaintenance}, the {@link dev.datawal.spring.RetentionFloor} readers
 * that hold retention back, and the {@link dev.datawal.spring.SubscriberPositions} of named
 * subscribers.
 *
 * <p>This package and the packages below it are the runtime: the types an application uses, each
 * beside what it serves, as in Spring Boot's own modules. None of them depends on the
 * auto-configuration in {@code dev.datawal.autoconfigure}, and each integration needs only its own
 * library:
 *
 * <ul>
 *   <li>{@code dev.datawal.spring.json}: typed access with Jackson 3 ({@code JsonEventLog} with its
 *       subscriptions, {@code JsonKeyValueStore});
 *   <li>{@code dev.datawal.spring.actuate.endpoint}: the {@code datawal} Actuator endpoint;
 *   <li>{@code dev.datawal.spring.health}: the {@code datawal} health indicator (Boot's health
 *       support, no Actuator endpoint classes);
 *   <li>{@code dev.datawal.spring.metrics}: Micrometer metrics (no Actuator classes);
 *   <li>{@code dev.datawal.spring.diagnostics}: the failure analyzers that explain a store that
 *       cannot be opened.
 * </ul>
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.spring;

import org.jspecify.annotations.NullMarked;
