package dev.datawal.powerloss;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The SIGKILL harness against the real sample app: a few rounds in the quick build, more under
 * {@code -Pfaults} ({@code powerloss.sigkill.rounds}, a random printed seed). Round directories
 * stay under {@code target/sigkill} as evidence.
 */
class SigkillHarnessTests {
  private static final long DEFAULT_SEED = 20_261_124L;

  static long seed() {
    String seed = System.getProperty("powerloss.sigkill.seed", "");
    if (seed.isEmpty()) {
      return DEFAULT_SEED;
    }
    return seed.equals("random") ? new SecureRandom().nextLong() >>> 16 : Long.parseLong(seed);
  }

  @Test
  void killedWorkloadsLoseNoAcknowledgedWriteAndInventNothing() throws Exception {
    int rounds = Integer.getInteger("powerloss.sigkill.rounds", 3);
    long seed = seed();
    Path work =
        Path.of(System.getProperty("powerloss.work.dir", "target/sigkill"))
            .resolve("run-" + seed + "-" + System.currentTimeMillis());
    List<String> app = SampleAppCommand.resolve();
    System.out.printf(
        "SIGKILL harness: rounds=%d seed=%d (replay: -Dpowerloss.sigkill.seed=%d"
            + " -Dpowerloss.sigkill.rounds=%d) work=%s app=%s%n",
        rounds, seed, seed, rounds, work, SampleAppCommand.describe(app));

    List<SigkillHarness.Round> results =
        new SigkillHarness(app, work, System.out).run(rounds, seed);

    String failures =
        results.stream()
            .filter(r -> r.exitCode() != 0)
            .map(
                r ->
                    "round "
                        + r.index()
                        + " seed="
                        + r.seed()
                        + ": "
                        + r.verdict()
                        + " in "
                        + r.dir())
            .collect(Collectors.joining("\n"));
    assertThat(failures)
        .as("failed rounds (replay one with -Dpowerloss.sigkill.seed=<seed>)")
        .isEmpty();
    for (SigkillHarness.Round r : results) {
      assertThat(r.verdict()).startsWith("OK");
      assertThat(r.figure("dropped")).isZero();
      assertThat(r.acknowledged())
          .as("round %d acknowledged ops before the kill", r.index())
          .isPositive();
    }
    System.out.printf(
        "SIGKILL harness: %d rounds passed, acknowledged=%d survived=%d dropped=%d in_flight=%d"
            + " tail_bytes_discarded=%d%n",
        results.size(),
        results.stream().mapToLong(SigkillHarness.Round::acknowledged).sum(),
        results.stream().mapToLong(r -> r.figure("survived")).sum(),
        results.stream().mapToLong(r -> r.figure("dropped")).sum(),
        results.stream().mapToLong(r -> r.figure("in_flight")).sum(),
        results.stream().mapToLong(SigkillHarness.Round::tailBytesDiscarded).sum());
  }
}
