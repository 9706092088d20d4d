package dev.datawal.starter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's "Getting started" is what {@code examples/getting-started} is, so that CI building
 * and testing that application (.ci/getting-started.sh) proves the README: every Java snippet is in
 * the example's sources as written, every dependency snippet is in its POM, and the version the
 * snippets name is the project's.
 */
class ReadmeGettingStartedTests {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path EXAMPLE = ROOT.resolve("examples/getting-started");

  @Test
  void theReadmeLeadsWithTheTwoCommands() throws IOException {
    List<String> blocks = blocks(readme(), "sh");
    assertThat(blocks).isNotEmpty();
    assertThat(commands(blocks.get(0)))
        .containsExactly("./mvnw -pl sample-app -am spring-boot:run", "./mvnw verify");
  }

  @Test
  void everyJavaSnippetOfGettingStartedIsInTheExampleAsWritten() throws IOException {
    List<String> snippets = blocks(gettingStarted(), "java");
    assertThat(snippets).hasSizeGreaterThanOrEqualTo(2);
    String sources;
    try (Stream<Path> files = Files.walk(EXAMPLE.resolve("src"))) {
      sources =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .map(ReadmeGettingStartedTests::read)
              .collect(Collectors.joining("\n"));
    }
    for (String snippet : snippets) {
      assertThat(sources).as("the example's sources").contains(snippet.strip());
    }
  }

  @Test
  void everyDependencyOfGettingStartedIsInTheExamplesPomWithTheProjectVersion() throws IOException {
    String pom = read(EXAMPLE.resolve("pom.xml"));
    List<String> xml = blocks(gettingStarted(), "xml");
    assertThat(xml).isNotEmpty();
    Matcher dependency = Pattern.compile("(?s)<dependency>.*?</dependency>").matcher(xml.get(0));
    int found = 0;
    while (dependency.find()) {
      String snippet = dependency.group();
      assertThat(squeeze(pom)).as("the example's pom").contains(squeeze(snippet));
      assertThat(snippet).contains("<version>" + projectVersion() + "</version>");
      found++;
    }
    assertThat(found).as("dependencies in the snippet").isEqualTo(2);
    assertThat(pom).contains("<artifactId>spring-boot-starter-parent</artifactId>");
  }

  private static String gettingStarted() throws IOException {
    String readme = readme();
    int from = readme.indexOf("## Getting started");
    assertThat(from).as("a Getting started section").isNotNegative();
    int to = readme.indexOf("\n## ", from + 1);
    return readme.substring(from, to < 0 ? readme.length() : to);
  }

  private static String readme() {
    return read(ROOT.resolve("README.md"));
  }

  private static String projectVersion() {
    Matcher m =
        Pattern.compile("<artifactId>datawal-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(read(ROOT.resolve("pom.xml")));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  /** The fenced code blocks of one language, in order. */
  private static List<String> blocks(String markdown, String language) {
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("(?s)```" + language + "\n(.*?)```").matcher(markdown);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  private static List<String> commands(String block) {
    return block
        .lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }

  private static String squeeze(String xml) {
    return xml.replaceAll("\\s+", "");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }
}
