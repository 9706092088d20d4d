package dev.datawal.modulith;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.modulith.crash.CrashApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed (SIGKILL) between a publication and its completion: restarted with {@code
 * spring.modulith.events.republish-outstanding-events-on-restart=true}, the listener runs again and
 * the publication completes; the application's own write of the publishing transaction is there
 * exactly once. The child is {@link CrashApplication}, run on this test's class path.
 */
class ListenerCrashTests {
  private static final long START_TIMEOUT_SECONDS = 90;

  @TempDir Path dir;

  @Test
  void aListenerKilledMidwayRunsAgainAfterTheRestartAndThePublicationCompletes() throws Exception {
    Path store = dir.resolve("store");
    Path markers = Files.createDirectories(dir.resolve("markers"));
    Path firstLog = dir.resolve("first.log");
    Path secondLog = dir.resolve("second.log");

    Process first = start(firstLog, "--crash.mode=publish", "--crash.block=true", store, markers);
    try {
      waitFor(markers.resolve("listener-started"), first, firstLog);
    } finally {
      first.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no close
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).as("the first child died").isTrue();
    }

    Process second =
        start(
            secondLog,
            "--crash.mode=recover",
            "--spring.modulith.events.republish-outstanding-events-on-restart=true",
            store,
            markers);
    boolean exited = second.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!exited) {
      second.destroyForcibly();
    }
    String output = Files.readString(secondLog);
    assertThat(exited).as("the second child exited; its output:\n" + output).isTrue();
    assertThat(second.exitValue()).as(output).isZero();
    assertThat(output).as(output).contains("RESULT orders=1 handled=1 incomplete=0 completed=1");
  }

  private static Process start(Path log, String mode, String option, Path store, Path markers)
      throws IOException {
    return start(log, List.of(mode, option), store, markers);
  }

  private static Process start(Path log, List<String> options, Path store, Path markers)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(CrashApplication.class.getName());
    command.add("--datawal.dir=" + store);
    command.add("--crash.markers=" + markers);
    command.addAll(options);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** Waits, at most START_TIMEOUT_SECONDS, for {@code marker}; fails with the child's output. */
  private static void waitFor(Path marker, Process child, Path log)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
    while (!Files.exists(marker)) {
      if (!child.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError(
            "the first child "
                + (child.isAlive() ? "did not signal in " + START_TIMEOUT_SECONDS + " s" : "exited")
                + "; its output:\n"
                + Files.readString(log));
      }
      Thread.sleep(50);
    }
  }
}
