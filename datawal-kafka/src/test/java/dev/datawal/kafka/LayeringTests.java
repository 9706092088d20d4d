package dev.datawal.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.testing.LayerRule;
import dev.datawal.testing.LayerRule.Layer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The relay uses only the engine's and the starter's public API, never the engine's internals; its
 * runtime classes never use its auto-configuration.
 */
class LayeringTests {
  private static final String ENGINE_INTERNALS = "dev.datawal.internal.";

  private static final LayerRule RELAY =
      LayerRule.bottomUp(
          List.of("java.", "javax.", "org.", "io.", "tools.", "com.", "dev.datawal."),
          Layer.of("the relay", "dev.datawal.kafka")
              .mayNotUse(ENGINE_INTERNALS, "dev.datawal.kafka.autoconfigure"),
          Layer.of("its auto-configuration", "dev.datawal.kafka.autoconfigure")
              .mayNotUse(ENGINE_INTERNALS));

  @Test
  void theRelayNeverTouchesEngineInternals() {
    assertThat(RELAY.violations(Path.of("target/classes"))).isEmpty();
  }
}
