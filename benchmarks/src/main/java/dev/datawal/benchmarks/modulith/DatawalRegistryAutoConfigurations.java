package dev.datawal.benchmarks.modulith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;

/**
 * Imports the auto-configurations of the datawal registry listed in {@code
 * META-INF/spring/dev.datawal.benchmarks.modulith.DatawalRegistryAutoConfigurations.imports}.
 * Listed by name in a file, as Boot's test slices list theirs, because Modulith's {@code
 * JacksonEventSerializationConfiguration} is package-private.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ImportAutoConfiguration
@interface DatawalRegistryAutoConfigurations {}
