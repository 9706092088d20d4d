package dev.datawal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.testing.LayerRule;
import dev.datawal.testing.LayerRule.Layer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CLI uses only the JDK, the engine's public API and tools (never its internals) and JSpecify's
 * nullness annotations.
 */
class LayeringTests {
  private static final LayerRule CLI =
      LayerRule.bottomUp(
          List.of("java."),
          Layer.of("the CLI", "dev.datawal.cli")
              .mayUse("dev.datawal", "dev.datawal.tools", "org.jspecify.annotations"));

  @Test
  void cliCodeNeverTouchesEngineInternalsOrThirdPartyLibraries() {
    assertThat(CLI.violations(Path.of("target/classes"))).isEmpty();
  }
}
