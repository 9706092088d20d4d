package dev.datawal.cli;

import static dev.datawal.cli.TestStores.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive that {@code package} builds, {@code datawal-cli-<version>.tar.gz},
 * unpacked as a user would and run from there: its launcher finds its own {@code lib}, nothing of
 * this repository.
 */
class DistributionTests {
  private static final Path ARCHIVE =
      Path.of(System.getProperty("datawal.cli.dist", "target/datawal-cli.tar.gz")).toAbsolutePath();
  private static final String VERSION = System.getProperty("datawal.cli.version", "unknown");

  @TempDir static Path tmp;
  private static Path home;

  @BeforeAll
  static void unpack() {
    assertThat(ARCHIVE).as("the archive %s (built by package)", ARCHIVE).isRegularFile();
    Path into = tmp.resolve("unpacked");
    try {
      Files.createDirectories(into);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    JarRunner.Result tar =
        JarRunner.exec(List.of("tar", "-xzf", ARCHIVE.toString(), "-C", into.toString()));
    assertThat(tar.code()).as(tar.toString()).isZero();
    home = into.resolve("datawal-cli-" + VERSION);
  }

  @Test
  void theArchiveHoldsTheLauncherTheJarsAndAReadme() throws IOException {
    assertThat(Files.isExecutable(home.resolve("bin/datawal")))
        .as("bin/datawal executable")
        .isTrue();
    assertThat(home.resolve("README.md")).isRegularFile();
    assertThat(home.resolve("LICENSE")).content().contains("Apache License");
    try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
      assertThat(lib.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "datawal-cli-" + VERSION + ".jar", "datawal-engine-" + VERSION + ".jar");
    }
  }

  @Test
  void theUnpackedLauncherRunsHelpAndARealCommand() {
    Path store = tmp.resolve("store");
    try (DataWal kv = DataWal.open(store)) {
      kv.put(utf8("greeting"), utf8("hello, world"));
      kv.put(utf8("bytes"), new byte[] {0, 1, (byte) 0xFF});
    }
    // Through a link elsewhere, as when installed on the PATH: the launcher finds ../lib itself.
    Path link;
    try {
      link = Files.createSymbolicLink(tmp.resolve("datawal"), home.resolve("bin/datawal"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }

    JarRunner.Result help = launch(home.resolve("bin/datawal"), "--help");
    assertThat(help.code()).as(help.toString()).isZero();
    assertThat(help.out())
        .startsWith("datawal - inspect and repair a datawal store")
        .contains("commands:", "get", "verify");

    JarRunner.Result version = launch(link, "--version");
    assertThat(version.out()).as(version.toString()).isEqualTo("datawal-cli " + VERSION + "\n");

    JarRunner.Result get = launch(link, "get", store.toString(), "--key", "greeting");
    assertThat(get.code()).as(get.toString()).isZero();
    assertThat(get.out()).isEqualTo("hello, world\n");
    assertThat(get.err()).isEmpty();

    JarRunner.Result raw =
        launch(
            home.resolve("bin/datawal"),
            "get",
            store.toString(),
            "--key",
            "bytes",
            "--bytes",
            "raw");
    assertThat(raw.outBytes()).as(raw.toString()).containsExactly(0, 1, 0xFF);

    JarRunner.Result miss = launch(link, "get", store.toString(), "--key", "nothing");
    assertThat(miss.code()).as(miss.toString()).isEqualTo(2);
    assertThat(miss.err()).contains("key not found");
  }

  /** Runs the unpacked launcher with this JVM's Java, and no DATAWAL_CLI_JAR to point elsewhere. */
  private static JarRunner.Result launch(Path launcher, String... args) {
    List<String> command = Stream.concat(Stream.of(launcher.toString()), Stream.of(args)).toList();
    return JarRunner.exec(
        command,
        (Map<String, String> env) -> {
          env.remove("DATAWAL_CLI_JAR");
          env.put("JAVA_HOME", System.getProperty("java.home"));
        });
  }
}
