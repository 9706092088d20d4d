package dev.datawal.powerloss;

import org.junit.jupiter.api.Test;

/**
 * The SIGKILL harness against the real sample app: a few rounds in the quick build, more under
 * {@code -Pfaults} ({@code powerloss.sigkill.rounds}, a random printed seed). Round directories
 * stay under {@code target/harness} as evidence.
 */
class SigkillHarnessTests {
  @Test
  void killedWorkloadsLoseNoAcknowledgedWriteAndInventNothing() throws Exception {
    HarnessRun.runAndCheck(SigkillHarnessTests.class, "sigkill", Fault.SIGKILL, 3);
  }
}
