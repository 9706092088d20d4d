package dev.datawal.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.RecordLog;
import dev.datawal.autoconfigure.actuate.endpoint.DatawalEndpointAutoConfiguration;
import dev.datawal.autoconfigure.health.DatawalHealthContributorAutoConfiguration;
import dev.datawal.autoconfigure.metrics.DatawalMetricsAutoConfiguration;
import dev.datawal.spring.actuate.endpoint.DatawalEndpoint;
import dev.datawal.spring.actuate.endpoint.DatawalEndpointWebExtension;
import dev.datawal.spring.health.DatawalHealthIndicator;
import dev.datawal.spring.metrics.DatawalMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * When the endpoint, health indicator and metrics configurations apply: only with their libraries,
 * a store, and (endpoint) availability or (health) the indicator enabled.
 */
class DatawalActuatorAutoConfigurationTests {
  @TempDir Path tmp;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DatawalAutoConfiguration.class,
                DatawalStoreAutoConfiguration.class,
                DatawalEndpointAutoConfiguration.class,
                DatawalHealthContributorAutoConfiguration.class,
                DatawalMetricsAutoConfiguration.class))
        .withPropertyValues("datawal.dir=" + tmp);
  }

  @Configuration(proxyBeanMethods = false)
  static class Registry {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @Test
  void endpointAndWebExtensionWhenExposedOverWeb() {
    runner()
        .withPropertyValues("management.endpoints.web.exposure.include=datawal")
        .run(
            context -> {
              assertThat(context).hasSingleBean(DatawalEndpoint.class);
              assertThat(context).hasSingleBean(DatawalEndpointWebExtension.class);
            });
  }

  @Test
  void writesToAReadOnlyStoreAnswer409OverHttp() throws Exception {
    try (RecordLog log = RecordLog.open(tmp)) {
      log.append(new byte[] {1});
    }
    runner()
        .withPropertyValues(
            "datawal.read-only=true", "management.endpoints.web.exposure.include=datawal")
        .run(
            context -> {
              WebEndpointResponse<Object> response =
                  context.getBean(DatawalEndpointWebExtension.class).run("compact");
              assertThat(response.getStatus()).isEqualTo(409);
              assertThat(response.getBody().toString()).contains("read-only");
              assertThat(context.getBean(DatawalEndpoint.class).datawal().nextTxid()).isEqualTo(2);
            });
  }

  @Test
  void verifyOnAReadOnlyStoreAnswers409OverHttp() throws Exception {
    try (RecordLog log = RecordLog.open(tmp)) {
      log.append(new byte[] {1});
    }
    runner()
        .withPropertyValues(
            "datawal.read-only=true", "management.endpoints.web.exposure.include=datawal")
        .run(
            context -> {
              WebEndpointResponse<Object> response =
                  context.getBean(DatawalEndpointWebExtension.class).run("verify");
              assertThat(response.getStatus()).isEqualTo(409);
              assertThat(response.getBody().toString())
                  .contains("read-only")
                  .contains("datawal verify " + tmp);
            });
  }

  @Test
  void noEndpointWhenNotExposed() {
    runner()
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(DatawalEndpoint.class);
              assertThat(context).doesNotHaveBean(DatawalEndpointWebExtension.class);
            });
  }

  @Test
  void noEndpointWhenAccessIsNone() {
    runner()
        .withPropertyValues(
            "management.endpoints.web.exposure.include=datawal",
            "management.endpoint.datawal.access=NONE")
        .run(context -> assertThat(context).doesNotHaveBean(DatawalEndpoint.class));
  }

  @Test
  void noWebExtensionWhenExposedOnlyOverJmx() {
    runner()
        .withPropertyValues(
            "spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=datawal")
        .run(
            context -> {
              assertThat(context).hasSingleBean(DatawalEndpoint.class);
              assertThat(context).doesNotHaveBean(DatawalEndpointWebExtension.class);
            });
  }

  @Test
  void noEndpointWithoutActuator() {
    runner()
        .withClassLoader(new FilteredClassLoader(Endpoint.class))
        .withPropertyValues("management.endpoints.web.exposure.include=datawal")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(dev.datawal.spring.DatawalStore.class);
              assertThat(context).doesNotHaveBean(DatawalEndpoint.class);
            });
  }

  @Test
  void nothingWithoutAStore() {
    runner()
        .withUserConfiguration(Registry.class)
        .withPropertyValues(
            "datawal.enabled=false", "management.endpoints.web.exposure.include=datawal")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(DatawalEndpoint.class);
              assertThat(context).doesNotHaveBean(DatawalHealthIndicator.class);
              assertThat(context).doesNotHaveBean(DatawalMetrics.class);
            });
  }

  @Test
  void healthIndicatorByDefault() {
    runner()
        .run(
            context -> {
              assertThat(context).hasSingleBean(DatawalHealthIndicator.class);
              assertThat(context).hasBean("datawalHealthIndicator");
            });
  }

  @Test
  void healthIndicatorOffWhenDisabled() {
    runner()
        .withPropertyValues("management.health.datawal.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(DatawalHealthIndicator.class));
  }

  @Test
  void healthIndicatorOffWhenHealthDefaultsAreOff() {
    runner()
        .withPropertyValues("management.health.defaults.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(DatawalHealthIndicator.class));
  }

  @Test
  void noHealthIndicatorWithoutHealthSupport() {
    runner()
        .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(DatawalHealthIndicator.class);
            });
  }

  @Test
  void healthIndicatorUsesTheThresholdProperty() {
    runner()
        .withPropertyValues("datawal.health.free-space-threshold=1TB")
        .run(
            context ->
                assertThat(context.getBean(DatawalHealthIndicator.class).health().getDetails())
                    .containsEntry("threshold", 1024L * 1024 * 1024 * 1024));
  }

  @Test
  void metricsWithAMeterRegistry() {
    runner()
        .withUserConfiguration(Registry.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(DatawalMetrics.class);
              // Boot's MeterRegistryPostProcessor is not here: bind as it would.
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              context.getBean(DatawalMetrics.class).bindTo(registry);
              assertThat(registry.find("datawal.disk.bytes").tag("mode", "kv").gauge()).isNotNull();
            });
  }

  @Test
  void noMetricsWithoutAMeterRegistry() {
    runner().run(context -> assertThat(context).doesNotHaveBean(DatawalMetrics.class));
  }

  @Test
  void noMetricsWithoutMicrometer() {
    runner()
        .withUserConfiguration(Registry.class)
        .withClassLoader(new FilteredClassLoader("io.micrometer.core.instrument.binder"))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(DatawalMetrics.class);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnMetrics {
    @Bean
    DatawalMetrics myMetrics(dev.datawal.spring.DatawalStore store) {
      return new DatawalMetrics(store, io.micrometer.core.instrument.Tags.of("app", "mine"));
    }
  }

  @Test
  void theApplicationsOwnMetricsBeanWins() {
    runner()
        .withUserConfiguration(Registry.class, OwnMetrics.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(DatawalMetrics.class);
              assertThat(context).hasBean("myMetrics");
            });
  }
}
