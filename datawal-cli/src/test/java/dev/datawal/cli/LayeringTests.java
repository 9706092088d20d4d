package dev.datawal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CLI uses only the engine's public API, never its internals, and no other library; JSpecify's
 * nullness annotations aside, which only the compiler reads (a provided dependency, not in the
 * jar).
 */
class LayeringTests {
  @Test
  void cliCodeNeverTouchesEngineInternalsOrThirdPartyLibraries() throws IOException {
    List<String> offending;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      offending =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .flatMap(LayeringTests::lines)
              .filter(
                  line ->
                      line.contains("dev.datawal.internal")
                          || (line.startsWith("import ")
                              && !line.startsWith("import java.")
                              && !line.startsWith("import static java.")
                              && !line.startsWith("import dev.datawal.")
                              && !line.startsWith("import org.jspecify.annotations.")))
              .toList();
    }
    assertThat(offending).isEmpty();
  }

  private static Stream<String> lines(Path file) {
    try {
      return Files.readAllLines(file).stream().map(line -> line + " (" + file + ")");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
