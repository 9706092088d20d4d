/**
 * Spring Modulith's event publication registry stored in a datawal store: {@link
 * dev.datawal.modulith.DatawalEventPublicationRepository} keeps the registry's publications as
 * entries of the application's {@link dev.datawal.DataWal}, committed with the application's own
 * datawal writes.
 *
 * <p>This package and the packages below it are the runtime, each integration beside what it serves
 * and needing only its own library: {@code dev.datawal.modulith.actuate} holds the Actuator
 * endpoint, {@code dev.datawal.modulith.health} the health indicator (Boot's health support),
 * {@code dev.datawal.modulith.metrics} the Micrometer metrics. None of them depends on the
 * auto-configuration in {@code dev.datawal.modulith.autoconfigure}.
 *
 * <p>Null-marked: a type without {@code @Nullable} never holds null.
 */
@NullMarked
package dev.datawal.modulith;

import org.jspecify.annotations.NullMarked;
