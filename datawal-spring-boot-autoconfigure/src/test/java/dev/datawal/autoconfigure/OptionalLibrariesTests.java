package dev.datawal.autoconfigure;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import dev.datawal.autoconfigure.actuate.endpoint.DatawalEndpointAutoConfiguration;
import dev.datawal.autoconfigure.health.DatawalHealthContributorAutoConfiguration;
import dev.datawal.autoconfigure.metrics.DatawalMetricsAutoConfiguration;
import dev.datawal.spring.DatawalStore;
import dev.datawal.spring.actuate.endpoint.DatawalEndpoint;
import dev.datawal.spring.health.DatawalHealthIndicator;
import dev.datawal.spring.metrics.DatawalMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Each optional integration needs only its own library: an application that lacks Actuator's
 * endpoint classes, Boot's health support, both, or Micrometer still gets a working store and every
 * integration it has the library for, and no bean of one it lacks.
 */
class OptionalLibrariesTests {
  private static final String ACTUATOR = "org.springframework.boot.actuate";
  private static final String ACTUATOR_ENDPOINTS = "org.springframework.boot.actuate.endpoint";
  private static final String HEALTH = "org.springframework.boot.health";
  private static final String MICROMETER = "io.micrometer";

  @TempDir Path tmp;

  private ApplicationContextRunner runnerWithout(String... hiddenPackages) {
    return StarterContexts.runner(tmp)
        .withClassLoader(new FilteredClassLoader(hiddenPackages))
        .withConfiguration(
            AutoConfigurations.of(
                DatawalEndpointAutoConfiguration.class,
                DatawalHealthContributorAutoConfiguration.class,
                DatawalMetricsAutoConfiguration.class))
        .withPropertyValues("management.endpoints.web.exposure.include=datawal");
  }

  /** {@link #runnerWithout} for an application that has Micrometer's meter registry. */
  private ApplicationContextRunner runnerWithARegistryWithout(String... hiddenPackages) {
    return runnerWithout(hiddenPackages)
        .withUserConfiguration(DatawalActuatorAutoConfigurationTests.Registry.class);
  }

  @Test
  void withoutActuatorEndpointClassesTheStoreHealthAndMetricsWork() {
    runnerWithARegistryWithout(ACTUATOR_ENDPOINTS)
        .run(
            context -> {
              assertTheStoreAndItsMetricsWork(context);
              assertThat(beansIn(context, DatawalEndpoint.class.getPackageName())).isEmpty();
              assertThat(context.getBean(DatawalHealthIndicator.class).health().getStatus())
                  .isEqualTo(Status.UP);
            });
  }

  @Test
  void withoutHealthClassesTheStoreEndpointAndMetricsWork() {
    runnerWithARegistryWithout(HEALTH)
        .run(
            context -> {
              assertTheStoreAndItsMetricsWork(context);
              assertThat(beansIn(context, DatawalHealthIndicator.class.getPackageName())).isEmpty();
              assertThat(context).doesNotHaveBean("datawalHealthIndicator");
              assertThat(context.getBean(DatawalEndpoint.class).datawal().mode()).isEqualTo("kv");
            });
  }

  @Test
  void withoutActuatorOrHealthOnlyTheStoreAndItsMetricsAreThere() {
    runnerWithARegistryWithout(ACTUATOR, HEALTH)
        .run(
            context -> {
              assertTheStoreAndItsMetricsWork(context);
              assertThat(beansIn(context, "dev.datawal.spring.actuate")).isEmpty();
              assertThat(beansIn(context, DatawalHealthIndicator.class.getPackageName())).isEmpty();
            });
  }

  @Test
  void withoutMicrometerTheStoreEndpointAndHealthWork() {
    runnerWithout(MICROMETER)
        .run(
            context -> {
              assertTheStoreWorks(context);
              assertThat(beansIn(context, DatawalMetrics.class.getPackageName())).isEmpty();
              assertThat(context).doesNotHaveBean("datawalMetrics");
              assertThat(context.getBean(DatawalEndpoint.class).datawal().nextTxid()).isEqualTo(2);
              assertThat(context.getBean(DatawalHealthIndicator.class).health().getStatus())
                  .isEqualTo(Status.UP);
            });
  }

  /** The context started, and a write to the store reads back. */
  private static void assertTheStoreWorks(AssertableApplicationContext context) {
    assertThat(context).hasNotFailed();
    assertThat(context).hasSingleBean(DatawalStore.class);
    DataWal wal = context.getBean(DataWal.class);
    wal.put("k".getBytes(UTF_8), "v".getBytes(UTF_8));
    assertThat(wal.get("k".getBytes(UTF_8))).hasValue("v".getBytes(UTF_8));
  }

  /** {@link #assertTheStoreWorks}, and the metrics bound to the registry count the write. */
  private static void assertTheStoreAndItsMetricsWork(AssertableApplicationContext context) {
    assertThat(context).hasNotFailed();
    MeterRegistry registry = context.getBean(MeterRegistry.class);
    context.getBean(DatawalMetrics.class).bindTo(registry); // as Boot's MeterRegistryPostProcessor
    assertTheStoreWorks(context);
    assertThat(registry.get("datawal.appends").tag("mode", "kv").counter().count()).isEqualTo(1);
    assertThat(registry.get("datawal.disk.bytes").gauge().value()).isPositive();
  }

  /** The names of the beans whose class is in {@code pkg} or below it. */
  private static List<String> beansIn(ApplicationContext context, String pkg) {
    return Arrays.stream(context.getBeanDefinitionNames())
        .filter(
            name -> {
              Class<?> type = context.getType(name);
              return type != null && (type.getPackageName() + ".").startsWith(pkg + ".");
            })
        .toList();
  }

  /**
   * Metrics and health run where Actuator's endpoint classes are missing. Boot's {@link
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
  @Import(DatawalActuatorAutoConfigurationTests.Registry.class)
  static class Application {}

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
