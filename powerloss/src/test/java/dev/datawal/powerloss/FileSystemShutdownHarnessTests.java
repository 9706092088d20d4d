package dev.datawal.powerloss;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The file-system power-cut harness against the real sample app (root only): the store on a
 * loop-device ext4 or XFS file system that is shut down without a log flush while writes are in
 * flight, then remounted. Skipped, saying why, where it cannot run. Two rounds (one of each file
 * system) in the quick build, more under {@code -Pfaults} ({@code powerloss.fs.rounds}).
 */
@ExtendWith(NoLeftoverMounts.class)
class FileSystemShutdownHarnessTests {
  /**
   * What is owed is what was acknowledged before the shutdown began: an fsync that overlaps the
   * shutdown call can report success for data it then discards (a property of the fault, measured
   * in {@code powerloss/shutdown-race/}), so acknowledgements written during it count as in flight.
   */
  @Test
  void fileSystemShutdownsLoseNoAcknowledgedWriteAndInventNothing() throws Exception {
    Optional<String> unavailable = FileSystemShutdown.unavailable();
    if (unavailable.isPresent()) {
      System.out.println("file-system power-cut harness skipped: " + unavailable.get());
    }
    Assumptions.assumeTrue(unavailable.isEmpty(), () -> "skipped: " + unavailable.orElse(""));
    List<FileSystemShutdown.Kind> kinds =
        FileSystemShutdown.kinds(System.getProperty("powerloss.fs.kinds", "ext4,xfs"));
    List<CutHarness.Round> rounds =
        HarnessRun.runAndCheck(
            FileSystemShutdownHarnessTests.class, "fs", new FileSystemShutdown(kinds), 2);
    assertThat(rounds)
        .extracting(CutHarness.Round::fault)
        .contains("shutdown-" + kinds.get(0).name().toLowerCase(java.util.Locale.ROOT));
  }
}
