package dev.datawal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The engine is plain Java: it imports nothing outside the JDK and itself. */
class LayeringTests {
  @Test
  void engineSourcesImportOnlyTheJdkAndTheEngine() throws IOException {
    List<String> offending;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      offending =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .flatMap(LayeringTests::imports)
              .filter(
                  i ->
                      !i.startsWith("import java.")
                          && !i.startsWith("import static java.")
                          && !i.startsWith("import dev.datawal.")
                          && !i.startsWith("import static dev.datawal."))
              .toList();
    }
    assertThat(offending).isEmpty();
  }

  static Stream<String> imports(Path file) {
    try {
      return Files.readAllLines(file).stream()
          .filter(line -> line.startsWith("import "))
          .map(line -> line + " (" + file + ")");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
