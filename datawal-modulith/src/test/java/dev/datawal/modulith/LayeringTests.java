package dev.datawal.modulith;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.testing.LayerRule;
import dev.datawal.testing.LayerRule.Layer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The registry uses only the engine's and the starter's public API, never the engine's internals.
 * The runtime ({@code dev.datawal.modulith} and below) never uses the auto-configuration; the
 * repository uses neither Actuator, Boot's health support nor Micrometer; the endpoint, the health
 * indicator and the metrics never use each other's library.
 */
class LayeringTests {
  private static final String ENGINE_INTERNALS = "dev.datawal.internal.";
  private static final String AUTOCONFIGURE = "dev.datawal.modulith.autoconfigure";
  private static final String ACTUATE = "dev.datawal.modulith.actuate";
  private static final String HEALTH = "dev.datawal.modulith.health";
  private static final String METRICS = "dev.datawal.modulith.metrics";
  private static final String BOOT_ACTUATE = "org.springframework.boot.actuate.";
  private static final String BOOT_HEALTH = "org.springframework.boot.health.";
  private static final String MICROMETER = "io.micrometer.";

  private static final LayerRule RULE =
      LayerRule.bottomUp(
          List.of("java.", "javax.", "org.", "io.", "tools.", "com.", "dev.datawal."),
          Layer.of("the repository", "dev.datawal.modulith")
              .mayNotUse(
                  ENGINE_INTERNALS,
                  AUTOCONFIGURE,
                  ACTUATE,
                  HEALTH,
                  METRICS,
                  BOOT_ACTUATE,
                  BOOT_HEALTH,
                  MICROMETER),
          Layer.of("its endpoint", ACTUATE)
              .mayNotUse(ENGINE_INTERNALS, AUTOCONFIGURE, HEALTH, METRICS, BOOT_HEALTH, MICROMETER),
          Layer.of("its health indicator", HEALTH)
              .mayNotUse(ENGINE_INTERNALS, AUTOCONFIGURE, ACTUATE, METRICS, MICROMETER),
          Layer.of("its metrics", METRICS)
              .mayNotUse(
                  ENGINE_INTERNALS, AUTOCONFIGURE, ACTUATE, HEALTH, BOOT_HEALTH, BOOT_ACTUATE),
          Layer.of(
                  "its auto-configuration",
                  AUTOCONFIGURE,
                  AUTOCONFIGURE + ".actuate",
                  AUTOCONFIGURE + ".health",
                  AUTOCONFIGURE + ".metrics")
              .mayNotUse(ENGINE_INTERNALS));

  private static final Path CLASSES = Path.of("target/classes");

  @Test
  void theRegistryNeverTouchesEngineInternalsOrItsIntegrationsLibraries() {
    assertThat(RULE.violations(CLASSES)).isEmpty();
  }

  @Test
  void everyPackageHasItsRule() {
    assertThat(RULE.outsideEveryLayer(CLASSES)).isEmpty();
  }
}
