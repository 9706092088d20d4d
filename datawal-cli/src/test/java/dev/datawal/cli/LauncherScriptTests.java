package dev.datawal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code bin/datawal} launcher finds the jar this build made and passes everything through. */
class LauncherScriptTests {
  private static final Path LAUNCHER =
      Path.of(System.getProperty("datawal.cli.launcher", "bin/datawal")).toAbsolutePath();

  @TempDir Path tmp;

  @Test
  void theLauncherRunsTheJarWithTheArgumentsAndItsExitCode() throws Exception {
    JarRunner.jar(); // built, beside the launcher in ../target
    assertThat(Files.isExecutable(LAUNCHER)).as("%s is executable", LAUNCHER).isTrue();
    Path store = TestStores.fixture("truncated_tail", tmp.resolve("store"));
    Path link = Files.createSymbolicLink(tmp.resolve("datawal"), LAUNCHER);

    JarRunner.Result version = JarRunner.exec(List.of(link.toString(), "--version"));
    JarRunner.Result report =
        JarRunner.exec(List.of(LAUNCHER.toString(), "--json", "report", store.toString()));

    assertThat(version.code()).as(version.toString()).isZero();
    assertThat(version.out()).startsWith("datawal-cli ");
    assertThat(report.code()).as(report.toString()).isEqualTo(2);
    assertThat(report.single("report").get("tail_bytes_discarded").asLong()).isEqualTo(28);
  }
}
