package dev.datawal.modulith;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import dev.datawal.autoconfigure.DatawalAutoConfiguration;
import dev.datawal.autoconfigure.DatawalStoreAutoConfiguration;
import dev.datawal.autoconfigure.transaction.DatawalTransactionAutoConfiguration;
import dev.datawal.modulith.actuate.DatawalPublicationsEndpoint;
import dev.datawal.modulith.autoconfigure.DatawalModulithAutoConfiguration;
import dev.datawal.modulith.autoconfigure.actuate.DatawalPublicationsEndpointAutoConfiguration;
import dev.datawal.modulith.autoconfigure.health.DatawalPublicationsHealthContributorAutoConfiguration;
import dev.datawal.modulith.autoconfigure.metrics.DatawalPublicationsMetricsAutoConfiguration;
import dev.datawal.modulith.health.DatawalPublicationsHealthIndicator;
import dev.datawal.modulith.metrics.DatawalPublicationsMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.modulith.events.config.EventPublicationAutoConfiguration;
import org.springframework.modulith.events.core.EventPublicationRegistry;
import org.springframework.modulith.events.core.EventPublicationRepository;
import org.springframework.modulith.events.core.EventSerializer;
import org.springframework.modulith.events.core.PublicationTargetIdentifier;
import org.springframework.modulith.events.core.TargetEventPublication;
import org.springframework.modulith.events.support.CompletionMode;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;

/**
 * When the repository and its endpoint, health indicator and metrics are configured, and what they
 * report.
 */
