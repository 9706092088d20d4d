package dev.datawal.autoconfigure.actuate.endpoint;

import dev.datawal.autoconfigure.DatawalStoreAutoConfiguration;
import dev.datawal.spring.DatawalMaintenance;
import dev.datawal.spring.DatawalStore;
import dev.datawal.spring.actuate.endpoint.DatawalEndpoint;
import dev.datawal.spring.actuate.endpoint.DatawalEndpointWebExtension;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code datawal} Actuator endpoint ({@link DatawalEndpoint}), when Actuator is on the
 * classpath and the endpoint is available (accessible and exposed, see {@code
 * management.endpoint.datawal.access} and {@code management.endpoints.web.exposure.include}).
 *
 * <p>Guarded on the classes it needs: Actuator's {@link Endpoint} (spring-boot-actuator, whose
 * classes the endpoint and its web extension are built from) and {@link
 * ConditionalOnAvailableEndpoint} (spring-boot-actuator-autoconfigure).
 */
@AutoConfiguration(after = DatawalStoreAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(DatawalStore.class)
public final class DatawalEndpointAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint
  DatawalEndpoint datawalEndpoint(
      DatawalStore store, ObjectProvider<DatawalMaintenance> maintenance) {
    return new DatawalEndpoint(store, maintenance.getIfAvailable());
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(DatawalEndpoint.class)
  @ConditionalOnAvailableEndpoint(endpoint = DatawalEndpoint.class, exposure = EndpointExposure.WEB)
  DatawalEndpointWebExtension datawalEndpointWebExtension(DatawalEndpoint endpoint) {
    return new DatawalEndpointWebExtension(endpoint);
  }
}
