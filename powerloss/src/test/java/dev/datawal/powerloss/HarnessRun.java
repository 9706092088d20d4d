package dev.datawal.powerloss;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Runs a {@link CutHarness} against the real sample app from a test, with the rounds and seed given
 * by system properties {@code powerloss.<name>.rounds} and {@code powerloss.<name>.seed} (a number,
 * or {@code random}; the base seed is printed as {@code <TestClass>: seed <N> (replay:
 * -Dtest=<TestClass> -Dpowerloss.<name>.seed=<N>)}, as the engine's {@code TestSeed} prints its
 * seeds), and checks every round: validated OK, nothing acknowledged dropped, something
 * acknowledged before the cut. Round directories stay under {@code powerloss.work.dir}.
 */
final class HarnessRun {
  private static final long DEFAULT_SEED = 20_261_124L;

  private HarnessRun() {}

  /** Where the harnesses' work directories go ({@code powerloss.work.dir}), as an absolute path. */
  static Path workRoot() {
    return Path.of(System.getProperty("powerloss.work.dir", "target/harness"))
        .toAbsolutePath()
        .normalize();
  }

  /** The base seed for {@code test}'s harness {@code name}: fixed unless the property is set. */
  static long seed(Class<?> test, String name) {
    String property = "powerloss." + name + ".seed";
    String value = System.getProperty(property, "").trim();
    long seed =
        value.isEmpty()
            ? DEFAULT_SEED
            : value.equals("random") ? new SecureRandom().nextLong() >>> 16 : Long.parseLong(value);
    String testClass = test.getSimpleName();
    System.out.printf(
        "%s: seed %d (replay: -Dtest=%s -D%s=%d)%n", testClass, seed, testClass, property, seed);
    return seed;
  }

  static List<CutHarness.Round> runAndCheck(
      Class<?> test, String name, Fault fault, int defaultRounds) throws Exception {
    return runAndCheck(test, name, fault, CutHarness.Driver.WORKLOAD, defaultRounds);
  }

  static List<CutHarness.Round> runAndCheck(
      Class<?> test, String name, Fault fault, CutHarness.Driver driver, int defaultRounds)
      throws Exception {
    int rounds = Integer.getInteger("powerloss." + name + ".rounds", defaultRounds);
    long seed = seed(test, name);
    Path work = workRoot().resolve(name + "-" + seed + "-" + System.currentTimeMillis());
    List<String> app = SampleAppCommand.resolve();
    System.out.printf(
        "%s harness: rounds=%d (-Dpowerloss.%s.rounds=%d) work=%s app=%s%n",
        name, rounds, name, rounds, work, SampleAppCommand.describe(app));

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
