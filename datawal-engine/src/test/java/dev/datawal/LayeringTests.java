package dev.datawal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.testing.LayerRule;
import dev.datawal.testing.LayerRule.Layer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's layers, bottom first: file I/O, the DWAL v1 format, the log, the key/value
 * projection, the public API, the tools. Each uses only the JDK (and JSpecify's nullness
 * annotations) and the layers below it; the internals may use the API's value and exception types,
 * never its entry points.
 */
class LayeringTests {
  private static final String[] ENTRY_POINTS = {
    "dev.datawal.DataWal", "dev.datawal.RecordLog", "dev.datawal.RecordLogReader"
  };

  private static final Path CLASSES = Path.of("target/classes");

  static final LayerRule ENGINE =
      LayerRule.bottomUp(
          List.of("java.", "org.jspecify.annotations"),
          internal("file I/O", "dev.datawal.internal.io"),
          internal("the DWAL v1 format", "dev.datawal.internal.format"),
          internal("the log", "dev.datawal.internal.log"),
          internal("the key/value projection", "dev.datawal.internal.kv"),
          Layer.of("the public API", "dev.datawal"),
          Layer.of("the tools", "dev.datawal.tools"));

  private static Layer internal(String name, String pkg) {
    return Layer.of(name, pkg).mayUse("dev.datawal").mayNotUse(ENTRY_POINTS);
  }

  @Test
  void everyLayerUsesOnlyTheJdkAndTheLayersBelowIt() {
    assertThat(ENGINE.violations(CLASSES)).isEmpty();
  }

  @Test
  void everyClassIsInALayer() {
    assertThat(ENGINE.outsideEveryLayer(CLASSES)).isEmpty();
  }

  @Test
  void theModuleExportsOnlyTheApiAndTheTools() throws IOException {
    ModuleDescriptor module;
    try (InputStream in = Files.newInputStream(CLASSES.resolve("module-info.class"))) {
      module = ModuleDescriptor.read(in);
    }
    assertThat(module.name()).isEqualTo("dev.datawal.engine");
    assertThat(module.exports())
        .allMatch(e -> !e.isQualified())
        .extracting(ModuleDescriptor.Exports::source)
        .containsExactlyInAnyOrder("dev.datawal", "dev.datawal.tools");
    assertThat(module.opens()).isEmpty();
  }
}
