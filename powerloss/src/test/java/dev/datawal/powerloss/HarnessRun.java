package dev.datawal.powerloss;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Runs a {@link CutHarness} against the real sample app from a test, with the rounds and seed given
 * by system properties {@code powerloss.<name>.rounds} and {@code powerloss.<name>.seed} (a number,
 * or {@code random}), and checks every round: validated OK, nothing acknowledged dropped, something
 * acknowledged before the cut. Round directories stay under {@code powerloss.work.dir}.
 */
final class HarnessRun {
  private static final long DEFAULT_SEED = 20_261_124L;

  private HarnessRun() {}

  static long seed(String name) {
    String seed = System.getProperty("powerloss." + name + ".seed", "");
    if (seed.isEmpty()) {
      return DEFAULT_SEED;
    }
    return seed.equals("random") ? new SecureRandom().nextLong() >>> 16 : Long.parseLong(seed);
  }

  static List<CutHarness.Round> runAndCheck(String name, Fault fault, int defaultRounds)
      throws Exception {
    return runAndCheck(name, fault, CutHarness.Driver.WORKLOAD, defaultRounds);
  }

  static List<CutHarness.Round> runAndCheck(
      String name, Fault fault, CutHarness.Driver driver, int defaultRounds) throws Exception {
    int rounds = Integer.getInteger("powerloss." + name + ".rounds", defaultRounds);
    long seed = seed(name);
    Path work =
        Path.of(System.getProperty("powerloss.work.dir", "target/harness"))
            .resolve(name + "-" + seed + "-" + System.currentTimeMillis());
    List<String> app = SampleAppCommand.resolve();
    System.out.printf(
        "%s harness: rounds=%d seed=%d (replay: -Dpowerloss.%s.seed=%d"
            + " -Dpowerloss.%s.rounds=%d) work=%s app=%s%n",
        name, rounds, seed, name, seed, name, rounds, work, SampleAppCommand.describe(app));

    List<CutHarness.Round> results =
        new CutHarness(app, work, System.out, fault, driver).run(rounds, seed);

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
        .as("failed rounds (replay one with -Dpowerloss.%s.seed=<seed>)", name)
        .isEmpty();
    for (CutHarness.Round r : results) {
      assertThat(r.verdict()).startsWith("OK");
      assertThat(r.figure("dropped")).isZero();
      assertThat(r.acknowledged())
          .as("round %d acknowledged ops before the cut", r.index())
          .isPositive();
    }
    System.out.printf(
        "%s harness: %d rounds passed, acknowledged=%d acknowledged_during_cut=%d survived=%d"
            + " dropped=%d in_flight=%d tail_bytes_discarded=%d%n",
        name,
        results.size(),
        results.stream().mapToLong(CutHarness.Round::acknowledged).sum(),
        results.stream().mapToLong(CutHarness.Round::acknowledgedDuringCut).sum(),
        results.stream().mapToLong(r -> r.figure("survived")).sum(),
        results.stream().mapToLong(r -> r.figure("dropped")).sum(),
        results.stream().mapToLong(r -> r.figure("in_flight")).sum(),
        results.stream().mapToLong(CutHarness.Round::tailBytesDiscarded).sum());
    return results;
  }
}
