package dev.datawal.benchmarks.modulith;

import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * Registered beside {@link JdbcRegistryConfiguration} for {@code h2-file-sync}: a transaction
 * manager that forces H2's file after every commit, so Boot's own backs off. A class of its own,
 * not nested in {@link JdbcRegistryConfiguration}: Spring registers a configuration's nested
 * configuration classes with it, which would make every H2 registry sync.
 */
@Configuration(proxyBeanMethods = false)
class CheckpointSyncConfiguration {
  @Bean
  JdbcTransactionManager transactionManager(DataSource dataSource) {
    return new CheckpointSyncTransactionManager(dataSource);
  }
}
