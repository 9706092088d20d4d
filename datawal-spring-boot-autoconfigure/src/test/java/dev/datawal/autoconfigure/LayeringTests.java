package dev.datawal.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.testing.LayerRule;
import dev.datawal.testing.LayerRule.Layer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Which code may use which, as in Spring Boot's own modules, checked on the compiled classes with
 * the engine's shared {@link LayerRule}: the runtime ({@code dev.datawal.spring} and below) never
 * uses the auto-configuration ({@code dev.datawal.autoconfigure} and below); each runtime package
 * uses the engine's public API, the datawal packages below it, and only the library its
 * auto-configuration guards on with {@code @ConditionalOnClass}; the auto-configuration packages
 * hold auto-configuration and nothing an application uses at run time; and no code touches the
 * engine's internals.
 */
class LayeringTests {
  private static final Path AUTOCONFIGURE = Path.of("src/main/java/dev/datawal/autoconfigure");

  private static final String STORE = "dev.datawal.spring";
  private static final String JSON = "dev.datawal.spring.json";
  private static final String HEALTH = "dev.datawal.spring.health";
  private static final String METRICS = "dev.datawal.spring.metrics";
  private static final String ENDPOINT = "dev.datawal.spring.actuate.endpoint";
  private static final String DIAGNOSTICS = "dev.datawal.spring.diagnostics";
  private static final String TRANSACTION = "dev.datawal.spring.transaction";

  /**
   * Bottom first. Every class may use the JDK, the engine's public API and the JSpecify nullness
   * annotations (every package is {@code @NullMarked}); each runtime package only the library its
   * auto-configuration guards on; the auto-configuration anything but the engine's internals.
   */
  private static final LayerRule STARTER =
      LayerRule.bottomUp(
          List.of("java.", "dev.datawal", "org.jspecify.annotations"),
          Layer.of("the store", STORE)
              .mayUse("org.apache.commons.logging.", "org.springframework.context."),
          Layer.of("the JSON facade", JSON)
              .mayUse("org.apache.commons.logging.", "tools.jackson.", "com.fasterxml.jackson."),
          Layer.of("health", HEALTH)
              .mayUse("org.springframework.boot.health.contributor.")
              .mayNotUse(JSON),
          Layer.of("metrics", METRICS).mayUse("io.micrometer.core.").mayNotUse(JSON, HEALTH),
          Layer.of("the endpoint", ENDPOINT)
              .mayUse("org.springframework.boot.actuate.endpoint.")
              .mayNotUse(JSON, HEALTH, METRICS),
          Layer.of("transactions", TRANSACTION)
              .mayUse("org.springframework.transaction.")
              .mayNotUse(JSON, HEALTH, METRICS, ENDPOINT),
          Layer.of("failure analysis", DIAGNOSTICS)
              .mayUse("org.springframework.boot.diagnostics.")
              .mayNotUse(STORE, JSON, HEALTH, METRICS, ENDPOINT, TRANSACTION),
          Layer.of(
                  "the auto-configuration",
                  "dev.datawal.autoconfigure",
                  "dev.datawal.autoconfigure.actuate.endpoint",
                  "dev.datawal.autoconfigure.health",
                  "dev.datawal.autoconfigure.json",
                  "dev.datawal.autoconfigure.metrics",
                  "dev.datawal.autoconfigure.transaction")
              .mayUse(
                  "org.springframework.",
                  "org.apache.commons.logging.",
                  "io.micrometer.",
                  "tools.jackson.",
                  "com.fasterxml.jackson."));

  private static final Path CLASSES = Path.of("target/classes");

  @Test
  void eachPackageUsesOnlyTheLayersBelowItAndItsOwnLibrary() {
    assertThat(STARTER.violations(CLASSES)).isEmpty();
  }

  @Test
  void everyPackageHasItsRule() {
    assertThat(STARTER.outsideEveryLayer(CLASSES)).isEmpty();
  }

  @Test
  void autoConfigurationPackagesHoldOnlyAutoConfigurationAndItsProperties() {
    List<Path> offending =
        files(AUTOCONFIGURE, true).stream()
            .filter(LayeringTests::isCode)
            .filter(f -> lines(f).anyMatch(line -> line.startsWith("public ")))
            .filter(
                f ->
                    lines(f)
                        .noneMatch(
                            line ->
                                line.startsWith("@AutoConfiguration")
                                    || line.startsWith("@ConfigurationProperties")))
            .toList();
    assertThat(offending).isEmpty();
  }

  /** The files and directories in {@code dir}, or below it (with {@code dir} itself). */
  private static List<Path> files(Path dir, boolean below) {
    try (Stream<Path> files = below ? Files.walk(dir) : Files.list(dir)) {
      return files.toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isCode(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".java") && !name.equals("package-info.java");
  }

  private static Stream<String> lines(Path file) {
    try {
      return Files.readAllLines(file).stream().map(line -> line + " (" + file + ")");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
