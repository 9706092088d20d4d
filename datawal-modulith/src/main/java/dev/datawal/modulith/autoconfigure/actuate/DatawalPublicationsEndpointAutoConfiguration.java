package dev.datawal.modulith.autoconfigure.actuate;

import dev.datawal.modulith.DatawalEventPublicationRepository;
import dev.datawal.modulith.actuate.DatawalPublicationsEndpoint;
import dev.datawal.modulith.autoconfigure.DatawalModulithAutoConfiguration;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code datawalpublications} Actuator endpoint ({@link DatawalPublicationsEndpoint}), when
 * Actuator is on the classpath and the endpoint is available (accessible and exposed, see {@code
 * management.endpoint.datawalpublications.access} and {@code
 * management.endpoints.web.exposure.include}).
 */
@AutoConfiguration(after = DatawalModulithAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(DatawalEventPublicationRepository.class)
public final class DatawalPublicationsEndpointAutoConfiguration {
  /** Created by Spring Boot's auto-configuration; an application never needs to. */
  public DatawalPublicationsEndpointAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint
  DatawalPublicationsEndpoint datawalPublicationsEndpoint(
      DatawalEventPublicationRepository repository, ObjectProvider<Clock> clock) {
    return new DatawalPublicationsEndpoint(repository, clock.getIfAvailable(Clock::systemUTC));
  }
}
