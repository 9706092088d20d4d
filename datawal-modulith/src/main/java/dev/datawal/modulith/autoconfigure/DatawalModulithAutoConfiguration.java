package dev.datawal.modulith.autoconfigure;

import dev.datawal.DataWal;
import dev.datawal.autoconfigure.transaction.DatawalTransactionAutoConfiguration;
import dev.datawal.modulith.DatawalEventPublicationRepository;
import dev.datawal.spring.transaction.DatawalTemplate;
import dev.datawal.spring.transaction.DatawalTransactionManager;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.modulith.events.config.EventPublicationAutoConfiguration;
import org.springframework.modulith.events.config.EventPublicationConfigurationExtension;
import org.springframework.modulith.events.core.EventPublicationRepository;
import org.springframework.modulith.events.core.EventSerializer;
import org.springframework.modulith.events.support.CompletionMode;

/**
 * Spring Modulith's event publication repository on the application's datawal store ({@link
 * DatawalEventPublicationRepository}), so that Modulith's registry (which {@link
 * EventPublicationAutoConfiguration} sets up once a repository exists) stores publications there.
 *
 * <p>It needs the store, its {@link DatawalTemplate} and a {@link DatawalTransactionManager} (the
 * datawal starter registers both when the application has no other transaction manager; an
 * application with a database declares its own {@code DatawalTransactionManager} bean): so
 * {@code @Transactional} code commits publications with its own datawal writes. It runs before
 * Modulith's registry configuration, as Modulith's own stores (JDBC, JPA, MongoDB) do, and backs
 * off when the application defines an {@link EventPublicationRepository} of its own. The completion
 * mode is read as Modulith's JDBC store reads it ({@link CompletionMode#from(Environment)}). {@code
 * datawal.modulith.enabled=false} turns it off.
 */
@AutoConfiguration(
    after = DatawalTransactionAutoConfiguration.class,
    before = EventPublicationAutoConfiguration.class,
    // Modulith's own stores register their repository unconditionally: this one comes first, so
    // that with both on the classpath the application fails on two repositories, never silently
    // keeps its publications in the other store.
    beforeName = {
      "org.springframework.modulith.events.jdbc.JdbcEventPublicationAutoConfiguration",
      "org.springframework.modulith.events.jpa.JpaEventPublicationAutoConfiguration",
      "org.springframework.modulith.events.mongodb.MongoDbEventPublicationAutoConfiguration"
    })
@ConditionalOnClass({EventPublicationRepository.class, DataWal.class, DatawalTemplate.class})
@ConditionalOnBooleanProperty(name = "datawal.modulith.enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(DataWal.class)
@ConditionalOnBean({DatawalTemplate.class, DatawalTransactionManager.class})
@EnableConfigurationProperties(DatawalModulithProperties.class)
public final class DatawalModulithAutoConfiguration
    implements EventPublicationConfigurationExtension {
  /** Created by Spring Boot's auto-configuration; an application never needs to. */
  public DatawalModulithAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean(EventPublicationRepository.class)
  DatawalEventPublicationRepository datawalEventPublicationRepository(
      DatawalTemplate template, EventSerializer serializer, Environment environment) {
    return new DatawalEventPublicationRepository(
        template, serializer, CompletionMode.from(environment));
  }
}
