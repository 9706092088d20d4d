package dev.datawal.autoconfigure.transaction;

import dev.datawal.DataWal;
import dev.datawal.autoconfigure.DatawalAutoConfiguration;
import dev.datawal.spring.transaction.DatawalTemplate;
import dev.datawal.spring.transaction.DatawalTransactionManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizers;
import org.springframework.context.annotation.Bean;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionManager;

/**
 * A {@link DatawalTemplate} on the application's {@link DataWal}, and a {@link
 * DatawalTransactionManager} as the application's transaction manager when it has none: so
 * {@code @Transactional} methods commit their datawal writes as one atomic group.
 *
 * <p>It runs after the JDBC and JPA transaction managers' auto-configuration, and backs off when
 * any {@link TransactionManager} exists: an application with a database keeps its database's
 * transaction manager and declares a {@code DatawalTransactionManager} bean of its own, named in
 * {@code @Transactional("...")}, to use both.
 */
@AutoConfiguration(
    after = DatawalAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
      "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
      "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration"
    },
    beforeName = "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration")
@ConditionalOnClass({
  DataWal.class,
  PlatformTransactionManager.class,
  TransactionManagerCustomizers.class
})
@ConditionalOnBooleanProperty(name = "datawal.enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(DataWal.class)
public final class DatawalTransactionAutoConfiguration {
  /** Created by Spring Boot's auto-configuration; an application never needs to. */
  public DatawalTransactionAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  DatawalTemplate datawalTemplate(DataWal dataWal) {
    return new DatawalTemplate(dataWal);
  }

  @Bean
  @ConditionalOnMissingBean(TransactionManager.class)
  @ConditionalOnBooleanProperty(name = "datawal.transactions.enabled", matchIfMissing = true)
  DatawalTransactionManager transactionManager(
      DataWal dataWal, ObjectProvider<TransactionManagerCustomizers> customizers) {
    DatawalTransactionManager manager = new DatawalTransactionManager(dataWal);
    customizers.ifAvailable(c -> c.customize(manager));
    return manager;
  }
}
