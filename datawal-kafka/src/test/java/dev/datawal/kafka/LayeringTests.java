package dev.datawal.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The relay uses only the engine's and the starter's public API, never the engine's internals. */
class LayeringTests {
  @Test
  void theRelayNeverTouchesEngineInternals() throws IOException {
    List<String> offending;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      offending =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .flatMap(LayeringTests::lines)
              .filter(line -> line.contains("dev.datawal.internal"))
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
