package dev.datawal.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.autoconfigure.actuate.endpoint.DatawalEndpointAutoConfiguration;
import dev.datawal.autoconfigure.health.DatawalHealthContributorAutoConfiguration;
import dev.datawal.autoconfigure.metrics.DatawalMetricsAutoConfiguration;
import dev.datawal.spring.metrics.DatawalMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Each optional integration needs only its own library: an application that lacks one still gets
 * the store and every integration it has the library for.
 */
class OptionalLibrariesTests {
  private static final String ACTUATOR_ENDPOINTS = "org.springframework.boot.actuate.endpoint";

  @TempDir Path tmp;

  /**
   * Metrics and health run where Actuator's endpoint classes are missing. Boot's {@code
   * FilteredClassLoader} cannot show this (the classes it loads are linked by the application class
   * loader, which has the endpoint classes), so the application runs in an {@link
   * IsolatingClassLoader} that links datawal's classes without them.
   */
  @Test
  void metricsAndHealthLinkWithoutActuatorEndpointClasses() throws Exception {
    ClassLoader loader = new IsolatingClassLoader(ACTUATOR_ENDPOINTS);
    Constructor<?> application =
        loader.loadClass(WithoutEndpointClasses.class.getName()).getDeclaredConstructor();
    application.setAccessible(true);
    @SuppressWarnings("unchecked")
    Consumer<Path> run = (Consumer<Path>) application.newInstance();
    run.accept(tmp);
  }

  /** An application with a meter registry and every datawal auto-configuration. */
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration({
    DatawalAutoConfiguration.class,
    DatawalStoreAutoConfiguration.class,
    DatawalEndpointAutoConfiguration.class,
    DatawalHealthContributorAutoConfiguration.class,
    DatawalMetricsAutoConfiguration.class
  })
  static class Application {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  /**
   * Runs {@link Application} in the class loader that loaded this class. The auto-configurations
   * are imported by name, as in an application, so their conditions are read from the class files.
   */
  static final class WithoutEndpointClasses implements Consumer<Path> {
    @Override
    public void accept(Path dir) {
      new ApplicationContextRunner()
          .withClassLoader(getClass().getClassLoader())
          .withUserConfiguration(Application.class)
          .withPropertyValues(
              "datawal.dir=" + dir, "management.endpoints.web.exposure.include=datawal")
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                assertThat(context).doesNotHaveBean("datawalEndpoint");
                assertThat(context).doesNotHaveBean("datawalEndpointWebExtension");
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                context.getBean("datawalMetrics", DatawalMetrics.class).bindTo(registry);
                assertThat(registry.find("datawal.disk.bytes").tag("mode", "kv").gauge())
                    .isNotNull();
                HealthIndicator health =
                    context.getBean("datawalHealthIndicator", HealthIndicator.class);
                assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                assertThat(health.health().getDetails()).containsEntry("mode", "kv");
              });
    }
  }
}
