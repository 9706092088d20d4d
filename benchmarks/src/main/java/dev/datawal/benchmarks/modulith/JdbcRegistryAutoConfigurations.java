package dev.datawal.benchmarks.modulith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;

/**
 * Imports the auto-configurations of Modulith's JDBC registry listed in {@code
 * META-INF/spring/dev.datawal.benchmarks.modulith.JdbcRegistryAutoConfigurations.imports}: Boot's
 * DataSource (Hikari), JdbcTemplate and DataSourceTransactionManager, Modulith's JDBC repository,
 * Boot's {@code JsonMapper}, Modulith's Jackson serializer and its registry. Listed by name in a
 * file, as Boot's test slices list theirs, because Modulith's {@code
 * JdbcEventPublicationAutoConfiguration} (the only way to get its repository) and {@code
 * JacksonEventSerializationConfiguration} are package-private.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ImportAutoConfiguration
@interface JdbcRegistryAutoConfigurations {}
