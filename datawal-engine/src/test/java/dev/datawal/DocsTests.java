package dev.datawal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documents the code and the tests rely on are in the repository, and say what the tests check:
 * every {@code docs/...md} a source or document cites exists, every source path a document names
 * exists, and the reference fixtures' SHA-256s that the corpus tests check are the ones {@code
 * docs/reference/format-v1.md} lists.
 */
class DocsTests {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern DOC_PATH = Pattern.compile("\\bdocs/\\w[\\w./-]*?\\.md\\b");
  private static final Pattern SOURCE_PATH =
      Pattern.compile("\\b(?:datawal-[a-z-]+|sample-app|powerloss|benchmarks)/src/[\\w/.-]*\\w");
  private static final Pattern MARKDOWN_LINK =
      Pattern.compile("\\]\\(([\\w./-]+?\\.md)(#[^)]*)?\\)");
  private static final Pattern FIXTURE_LINE =
      Pattern.compile("^([0-9a-f]{64})\\s+(\\w+/\\d{8}\\.dwal)\\b", Pattern.MULTILINE);

  @Test
  void everyCitedDocumentExists() {
    List<String> missing = new ArrayList<>();
    for (Path file : sources()) {
      String text = read(file);
      Matcher path = DOC_PATH.matcher(text);
      while (path.find()) {
        if (!Files.isRegularFile(REPO.resolve(path.group()))) {
          missing.add(REPO.relativize(file) + " cites " + path.group());
        }
      }
      if (file.toString().endsWith(".md")) {
        Matcher source = SOURCE_PATH.matcher(text);
        while (source.find()) {
          if (!Files.exists(REPO.resolve(source.group()))) {
            missing.add(REPO.relativize(file) + " names " + source.group());
          }
        }
        Matcher link = MARKDOWN_LINK.matcher(text);
        while (link.find()) {
          if (!Files.isRegularFile(file.getParent().resolve(link.group(1)))) {
            missing.add(REPO.relativize(file) + " links to " + link.group(1));
          }
        }
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void theFixtureDigestsAreTheOnesTheFormatSpecificationLists() {
    Map<String, String> listed = new TreeMap<>();
    Matcher line = FIXTURE_LINE.matcher(read(REPO.resolve("docs/reference/format-v1.md")));
    while (line.find()) {
      listed.put(line.group(2), line.group(1));
    }
    assertThat(listed).hasSize(8).isEqualTo(new TreeMap<>(FixtureGenerator.SHA256));
  }

  /** The repository's Java sources and Markdown documents, outside build output. */
  private static List<Path> sources() {
    try (Stream<Path> files = Files.walk(REPO)) {
      return files
          .filter(f -> !f.toString().contains("/target/") && !f.toString().contains("/.git/"))
          .filter(f -> f.toString().endsWith(".java") || f.toString().endsWith(".md"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
