package dev.datawal.powerloss;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Power-cut harness: runs the sample app's workload in a child JVM, cuts it at a seeded random
 * moment while its writers are in the middle of durable writes (the {@link Fault}: SIGKILL alone,
 * or a file-system shutdown first), kills the app with SIGKILL ({@link Process#destroyForcibly()}
 * on Linux), brings the store's file system back, restarts the app on the store (its recovery must
 * open it), and runs the {@link Validator} in a child JVM, as a rebooted machine would. Repeated
 * for N rounds; round i uses seed {@code baseSeed + i}, which picks the workload seed, the writer
 * count (1, 2, 4 or 8), the cut delay and the fault's own choices, and is printed so a round can be
 * replayed alone ({@code rounds=1, seed=<round seed>}).
 *
 * <p>Each round keeps its directory ({@code round-<i>-seed-<seed>}: store, oracle, both app logs,
 * the validator's output); nothing is deleted. Exit code: 0 every round passed, 1 a round failed
 * validation, 2 setup error (the app did not start, exited by itself, or failed to restart).
 */
public final class CutHarness {
  private static final Pattern STARTED = Pattern.compile("workload: started ");
  private static final Pattern APP_STARTED = Pattern.compile("Started SampleApplication in ");
  private static final Pattern OPENED =
      Pattern.compile("datawal: opened kv store .*?: (files_scanned=.*)");
  private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final List<String> appCommand;
  private final Path workDir;
  private final PrintStream out;
  private final Fault fault;
  private final Driver driver;

  /** What writes to the store while the cut comes. */
  public enum Driver {
    /** The app's own workload mode, through the auto-configured store bean. */
    WORKLOAD,
    /** {@link HttpLoad}: a client over the app's REST API, acknowledging on a 2xx response. */
    HTTP
  }

  /**
   * @param appCommand the command that starts the sample app, such as {@code java -jar app.jar};
   *     the harness appends Spring arguments to it
   * @param workDir where round directories go
   * @param out where progress and the per-round lines go
   * @param fault how each round cuts the power
   * @param driver what writes while the cut comes
   */
  public CutHarness(
      List<String> appCommand, Path workDir, PrintStream out, Fault fault, Driver driver) {
    this.appCommand = List.copyOf(appCommand);
    this.workDir = workDir;
    this.out = out;
    this.fault = fault;
    this.driver = driver;
  }

  /** One round's outcome. */
  public record Round(
      int index,
      long seed,
      String fault,
      int concurrency,
      long cutAfterMillis,
      long acknowledged,
      long acknowledgedDuringCut,
      long tailBytesDiscarded,
      int exitCode,
      String verdict,
      Map<String, Long> figures,
      Path dir) {
    /** A figure from the validator's summary line, such as {@code survived}; -1 if absent. */
    public long figure(String name) {
      return figures.getOrDefault(name, -1L);
    }
  }

  /**
   * Runs a harness from the command line: {@code <work dir> <rounds> <seed> -- <app command>}.
   *
   * @return the exit code: the worst round's
   */
  static int main(String name, Fault fault, String[] args) throws Exception {
    int dash = Arrays.asList(args).indexOf("--");
    if (args.length < 5 || dash != 3) {
      System.out.println(
          "usage: " + name + " <work dir> <rounds> <seed> -- <command starting the sample app>");
      return 2;
    }
    CutHarness harness =
        new CutHarness(
            Arrays.asList(args).subList(dash + 1, args.length),
            Path.of(args[0]),
            System.out,
            fault,
            Driver.valueOf(System.getProperty("powerloss.driver", "WORKLOAD")));
    List<Round> rounds = harness.run(Integer.parseInt(args[1]), Long.parseLong(args[2]));
    return rounds.stream().mapToInt(Round::exitCode).max().orElse(0);
  }

  /** Runs {@code rounds} rounds with seeds {@code baseSeed}, {@code baseSeed + 1}, ... */
  public List<Round> run(int rounds, long baseSeed) throws IOException, InterruptedException {
    List<Round> results = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      Round round = round(i, baseSeed + i);
      results.add(round);
      out.printf(
          "round %d seed=%d fault=%s concurrency=%d cut_after=%dms acknowledged=%d"
              + " acknowledged_during_cut=%d tail_bytes_discarded=%d exit=%d %s%n",
          round.index(),
          round.seed(),
          round.fault(),
          round.concurrency(),
          round.cutAfterMillis(),
          round.acknowledged(),
          round.acknowledgedDuringCut(),
          round.tailBytesDiscarded(),
          round.exitCode(),
          round.verdict());
    }
    return results;
  }

  /**
   * One round: start the workload, cut, kill it, restore, restart the app, validate.
   *
   * @throws IOException also if the fault cannot release what it prepared (a file system still
   *     busy), whatever the round's verdict: a leaked mount must not pass
   */
  public Round round(int index, long seed) throws IOException, InterruptedException {
    // Scrambled: java.util.Random's first draws from consecutive seeds are nearly equal.
    Random random = new Random(seed * 0x9E3779B97F4A7C15L);
    int concurrency = 1 << random.nextInt(4);
    long cutAfter = 50 + random.nextInt(1_500);
    if (driver == Driver.HTTP) {
      cutAfter = 500 + 2 * cutAfter; // the client's requests start cold: give them time to warm up
    }
    Path dir = Files.createDirectories(workDir.resolve("round-" + index + "-seed-" + seed));
    Fault.Target target = fault.prepare(dir, random);
    Round round;
    try {
      round = cutAndValidate(new Plan(index, seed, concurrency, cutAfter, dir, target));
    } catch (IOException | InterruptedException | RuntimeException e) {
      try {
        target.release(true);
      } catch (IOException | InterruptedException | RuntimeException releaseFailed) {
        e.addSuppressed(releaseFailed);
      }
      throw e;
    }
    target.release(round.exitCode() != 0);
    return round;
  }

  /** What a round does, drawn from its seed. */
  private record Plan(
      int index, long seed, int concurrency, long cutAfter, Path dir, Fault.Target target) {
    Round setupError(String why) {
      return result(
          new Acknowledgements(-1, -1), -1, 2, "SETUP ERROR " + why + " (see " + dir + ")");
    }

    Round result(Acknowledgements acks, long tailBytesDiscarded, int exitCode, String verdict) {
      return new Round(
          index,
          seed,
          target.describe(),
          concurrency,
          cutAfter,
          acks.owed(),
          acks.duringCut(),
          tailBytesDiscarded,
          exitCode,
          verdict,
          fields(verdict),
          dir);
    }
  }

  private Round cutAndValidate(Plan plan) throws IOException, InterruptedException {
    Path dir = plan.dir();
    Path store = plan.target().storeParent().resolve("store");
    Path oracle = dir.resolve("oracle.txt"); // on another file system than a cut store
    List<String> common =
        List.of(
            "--datawal.dir=" + store,
            "--sample.events-dir=" + dir.resolve("events"),
            "--spring.main.banner-mode=off");

    Path workloadLog = dir.resolve("app-workload.log");
    List<String> args = new ArrayList<>(common);
    int port = driver == Driver.HTTP ? freePort() : -1;
    if (driver == Driver.WORKLOAD) {
      args.addAll(
          List.of(
              "--spring.profiles.active=workload",
              "--sample.workload.seed=" + plan.seed(),
              "--sample.workload.ops=0",
              "--sample.workload.duration=10m",
              "--sample.workload.concurrency=" + plan.concurrency(),
              "--sample.workload.oracle=" + oracle));
    } else {
      args.add("--server.port=" + port);
    }
    Process app = start(args, workloadLog);
    HttpLoad load = null;
    long owedBytes = Long.MAX_VALUE;
    try {
      if (!awaitLine(app, workloadLog, driver == Driver.WORKLOAD ? STARTED : APP_STARTED)) {
        return plan.setupError("the app did not start");
      }
      if (driver == Driver.HTTP) {
        load =
            new HttpLoad(
                URI.create("http://localhost:" + port),
                oracle,
                plan.seed(),
                plan.concurrency(),
                ReferenceWorkload.DEFAULT_KEY_LENGTH,
                ReferenceWorkload.DEFAULT_VALUE_LENGTH);
        load.start();
      }
      Thread.sleep(plan.cutAfter());
      if (!app.isAlive()) {
        return plan.setupError("the app exited by itself");
      }
      if (load != null && load.firstStop() != null) {
        return plan.setupError("the HTTP load stopped before the cut: " + load.firstStop());
      }
      if (!plan.target().instantaneous()) {
        owedBytes = oracleLength(oracle); // what was acknowledged before the cut began
      }
      plan.target().cut();
    } finally {
      app.destroyForcibly(); // SIGKILL on Linux
      app.waitFor();
      if (load != null) {
        load.stop(); // its requests fail now: the app is gone
        load.close();
      }
    }
    // Every oracle line was written only after its op was durable. What is owed: every line, after
    // an instantaneous cut; else the lines written before the cut began.
    Acknowledgements acknowledged = Acknowledgements.count(oracle, owedBytes);
    plan.target().restore();

    // Restart the app on the store, as an operator would: no workload, no web server; it opens
    // the store (recovery), and exits.
    List<String> restart = new ArrayList<>(common);
    restart.add("--spring.main.web-application-type=none");
    Path restartLog = dir.resolve("app-restart.log");
    Process again = start(restart, restartLog);
    if (!again.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      again.destroyForcibly();
      again.waitFor(); // dead, so that it no longer holds the store when it is released
      return plan.setupError("the restart did not finish");
    }
    Matcher opened = OPENED.matcher(Files.readString(restartLog));
    if (again.exitValue() != 0 || !opened.find()) {
      return plan.result(
          acknowledged,
          -1,
          1,
          "FAIL the app did not reopen the store (exit " + again.exitValue() + ")");
    }
    Map<String, Long> recovery = fields(opened.group(1));

    List<String> validatorArgs = new ArrayList<>();
    if (owedBytes != Long.MAX_VALUE) {
      validatorArgs.add("--cut-at-byte=" + owedBytes);
    }
    validatorArgs.add(store.toString());
    validatorArgs.add(oracle.toString());
    Path report = dir.resolve("validator.txt");
    int code = ValidatorProcess.run(validatorArgs, report);
    String text = Files.readString(report);
    String verdict =
        text.lines()
            .filter(l -> l.startsWith("OK") || l.startsWith("FAIL"))
            .findFirst()
            .orElse(text.strip());
    return plan.result(
        acknowledged, recovery.getOrDefault("tail_bytes_discarded", -1L), code, verdict);
  }

  /**
   * The oracle's acknowledgement lines: those ending within its first {@code owedBytes} bytes
   * (owed) and the others (written during the cut).
   */
  private record Acknowledgements(long owed, long duringCut) {
    static Acknowledgements count(Path oracle, long owedBytes) throws IOException {
      long owed = 0;
      long duringCut = 0;
      long end = 0;
      String[] lines = Files.readString(oracle, StandardCharsets.US_ASCII).split("\n", -1);
      // The text after the last newline is empty, or a line torn by the cut: not an ack.
      for (String line : Arrays.asList(lines).subList(0, lines.length - 1)) {
        end += line.length() + 1;
        if (line.startsWith("P ") || line.startsWith("D ")) {
          if (end <= owedBytes) {
            owed++;
          } else {
            duringCut++;
          }
        }
      }
      return new Acknowledgements(owed, duringCut);
    }
  }

  private static long oracleLength(Path oracle) throws IOException {
    return Files.exists(oracle) ? Files.size(oracle) : 0;
  }

  private static Map<String, Long> fields(String text) {
    Map<String, Long> fields = new HashMap<>();
    Matcher m = FIELD.matcher(text);
    while (m.find()) {
      fields.put(m.group(1), Long.parseLong(m.group(2)));
    }
    return fields;
  }

  /** A port nothing listens on now (the app binds it a moment later). */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private Process start(List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>(appCommand);
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** Waits until {@code log} has a line matching {@code pattern}; false if the app ended first. */
  private static boolean awaitLine(Process app, Path log, Pattern pattern)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (pattern.matcher(Files.readString(log)).find()) {
        return true;
      }
      if (!app.isAlive()) {
        return false;
      }
      Thread.sleep(20);
    }
    return false;
  }
}