class DatawalModulithAutoConfigurationTests {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DatawalAutoConfiguration.class,
                DatawalStoreAutoConfiguration.class,
                DatawalTransactionAutoConfiguration.class,
                TransactionAutoConfiguration.class,
                DatawalModulithAutoConfiguration.class,
                EventPublicationAutoConfiguration.class,
                DatawalPublicationsEndpointAutoConfiguration.class,
                DatawalPublicationsHealthContributorAutoConfiguration.class,
                DatawalPublicationsMetricsAutoConfiguration.class))
        .withUserConfiguration(Serializer.class)
        .withPropertyValues("datawal.dir=" + dir);
  }

  /**
   * Without Modulith's registry configuration, which fails to start without any repository (as with
   * no store at all): for the cases where this one backs off.
   */
  private ApplicationContextRunner runnerWithoutRegistry() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DatawalAutoConfiguration.class,
                DatawalStoreAutoConfiguration.class,
                DatawalTransactionAutoConfiguration.class,
                DatawalModulithAutoConfiguration.class))
        .withUserConfiguration(Serializer.class)
        .withPropertyValues("datawal.dir=" + dir);
  }

  @Configuration(proxyBeanMethods = false)
  static class Serializer {
    @Bean
    EventSerializer eventSerializer() {
      return new JsonEventSerializer();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Meters {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean
    Clock clock() {
      return Clock.fixed(NOW, ZoneOffset.UTC);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnRepository {
    @Bean
    EventPublicationRepository ownRepository() {
      return org.mockito.Mockito.mock(EventPublicationRepository.class);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OtherTransactionManager {
    @Bean
    PlatformTransactionManager otherTransactionManager() {
      return new PlatformTransactionManager() {
        @Override
        public TransactionStatus getTransaction(TransactionDefinition definition) {
          throw new UnsupportedOperationException();
        }

        @Override
        public void commit(TransactionStatus status) {}

        @Override
        public void rollback(TransactionStatus status) {}
      };
    }
  }

  @Test
  void modulithsRegistryStoresItsPublicationsInDatawal() {
    runner()
        .run(
            context -> {
              assertThat(context).hasSingleBean(DatawalEventPublicationRepository.class);
              assertThat(context).hasSingleBean(EventPublicationRegistry.class);
              assertThat(context.getBean(DatawalEventPublicationRepository.class).completionMode())
                  .isEqualTo(CompletionMode.UPDATE);
            });
  }

  @Test
  void theCompletionModeIsModulithsProperty() {
    runner()
        .withPropertyValues("spring.modulith.events.completion-mode=ARCHIVE")
        .run(
            context ->
                assertThat(
                        context.getBean(DatawalEventPublicationRepository.class).completionMode())
                    .isEqualTo(CompletionMode.ARCHIVE));
  }

  @Test
  void backsOffWhenDisabled() {
    runnerWithoutRegistry()
        .withPropertyValues("datawal.modulith.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(EventPublicationRepository.class));
  }

  @Test
  void backsOffForTheApplicationsOwnRepository() {
    runner()
        .withUserConfiguration(OwnRepository.class)
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(DatawalEventPublicationRepository.class);
              assertThat(context).hasSingleBean(EventPublicationRepository.class);
            });
  }

  @Test
  void backsOffWithoutADatawalTransactionManager() {
    runnerWithoutRegistry()
        .withUserConfiguration(OtherTransactionManager.class)
        .run(context -> assertThat(context).doesNotHaveBean(EventPublicationRepository.class));
  }

  @Test
  void backsOffWithoutAStore() {
    runnerWithoutRegistry()
        .withPropertyValues("datawal.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(EventPublicationRepository.class));
  }

  @Test
  void theEndpointCountsPublicationsByStatus() {
    runner()
        .withUserConfiguration(Meters.class)
        .withPropertyValues("management.endpoints.web.exposure.include=datawalpublications")
        .run(
            context -> {
              DatawalEventPublicationRepository repository =
                  context.getBean(DatawalEventPublicationRepository.class);
              publish(repository, NOW.minusSeconds(90));
              TargetEventPublication failed = publish(repository, NOW.minusSeconds(30));
              repository.markFailed(failed.getIdentifier());
              repository.markCompleted(publish(repository, NOW).getIdentifier(), NOW);

              DatawalPublicationsEndpoint.Publications publications =
                  context.getBean(DatawalPublicationsEndpoint.class).publications();

              assertThat(publications.completionMode()).isEqualTo("UPDATE");
              assertThat(publications.counts())
                  .isEqualTo(new DatawalPublicationsEndpoint.Counts(2, 1, 0, 1, 0, 1, 0));
              assertThat(publications.oldestIncomplete()).isEqualTo(NOW.minusSeconds(90));
              assertThat(publications.oldestIncompleteAgeSeconds()).isEqualTo(90.0);
              assertThat(publications.oldestFailedAgeSeconds()).isEqualTo(30.0);
              assertThat(publications.sinceStart())
                  .isEqualTo(new DatawalPublicationsEndpoint.SinceStart(3, 1, 1));
              assertThat(publications.indexBytes()).isPositive();
            });
  }

  @Test
  void theEndpointIsThereOnlyWhenExposed() {
    runner().run(context -> assertThat(context).doesNotHaveBean(DatawalPublicationsEndpoint.class));
  }

  @Test
  void healthIsUpWithTheCountsAndStalledPastTheConfiguredAge() {
    runner()
        .withUserConfiguration(Meters.class)
        .withPropertyValues("datawal.modulith.health.stalled-after=1m")
        .run(
            context -> {
              DatawalEventPublicationRepository repository =
                  context.getBean(DatawalEventPublicationRepository.class);
              DatawalPublicationsHealthIndicator health =
                  context.getBean(
                      "datawalPublicationsHealthIndicator",
                      DatawalPublicationsHealthIndicator.class);
              TargetEventPublication recent = publish(repository, NOW.minusSeconds(59));

              Health up = health.health();
              assertThat(up.getStatus()).isEqualTo(Status.UP);
              assertThat(up.getDetails())
                  .containsEntry("incomplete", 1L)
                  .containsEntry("published", 1L)
                  .containsEntry("oldestIncompleteAge", Duration.ofSeconds(59).toString())
                  .containsEntry("stalledAfter", "PT1M");

              publish(repository, NOW.minusSeconds(61));
              Health stalled = health.health();
              assertThat(stalled.getStatus()).isEqualTo(DatawalPublicationsHealthIndicator.STALLED);
              assertThat(stalled.getDetails().get("reason").toString()).contains("PT1M1S");

              repository.markCompleted(recent.getIdentifier(), NOW);
              assertThat(health.health().getDetails()).containsEntry("completed", 1L);
            });
  }

  @Test
  void healthIsDownWhenTheStoreCannotBeRead() {
    runner()
        .run(
            context -> {
              context.getBean(DataWal.class).close();
              Health down = context.getBean(DatawalPublicationsHealthIndicator.class).health();
              assertThat(down.getStatus()).isEqualTo(Status.DOWN);
              assertThat(down.getDetails())
                  .containsEntry("reason", "the registry cannot read its store");
            });
  }

  @Test
  void healthIndicatorCanBeTurnedOff() {
    runner()
        .withPropertyValues("management.health.datawalpublications.enabled=false")
        .run(
            context ->
                assertThat(context).doesNotHaveBean(DatawalPublicationsHealthIndicator.class));
  }

  @Test
  void metricsGaugeCountsAndAgesAndCountCreationsCompletionsFailures() {
    runner()
        .withUserConfiguration(Meters.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(DatawalPublicationsMetrics.class);
              DatawalEventPublicationRepository repository =
                  context.getBean(DatawalEventPublicationRepository.class);
              MeterRegistry meters = context.getBean(MeterRegistry.class);
              context.getBean(DatawalPublicationsMetrics.class).bindTo(meters);
              TargetEventPublication failed = publish(repository, NOW.minusSeconds(20));
              repository.markFailed(failed.getIdentifier());
              publish(repository, NOW.minusSeconds(10));
              repository.markCompleted(publish(repository, NOW).getIdentifier(), NOW);

              assertThat(gauge(meters, "published")).isEqualTo(1.0);
              assertThat(gauge(meters, "failed")).isEqualTo(1.0);
              assertThat(gauge(meters, "completed")).isEqualTo(1.0);
              assertThat(gauge(meters, "archived")).isZero();
              assertThat(
                      meters
                          .get(DatawalPublicationsMetrics.OLDEST_AGE)
                          .tag("kind", "incomplete")
                          .timeGauge()
                          .value(TimeUnit.SECONDS))
                  .isEqualTo(20.0);
              assertThat(
                      meters
                          .get("datawal.modulith.publications.registered")
                          .functionCounter()
                          .count())
                  .isEqualTo(3.0);
              assertThat(
                      meters
                          .get("datawal.modulith.publications.completed")
                          .functionCounter()
                          .count())
                  .isEqualTo(1.0);
              assertThat(
                      meters.get("datawal.modulith.publications.failed").functionCounter().count())
                  .isEqualTo(1.0);
            });
  }

  @Test
  void thePropertiesAreInTheModulesMetadataSoUnknownPropertiesKnowsThem() throws IOException {
    try (InputStream in =
        getClass()
            .getClassLoader()
            .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
    }
    String metadata;
    try (InputStream in =
        DatawalModulithAutoConfiguration.class
            .getProtectionDomain()
            .getCodeSource()
            .getLocation()
            .toURI()
            .resolve("META-INF/spring-configuration-metadata.json")
            .toURL()
            .openStream()) {
      metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.net.URISyntaxException e) {
      throw new AssertionError(e);
    }
    assertThat(metadata)
        .contains("\"datawal.modulith.enabled\"")
        .contains("\"datawal.modulith.health.stalled-after\"");
  }

  private static double gauge(MeterRegistry meters, String status) {
    return meters
        .get(DatawalPublicationsMetrics.PUBLICATIONS)
        .tag("status", status)
        .gauge()
        .value();
  }

  private static TargetEventPublication publish(
      DatawalEventPublicationRepository repository, Instant date) {
    return repository.create(
        TargetEventPublication.of(
            new OrderPlaced("o", 1), PublicationTargetIdentifier.of("listener"), date));
  }
}
