package dev.datawal.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Which code may use which, as in Spring Boot's own modules: the runtime ({@code
 * dev.datawal.spring} and below) never uses the auto-configuration ({@code
 * dev.datawal.autoconfigure} and below); each runtime package uses the engine's public API, the
 * datawal packages listed for it, and only the library its auto-configuration guards on with
 * {@code @ConditionalOnClass}; the auto-configuration packages hold auto-configuration and nothing
 * an application uses at run time; and no code touches the engine's internals. Package
 * documentation ({@code package-info.java}) may name any package.
 */
class LayeringTests {
  private static final Path SOURCES = Path.of("src/main/java");
  private static final Path RUNTIME = SOURCES.resolve("dev/datawal/spring");
  private static final Path AUTOCONFIGURE = SOURCES.resolve("dev/datawal/autoconfigure");

  /**
   * What each runtime package may name besides {@code java.*}, itself and the engine's public API
   * ({@code dev.datawal}): a datawal package exactly, a library by its prefix (ending in a dot).
   */
  private static final Map<String, List<String>> MAY_USE =
      Map.of(
          "dev.datawal.spring",
          List.of("org.apache.commons.logging.", "org.springframework.context."),
          "dev.datawal.spring.json",
          List.of(
              "dev.datawal.spring",
              "org.apache.commons.logging.",
              "tools.jackson.",
              "com.fasterxml.jackson.annotation."),
          "dev.datawal.spring.actuate.endpoint",
          List.of("dev.datawal.spring", "org.springframework.boot.actuate.endpoint."),
          "dev.datawal.spring.health",
          List.of("dev.datawal.spring", "org.springframework.boot.health.contributor."),
          "dev.datawal.spring.metrics",
          List.of("dev.datawal.spring", "io.micrometer.core."),
          "dev.datawal.spring.diagnostics",
          List.of("org.springframework.boot.diagnostics."));

  /** A qualified name of a datawal type or of a library's. */
  private static final Pattern QUALIFIED =
      Pattern.compile(
          "\\b(?:dev\\.datawal|org\\.springframework|org\\.apache|io\\.micrometer|tools\\.jackson"
              + "|com\\.fasterxml)(?:\\.[A-Za-z_]\\w*)+");

  @Test
  void autoConfigurationNeverTouchesEngineInternals() {
    List<String> offending =
        files(SOURCES, true).stream()
            .filter(f -> f.toString().endsWith(".java"))
            .flatMap(LayeringTests::lines)
            .filter(line -> line.contains("dev.datawal.internal"))
            .toList();
    assertThat(offending).isEmpty();
  }

  @Test
  void theRuntimeNeverDependsOnAutoConfiguration() {
    assertThat(code(RUNTIME, true).filter(line -> line.contains("dev.datawal.autoconfigure")))
        .isEmpty();
  }

  @Test
  void theJsonFacadeNeverDependsOnActuatorHealthOrMetrics() {
    assertThat(
            code(RUNTIME.resolve("json"), true)
                .filter(
                    line ->
                        Stream.of(
                                "dev.datawal.spring.actuate",
                                "dev.datawal.spring.health",
                                "dev.datawal.spring.metrics",
                                "org.springframework.boot.actuate",
                                "org.springframework.boot.health",
                                "io.micrometer")
                            .anyMatch(line::contains)))
        .isEmpty();
  }

  @Test
  void healthAndMetricsNeverDependOnTheEndpoint() {
    assertThat(
            Stream.concat(
                    code(RUNTIME.resolve("health"), true), code(RUNTIME.resolve("metrics"), true))
                .filter(
                    line ->
                        line.contains("dev.datawal.spring.actuate")
                            || line.contains("org.springframework.boot.actuate")))
        .isEmpty();
  }

  @Test
  void eachRuntimePackageUsesOnlyWhatItIsAllowed() {
    List<String> offending =
        MAY_USE.keySet().stream()
            .flatMap(
                pkg ->
                    code(SOURCES.resolve(pkg.replace('.', '/')), false)
                        .filter(line -> !line.startsWith("package "))
                        .filter(line -> !allowed(pkg, line)))
            .toList();
    assertThat(offending).isEmpty();
  }

  @Test
  void everyRuntimePackageHasItsRule() {
    List<String> packages =
        files(RUNTIME, true).stream()
            .filter(Files::isDirectory)
            .filter(dir -> code(dir, false).findAny().isPresent())
            .map(dir -> SOURCES.relativize(dir).toString().replace('/', '.'))
            .toList();
    assertThat(MAY_USE).containsOnlyKeys(packages);
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

  /** Whether every qualified name on {@code line}, of a file in {@code pkg}, may be used there. */
  private static boolean allowed(String pkg, String line) {
    Matcher name = QUALIFIED.matcher(line);
    while (name.find()) {
      String used = packageOf(name.group());
      boolean ok =
          used.equals("dev.datawal")
              || used.equals(pkg)
              || MAY_USE.get(pkg).stream()
                  .anyMatch(
                      rule ->
                          rule.endsWith(".") ? (used + ".").startsWith(rule) : used.equals(rule));
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The package of a qualified name: its parts up to the first that starts in upper case. */
  private static String packageOf(String qualifiedName) {
    StringBuilder pkg = new StringBuilder();
    for (String part : qualifiedName.split("\\.")) {
      if (Character.isUpperCase(part.charAt(0))) {
        break;
      }
      pkg.append(pkg.length() == 0 ? "" : ".").append(part);
    }
    return pkg.toString();
  }

  /** The lines of the code (not the package documentation) in {@code dir}, or below it. */
  private static Stream<String> code(Path dir, boolean below) {
    return files(dir, below).stream().filter(LayeringTests::isCode).flatMap(LayeringTests::lines);
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
