package dev.datawal.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.datawal.CorruptionKind;
import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.IntegrityProblem;
import dev.datawal.autoconfigure.actuate.endpoint.DatawalEndpointAutoConfiguration;
import dev.datawal.autoconfigure.health.DatawalHealthContributorAutoConfiguration;
import dev.datawal.autoconfigure.metrics.DatawalMetricsAutoConfiguration;
import dev.datawal.spring.DatawalStore;
import dev.datawal.spring.actuate.endpoint.DatawalEndpoint;
import dev.datawal.spring.health.DatawalHealthIndicator;
import dev.datawal.spring.metrics.DatawalMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The verify properties, and what the endpoint, health and metrics make of damage that a
 * verification finds in a store the application opened: a CRC mismatch in a sealed segment, which
 * the open from the key-directory snapshot does not read.
 */
class DatawalIntegrityTests {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DatawalAutoConfiguration.class,
                DatawalStoreAutoConfiguration.class,
                DatawalEndpointAutoConfiguration.class,
                DatawalHealthContributorAutoConfiguration.class,
                DatawalMetricsAutoConfiguration.class))
        .withUserConfiguration(Registry.class)
        .withPropertyValues(
            "datawal.dir=" + dir, "management.endpoints.web.exposure.include=datawal");
  }

  @Configuration(proxyBeanMethods = false)
  static class Registry {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @Test
  void verifyPropertiesReachTheEngineOptions() {
    runner()
        .withPropertyValues("datawal.verify.after-open=false", "datawal.verify.interval=1h")
        .run(
            context -> {
              DatawalOptions options = context.getBean(DataWal.class).log().options();
              assertThat(options.verifyAfterOpen()).isFalse();
              assertThat(options.verifyInterval()).isEqualTo(Duration.ofHours(1));
            });
  }

  @Test
  void byDefaultTheEnginesVerifyDefaultsApply() {
    runner()
        .run(
            context -> {
              DatawalOptions options = context.getBean(DataWal.class).log().options();
              assertThat(options.verifyAfterOpen())
                  .isEqualTo(DatawalOptions.DEFAULT_VERIFY_AFTER_OPEN)
                  .isTrue();
              assertThat(options.verifyInterval()).isNull();
            });
  }

  @Test
  void aNonPositiveIntervalFailsStartupNamingTheProperty() {
    runner()
        .withPropertyValues("datawal.verify.interval=0s")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("datawal.verify.interval")
                  .hasMessageContaining("must be positive");
              assertThat(dir.resolve(".lock")).doesNotExist();
            });
  }

  @Test
  void theVerificationAfterOpenFindsTheDamageAndEverythingShowsIt() throws IOException {
    DamagedStores.Damage damage = DamagedStores.crcMismatchInASealedSegment(dir);
    runner()
        .run(
            context -> {
              DatawalStore store = context.getBean(DatawalStore.class);
              assertThat(store.recoveryReport().snapshotUsed()).isTrue(); // the open read nothing
              // The damage is recorded as the verification finds it, before the report is kept.
              await()
                  .atMost(WAIT)
                  .until(
                      () ->
                          store.integrity().orElseThrow().damaged()
                              && store.integrity().orElseThrow().last() != null);

              Health health = context.getBean(DatawalHealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.DOWN);
              assertThat(health.getDetails())
                  .containsEntry(
                      "reason",
                      "datawal found damaged or lost data in segment 1: CRC mismatch; the next"
                          + " start refuses the store until `datawal repair`")
                  .containsEntry("integrityProblems", 1);

              DatawalEndpoint.IntegrityDescriptor integrity =
                  context.getBean(DatawalEndpoint.class).datawal().integrity();
              assertThat(integrity.damaged()).isTrue();
              DatawalEndpoint.ProblemDescriptor problem = integrity.problems().get(0);
              assertThat(problem.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH.name());
              assertThat(problem.segment()).isEqualTo(damage.segment());
              assertThat(problem.offset()).isEqualTo(damage.offset());
              assertThat(problem.foundBy()).isEqualTo("VERIFICATION");
              assertThat(problem.message()).contains("00000001.dwal");
              assertThat(integrity.lastVerification().problems()).isEqualTo(1);
              assertThat(integrity.lastVerification().segmentsChecked()).isGreaterThanOrEqualTo(2);

              // Boot's MeterRegistryPostProcessor is not here: bind as it would.
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              context.getBean(DatawalMetrics.class).bindTo(registry);
              assertThat(registry.get("datawal.integrity.problems").gauge().value()).isEqualTo(1);
              assertThat(registry.get("datawal.verification.checked.bytes").gauge().value())
                  .isEqualTo(integrity.lastVerification().bytesChecked())
                  .isPositive();
            });
  }

  @Test
  void withoutTheVerificationAfterOpenTheVerifyActionFindsTheDamage() throws IOException {
    DamagedStores.Damage damage = DamagedStores.crcMismatchInASealedSegment(dir);
    runner()
        .withPropertyValues("datawal.verify.after-open=false")
        .run(
            context -> {
              DatawalStore store = context.getBean(DatawalStore.class);
              DatawalEndpoint endpoint = context.getBean(DatawalEndpoint.class);
              assertThat(store.integrity().orElseThrow().last()).isNull(); // none ran
              assertThat(context.getBean(DatawalHealthIndicator.class).health().getStatus())
                  .isEqualTo(Status.UP);

              DatawalEndpoint.ActionDescriptor verify = endpoint.run("verify");

              assertThat(verify.action()).isEqualTo("verify");
              assertThat(verify.outcome()).isIn("RAN", "STARTED");
              await().atMost(WAIT).until(() -> store.integrity().orElseThrow().last() != null);
              IntegrityProblem problem = store.integrity().orElseThrow().problems().get(0);
              assertThat(problem.offset()).isEqualTo(damage.offset());
              assertThat(endpoint.datawal().integrity().damaged()).isTrue();
              assertThat(context.getBean(DatawalHealthIndicator.class).health().getStatus())
                  .isEqualTo(Status.DOWN);
            });
  }

  @Test
  void aScheduledVerificationRunsEveryInterval() {
    runner()
        .withPropertyValues("datawal.verify.after-open=false", "datawal.verify.interval=100ms")
        .run(
            context -> {
              DatawalStore store = context.getBean(DatawalStore.class);
              await().atMost(WAIT).until(() -> store.integrity().orElseThrow().last() != null);
              Health health = context.getBean(DatawalHealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails())
                  .containsEntry("integrityProblems", 0)
                  .containsKeys("verificationRunning", "lastVerification");
            });
  }
}
