package dev.datawal.powerloss;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * "A 2xx from the application means the write survives": a client drives the sample app's REST API
 * with concurrent requests and writes the oracle only after each 2xx response, then the app is
 * killed (and, as root, its file system shut down first). A few rounds in the quick build, more
 * under {@code -Pfaults} ({@code powerloss.http.rounds}).
 */
@ExtendWith(NoLeftoverMounts.class)
class HttpLoadHarnessTests {
  @Test
  void aSuccessfulResponseSurvivesAKill() throws Exception {
    HarnessRun.runAndCheck(
        HttpLoadHarnessTests.class, "http", Fault.SIGKILL, CutHarness.Driver.HTTP, 2);
  }

  /** As root: the file system is shut down under the app; 2xx responses before it are owed. */
  @Test
  void aSuccessfulResponseSurvivesAFileSystemShutdown() throws Exception {
    var unavailable = FileSystemShutdown.unavailable();
    unavailable.ifPresent(why -> System.out.println("HTTP file-system harness skipped: " + why));
    Assumptions.assumeTrue(unavailable.isEmpty(), () -> "skipped: " + unavailable.orElse(""));
    HarnessRun.runAndCheck(
        HttpLoadHarnessTests.class,
        "httpfs",
        new FileSystemShutdown(List.of(FileSystemShutdown.Kind.EXT4, FileSystemShutdown.Kind.XFS)),
        CutHarness.Driver.HTTP,
        2);
  }
}
