package dev.datawal.benchmarks.modulith;

import org.springframework.context.annotation.Configuration;

/**
 * Modulith's JDBC registry ({@code JdbcEventPublicationRepositoryV2}, Modulith 2.0's default
 * schema, created at startup with {@code
 * spring.modulith.events.jdbc.schema-initialization.enabled}) on the DataSource {@code
 * spring.datasource.*} describes, with Boot's {@code DataSourceTransactionManager}.
 */
@Configuration(proxyBeanMethods = false)
@JdbcRegistryAutoConfigurations
class JdbcRegistryConfiguration {}
