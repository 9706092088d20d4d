package dev.datawal.test.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.testing.LayerRule;
import dev.datawal.testing.LayerRule.Layer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The test support uses only the public API of the engine and the starter: never the engine's
 * internals, and never the starter's auto-configuration classes beyond naming them (in its {@code
 * .imports} file, which is not code).
 */
class LayeringTests {
  private static final LayerRule TEST_SUPPORT =
      LayerRule.bottomUp(
          List.of("java.", "org.", "dev.datawal."),
          Layer.of("the test support", "dev.datawal.test.autoconfigure")
              .mayNotUse("dev.datawal.internal.", "dev.datawal.autoconfigure."));

  private static final Path CLASSES = Path.of("target/classes");

  @Test
  void theTestSupportUsesOnlyPublicApi() {
    assertThat(TEST_SUPPORT.violations(CLASSES)).isEmpty();
  }

  @Test
  void everyPackageHasItsRule() {
    assertThat(TEST_SUPPORT.outsideEveryLayer(CLASSES)).isEmpty();
  }
}
