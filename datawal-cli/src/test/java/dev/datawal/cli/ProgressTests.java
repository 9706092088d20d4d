package dev.datawal.cli;

import static dev.datawal.cli.TestStores.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress of the long commands: on stderr only, only on a terminal or with {@code --progress},
 * rewritten in place and cleared at the end; stdout is the same with or without it.
 */
class ProgressTests {
  private static final Pattern LINE = Pattern.compile("\r([^\r]*?) *(?=\r|$)");

  @TempDir static Path tmp;
  private static Path store;

  @BeforeAll
  static void buildStore() {
    store = tmp.resolve("store");
    try (DataWal kv = DataWal.open(store)) {
      for (int segment = 0; segment < 3; segment++) {
        if (segment > 0) {
          kv.log().rotate();
        }
        for (int i = 0; i < 50; i++) {
          kv.put(utf8("key-" + segment + "-" + i), utf8("value " + i));
        }
      }
    }
  }

  @Test
  void longCommandsShowProgressOnStderrWhenAskedAndStdoutStaysTheSame() {
    for (List<String> command :
        List.of(
            List.of("verify", store.toString()),
            List.of("check", store.toString()),
            List.of("get", store.toString(), "--key", "key-2-49"),
            List.of("--json", "verify", store.toString()))) {
      JarRunner.Result plain = JarRunner.run(command.toArray(String[]::new));
      JarRunner.Result shown =
          JarRunner.run(
              Stream.concat(command.stream(), Stream.of("--progress")).toArray(String[]::new));

      assertThat(shown.code()).as(shown.toString()).isZero().isEqualTo(plain.code());
      assertThat(shown.out()).as("stdout of %s", command).isEqualTo(plain.out());
      List<String> lines = progressLines(shown.err());
      assertThat(lines).as("%s", shown).isNotEmpty();
      String verb = command.contains("verify") ? "verifying" : "reading";
      assertThat(lines)
          .contains(verb + " segment 1/3, 0%", verb + " segment 3/3, 100%")
          .allSatisfy(l -> assertThat(l).doesNotContain("\n"));
      assertThat(shown.err()).as("cleared at the end").matches("(?s).*\r +\r$");
      assertThat(plain.err()).isEmpty();
    }
  }

  @Test
  void exportAndCompactShowTheirKeysAsTheyWriteThem() {
    JarRunner.Result export =
        JarRunner.run(
            "export", store.toString(), tmp.resolve("out.jsonl").toString(), "--progress");
    assertThat(export.code()).as(export.toString()).isZero();
    assertThat(export.out()).startsWith("exported 150 live key(s)");
    assertThat(progressLines(export.err()))
        .contains(
            "reading segment 3/3, 100%", "exporting key 1/150, 0%", "exporting key 150/150, 100%");

    JarRunner.Result compact =
        JarRunner.run(
            "compact", store.toString(), tmp.resolve("compacted").toString(), "--progress");
    assertThat(compact.code()).as(compact.toString()).isZero();
    assertThat(compact.out()).startsWith("compacted 150 live key(s)");
    assertThat(progressLines(compact.err()))
        .contains("compacting key 150/150, 100%", "compacting: syncing the new store to disk");
    assertThat(compact.err()).matches("(?s).*\r +\r$");
  }

  @Test
  void withoutATerminalNothingIsShown() {
    for (String[] command :
        new String[][] {
          {"verify", store.toString()},
          {"check", store.toString()},
          {"get", store.toString(), "--key", "key-0-0"},
          {"export", store.toString(), tmp.resolve("quiet.jsonl").toString()},
        }) {
      JarRunner.Result r = JarRunner.run(command);

      assertThat(r.code()).as(r.toString()).isZero();
      assertThat(r.err()).as(r.toString()).isEmpty();
      assertThat(r.out()).doesNotContain("\r", "segment 1/3");
    }
  }

  @Test
  void aTerminalTurnsProgressOnAndNoProgressTurnsItOff() {
    Run terminal = run(true, "check", store.toString());
    Run pipe = run(false, "check", store.toString());
    Run terminalOff = run(true, "check", store.toString(), "--no-progress");
    Run pipeOn = run(false, "--progress", "check", store.toString());

    assertThat(progressLines(terminal.err)).contains("checking key 150/150, 100%");
    assertThat(pipe.err).isEmpty();
    assertThat(terminalOff.err).isEmpty();
    assertThat(progressLines(pipeOn.err)).isEqualTo(progressLines(terminal.err));
    assertThat(List.of(terminal.out, terminalOff.out, pipeOn.out)).containsOnly(pipe.out);
    assertThat(run(false, "check", store.toString(), "--progress", "--no-progress").err)
        .contains("give --progress or --no-progress, not both");
  }

  @Test
  void theLineIsRedrawnOnlyWhenItChangesPaddedOverALongerOneAndClearedAtTheEnd() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Progress progress =
        Progress.on(
            new PrintStream(err, true, StandardCharsets.UTF_8),
            new PrintStream(OutputStream.nullOutputStream()));

    for (long i = 1; i <= 1000; i++) {
      progress.count("checking", "key", i, 1000);
    }
    progress.show("done");
    progress.clear();

    String text = err.toString(StandardCharsets.UTF_8);
    List<String> lines = progressLines(text);
    assertThat(lines).as("one line per percent, 0 to 100, then done").hasSize(101 + 1);
    assertThat(lines.get(0)).isEqualTo("checking key 1/1000, 0%");
    assertThat(lines.get(100)).isEqualTo("checking key 1000/1000, 100%");
    String last = "checking key 1000/1000, 100%";
    assertThat(text)
        .endsWith(
            "\rdone"
                + " ".repeat(last.length() - "done".length())
                + "\r"
                + " ".repeat("done".length())
                + "\r");
  }

  /** What one in-process run wrote. */
  private record Run(String out, String err) {}

  private static Run run(boolean terminal, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    new Cli(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            () -> terminal)
        .run(args);
    return new Run(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The progress lines written to stderr, each without the spaces that padded it. */
  private static List<String> progressLines(String err) {
    Matcher m = LINE.matcher(err);
    List<String> lines = new ArrayList<>();
    while (m.find()) {
      if (!m.group(1).isEmpty()) {
        lines.add(m.group(1));
      }
    }
    return lines;
  }
}
