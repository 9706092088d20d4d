package dev.datawal.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.testing.LayerRule;
import dev.datawal.testing.LayerRule.Layer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The relay uses only the engine's and the starter's public API, never the engine's internals. As
 * in Spring Boot's own modules, the runtime ({@code dev.datawal.kafka} and below) never uses the
 * auto-configuration ({@code dev.datawal.kafka.autoconfigure} and below); the relay itself uses
 * neither its health indicator nor its metrics, nor their libraries; and the health indicator and
 * the metrics never use each other or each other's library.
 */
class LayeringTests {
  private static final String ENGINE_INTERNALS = "dev.datawal.internal.";
  private static final String AUTOCONFIGURE = "dev.datawal.kafka.autoconfigure.";
  private static final String HEALTH = "dev.datawal.kafka.health";
  private static final String METRICS = "dev.datawal.kafka.metrics";
  private static final String BOOT_HEALTH = "org.springframework.boot.health.";
  private static final String MICROMETER = "io.micrometer.";

  private static final LayerRule RELAY =
      LayerRule.bottomUp(
          List.of("java.", "javax.", "org.", "io.", "tools.", "com.", "dev.datawal."),
          Layer.of("the relay", "dev.datawal.kafka")
              .mayNotUse(ENGINE_INTERNALS, AUTOCONFIGURE, HEALTH, METRICS, BOOT_HEALTH, MICROMETER),
          Layer.of("its health indicator", HEALTH)
              .mayNotUse(ENGINE_INTERNALS, AUTOCONFIGURE, METRICS, MICROMETER),
          Layer.of("its metrics", METRICS)
              .mayNotUse(ENGINE_INTERNALS, AUTOCONFIGURE, HEALTH, BOOT_HEALTH),
          Layer.of(
                  "its auto-configuration",
                  "dev.datawal.kafka.autoconfigure",
                  "dev.datawal.kafka.autoconfigure.health",
                  "dev.datawal.kafka.autoconfigure.metrics")
              .mayNotUse(ENGINE_INTERNALS));

  private static final Path CLASSES = Path.of("target/classes");

  @Test
  void theRelayNeverTouchesEngineInternals() {
    assertThat(RELAY.violations(CLASSES)).isEmpty();
  }

  @Test
  void everyPackageHasItsRule() {
    assertThat(RELAY.outsideEveryLayer(CLASSES)).isEmpty();
  }
}
