package dev.datawal.crash;

import dev.datawal.testing.TestSeed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Cuts the power at every I/O step of a {@link Workload} (or a seeded sample of the steps when
 * there are many), draws several crash images per cut, and checks each with {@link CrashCheck}.
 *
 * <p>For each workload: one run without a cut counts its steps {@code S} and must itself pass the
 * checks; then for each chosen step {@code n} in {@code 1..S}, a run cut at {@code n} (and, if step
 * {@code n} is a write, a second run where the cut tears that write), and for each run {@link
 * Settings#imagesPerStep()} crash images. Images identical to one already checked at the same step
 * (the same files and bytes under the same oracle) are counted but not checked again.
 *
 * <p>System properties: {@code datawal.crash.seed} (the base seed; {@code random} for a new one),
 * {@code datawal.crash.scale} (multiplies images per step and the step sample cap), {@code
 * datawal.crash.only} ({@code workload[:step[:plain|torn[:imageSeedHex]]]}, to replay one case),
 * {@code datawal.crash.budgetSeconds} (per workload, default 300 times the scale; past it the sweep
 * stops early and says so), {@code datawal.crash.threads} (steps swept in parallel, default the
 * processor count; every run has its own file system, so results do not depend on it), {@code
 * datawal.crash.printSteps} (print each workload's I/O steps, by script op), {@code
 * datawal.crash.strictVersion} (fail on images refused by the format's newer-version rule instead
 * of counting them, see {@link CrashCheck.Refused}).
 */
final class CrashSweep {
  private static final AtomicLong RUNS = new AtomicLong();
  private static final int MAX_FAILURES = 5;

  /** How much to sweep, from system properties. */
  record Settings(
      long baseSeed,
      int scale,
      String only,
      long budgetSeconds,
      int threads,
      boolean strictVersion) {
    static final long DEFAULT_SEED = 0x5EED_DA7AL;

    /** The settings for {@code test}, which prints the base seed ({@link TestSeed}). */
    static Settings fromSystemProperties(Class<?> test) {
      long base = TestSeed.of(test, "datawal.crash.seed", DEFAULT_SEED);
      int scale = Integer.getInteger("datawal.crash.scale", 1);
      String only = System.getProperty("datawal.crash.only", "");
      long budget = Long.getLong("datawal.crash.budgetSeconds", 300L * Math.max(1, scale));
      int threads =
          Integer.getInteger("datawal.crash.threads", Runtime.getRuntime().availableProcessors());
      boolean strictVersion = Boolean.getBoolean("datawal.crash.strictVersion");
      return new Settings(
          base, Math.max(1, scale), only, budget, Math.max(1, threads), strictVersion);
    }

    int imagesPerStep() {
      return 6 * scale;
    }

    int maxSteps() {
      return 300 * scale;
    }

    boolean selects(Workload w) {
      return only.isEmpty() || only.split(":")[0].equals(w.name());
    }

    long onlyStep() {
      String[] p = only.split(":");
      return p.length > 1 ? Long.parseLong(p[1]) : -1;
    }

    String onlyVariant() {
      String[] p = only.split(":");
      return p.length > 2 ? p[2] : null;
    }

    Long onlyImageSeed() {
      String[] p = only.split(":");
      return p.length > 3 ? Long.parseUnsignedLong(p[3], 16) : null;
    }

    String describe() {
      return "scale "
          + scale
          + ", "
          + imagesPerStep()
          + " images per cut, at most "
          + maxSteps()
          + " steps per workload, "
          + threads
          + " threads"
          + (only.isEmpty() ? "" : ", only " + only);
    }
  }

  /** What a sweep of one workload did. */
  record Result(
      String workload,
      long steps,
      int stepsSwept,
      long runs,
      long crashPoints,
      long imagesChecked,
      long duplicateImages,
      boolean stoppedEarly,
      List<Failure> failures,
      List<Failure> refusals,
      long millis) {
    String summary() {
      return String.format(
          "[crash] %-15s %4d steps, %4d swept, %4d cut runs, %5d crash points, %5d distinct"
              + " images checked (%d duplicates), %d failures, %d refused by the version rule,"
              + " %.1f s%s",
          workload,
          steps,
          stepsSwept,
          runs,
          crashPoints,
          imagesChecked,
          duplicateImages,
          failures.size(),
          refusals.size(),
          millis / 1000.0,
          stoppedEarly ? " (STOPPED EARLY: time budget spent)" : "");
    }

    /** The first few failures in full, then how to replay each of the others. */
    String report() {
      StringBuilder sb = new StringBuilder("failures by kind (numbers elided):");
      Map<String, Long> kinds = new TreeMap<>();
      for (Failure f : failures) {
        kinds.merge(kind(f), 1L, Long::sum);
      }
      kinds.forEach((k, n) -> sb.append("\n  ").append(n).append(" x ").append(k));
      sb.append("\n\n");
      for (int i = 0; i < Math.min(MAX_FAILURES, failures.size()); i++) {
        sb.append(i == 0 ? "" : "\n\n").append(failures.get(i).detail());
      }
      if (failures.size() > MAX_FAILURES) {
        sb.append("\n\n... and ")
            .append(failures.size() - MAX_FAILURES)
            .append(" more (-Ddatawal.crash.only=...):");
        for (Failure f : failures.subList(MAX_FAILURES, failures.size())) {
          sb.append("\n  ").append(f.replay());
        }
      }
      return sb.toString();
    }
  }

  /** A failure's "found:" line with numbers and paths elided, to group failures by kind. */
  static String kind(Failure f) {
    int at = f.detail().indexOf("found: ");
    String found = at < 0 ? f.detail() : f.detail().substring(at + 7);
    int end = found.indexOf('\n');
    found = end < 0 ? found : found.substring(0, end);
    found = found.replaceAll("/[^ ;,)]*", "<path>").replaceAll("[0-9a-f]{8,}", "<hex>");
    found = found.replaceAll("\\d+", "#");
    return found.length() > 160 ? found.substring(0, 160) + "..." : found;
  }

  /** One execution of a workload's script on a fresh {@link CrashFs}. */
  static final class Run {
    final CrashFs fs;
    final Session session;
    final List<Long> opStartStep = new ArrayList<>();
    int opInProgress = -1;
    PowerCut cut;
    Throwable failure;

    Run(CrashFs fs, Session session) {
      this.fs = fs;
      this.session = session;
    }
  }

  private CrashSweep() {}

  /**
   * Runs {@code script} on a fresh file system (with a mount point no other run used, so the
   * engine's in-process lock registry never sees a store twice), after the workload's setUp; cuts
   * the power at step {@code cutAt} if positive.
   */
  static Run execute(Workload w, List<Workload.Op> script, long cutAt, Long tornSeed) {
    CrashFs fs = new CrashFs(Path.of("/crashfs", "run-" + RUNS.incrementAndGet()));
    Session s = new Session(w, fs);
    w.setUp(s);
    fs.resetSteps();
    if (cutAt > 0) {
      if (tornSeed != null) {
        fs.cutPowerAtStepTearingWrite(cutAt, tornSeed);
      } else {
        fs.cutPowerAtStep(cutAt);
      }
    }
    Run run = new Run(fs, s);
    for (int i = 0; i < script.size(); i++) {
      run.opStartStep.add(fs.steps());
      run.opInProgress = i;
      try {
        script.get(i).action().accept(s);
      } catch (PowerCut cut) {
        run.cut = cut;
        return run;
      } catch (RuntimeException | AssertionError e) {
        run.failure = e;
        return run;
      }
    }
    run.opInProgress = -1;
    return run;
  }

  /**
   * One crash point that failed, or (if {@code refusal}) that the format's newer-version rule
   * refused ({@link CrashCheck.Refused}): how to replay it, and the whole story.
   */
  record Failure(String replay, String detail, boolean refusal) {}

  static Result sweep(Workload w, Settings settings, Path tmp) {
    return new Sweeper(w, settings, tmp).sweep();
  }

  /** The sweep of one workload. */
  private static final class Sweeper {
    final Workload w;
    final Settings settings;
    final Path tmp;
    final long started = System.nanoTime();
    final long deadline;
    final long workloadSeed;
    final List<Workload.Op> script;
    Run base;
    List<String> stepLog;
    long steps;

    Sweeper(Workload w, Settings settings, Path tmp) {
      this.w = w;
      this.settings = settings;
      this.tmp = tmp;
      this.deadline = started + settings.budgetSeconds() * 1_000_000_000L;
      this.workloadSeed = mix(settings.baseSeed() ^ w.name().hashCode());
      this.script = w.script(new SplittableRandom(workloadSeed));
    }

    Result sweep() {
      base = execute(w, script, 0, null);
      if (base.failure != null) {
        throw new AssertionError(
            "workload "
                + w.name()
                + " fails without a power cut at op #"
                + base.opInProgress
                + " "
                + script.get(base.opInProgress).name(),
            base.failure);
      }
      steps = base.fs.steps();
      stepLog = base.fs.stepLog();
      if (Boolean.getBoolean("datawal.crash.printSteps")) {
        System.out.println(stepListing());
      }
      checkStoreLeftAlone();
      List<Failure> failures = new ArrayList<>();
      // The finished run closed the store, so every image of it must pass.
      check(base, steps + 1, "finished", settings.baseSeed(), tmp.resolve(w.name() + "-finished"))
          .ifPresent(failures::add);

      List<Future<StepResult>> futures = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(settings.threads());
      try {
        for (long n : chooseSteps(settings, workloadSeed, steps)) {
          futures.add(pool.submit(() -> sweepStep(n)));
        }
        long runs = 0;
        long points = 0;
        long checked = 0;
        long duplicates = 0;
        int swept = 0;
        boolean stoppedEarly = false;
        for (Future<StepResult> f : futures) {
          StepResult r = f.get();
          if (r == null) {
            stoppedEarly = true;
            continue;
          }
          swept++;
          runs += r.runs;
          points += r.points;
          checked += r.checked;
          duplicates += r.duplicates;
          failures.addAll(r.failures);
        }
        List<Failure> refusals = failures.stream().filter(Failure::refusal).toList();
        failures.removeIf(Failure::refusal);
        return new Result(
            w.name(),
            steps,
            swept,
            runs,
            points,
            checked,
            duplicates,
            stoppedEarly,
            List.copyOf(failures),
            refusals,
            (System.nanoTime() - started) / 1_000_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      } catch (ExecutionException e) {
        throw new AssertionError("the sweep itself failed: " + e.getCause(), e.getCause());
      } finally {
        pool.shutdownNow();
      }
    }

    /** Every cut (and image) at step {@code n}; {@code null} if the time budget is spent. */
    StepResult sweepStep(long n) {
      if (System.nanoTime() > deadline) {
        return null;
      }
      StepResult result = new StepResult();
      Set<String> seen = new HashSet<>();
      List<String> variants = new ArrayList<>(List.of("plain"));
      if (stepLog.get((int) n - 1).startsWith("write ")) {
        variants.add("torn");
      }
      for (int v = 0; v < variants.size(); v++) {
        String variant = variants.get(v);
        if (settings.onlyVariant() != null && !settings.onlyVariant().equals(variant)) {
          continue;
        }
        Long tornSeed = variant.equals("torn") ? mix(workloadSeed ^ mix(n)) : null;
        Run run = execute(w, script, n, tornSeed);
        result.runs++;
        String determinism = determinism(run, n);
        if (determinism != null) {
          result.failures.add(
              new Failure(
                  replayId(n, variant, null),
                  header(n, variant, run, null) + "\n  found: " + determinism,
                  false));
          continue;
        }
        List<Long> seeds = new ArrayList<>();
        if (settings.onlyImageSeed() != null) {
          seeds.add(settings.onlyImageSeed());
        } else {
          for (int k = 0; k < settings.imagesPerStep(); k++) {
            seeds.add(mix(mix(workloadSeed + n) + 31L * v + k));
          }
        }
        for (long imageSeed : seeds) {
          result.points++;
          CrashImage image = run.fs.crashImage(imageSeed);
          if (!seen.add(image.fingerprint())) {
            result.duplicates++;
            continue;
          }
          result.checked++;
          Path dir =
              tmp.resolve(w.name() + "-" + n + "-" + variant + "-" + Long.toHexString(imageSeed));
          check(run, n, variant, imageSeed, dir).ifPresent(result.failures::add);
        }
      }
      return result;
    }

    Optional<Failure> check(Run run, long n, String variant, long imageSeed, Path dir) {
      CrashImage image = run.fs.crashImage(imageSeed);
      try {
        new CrashCheck(w, run.session.oracle(), image, dir).run();
        deleteTree(dir);
        return Optional.empty();
      } catch (CrashCheck.Refused e) {
        boolean counted = !settings.strictVersion();
        if (counted) {
          deleteTree(dir);
        }
        return Optional.of(
            new Failure(
                replayId(n, variant, image),
                header(n, variant, run, image)
                    + "\n  found: "
                    + e.getMessage()
                    + (counted ? "" : "\n  image kept in: " + dir),
                counted));
      } catch (AssertionError | RuntimeException e) {
        return Optional.of(
            new Failure(
                replayId(n, variant, image),
                header(n, variant, run, image)
                    + "\n  found: "
                    + e.getMessage()
                    + "\n  image kept in: "
                    + dir,
                false));
      }
    }

    /** The cut run must have done exactly the base run's steps up to the cut. */
    String determinism(Run run, long n) {
      if (run.failure != null) {
        return "the workload failed before the cut: " + run.failure;
      }
      if (run.cut == null || run.cut.step() != n) {
        return "the power cut was expected at step "
            + n
            + " but "
            + (run.cut == null
                ? "the workload finished without it"
                : "came at step " + run.cut.step())
            + ": the workload is not deterministic";
      }
      List<String> log = run.fs.stepLog();
      for (int i = 0; i < n - 1; i++) {
        if (!log.get(i).equals(stepLog.get(i))) {
          return "step "
              + (i + 1)
              + " was \""
              + log.get(i)
              + "\" but \""
              + stepLog.get(i)
              + "\" in the run without a cut: the workload is not deterministic";
        }
      }
      return null;
    }

    /** Ops that must leave the store alone (export, compactTo) did no I/O step on it. */
    void checkStoreLeftAlone() {
      for (int i = 0; i < script.size(); i++) {
        if (!script.get(i).leavesStoreAlone()) {
          continue;
        }
        long from = base.opStartStep.get(i);
        long to = i + 1 < script.size() ? base.opStartStep.get(i + 1) : stepLog.size();
        for (long s = from; s < to; s++) {
          String op = stepLog.get((int) s);
          if (op.contains(" " + Session.STORE + "/") || op.endsWith(" " + Session.STORE)) {
            throw new AssertionError(
                "workload "
                    + w.name()
                    + ": op #"
                    + i
                    + " "
                    + script.get(i).name()
                    + " must only read the store, but step "
                    + (s + 1)
                    + " is \""
                    + op
                    + "\"");
          }
        }
      }
    }

    /** The base run's steps, each with the script op it belongs to. */
    String stepListing() {
      StringBuilder sb = new StringBuilder("[crash] steps of " + w.name() + ":");
      int op = -1;
      for (int s = 0; s < stepLog.size(); s++) {
        while (op + 1 < script.size() && base.opStartStep.get(op + 1) <= s) {
          op++;
          sb.append("\n  op #").append(op).append(' ').append(script.get(op).name());
        }
        sb.append("\n    step ").append(s + 1).append(": ").append(stepLog.get(s));
      }
      return sb.toString();
    }

    String replayId(long n, String variant, CrashImage image) {
      return w.name()
          + ":"
          + n
          + ":"
          + variant
          + (image == null ? "" : ":" + Long.toHexString(image.seed()));
    }

    String header(long n, String variant, Run run, CrashImage image) {
      List<String> log = run.fs.stepLog();
      String ioOp =
          n <= log.size()
              ? log.get((int) n - 1)
              : n <= stepLog.size() ? stepLog.get((int) n - 1) : "(none: the workload finished)";
      int op = run.cut != null || run.failure != null ? run.opInProgress : -1;
      return "crash sweep failure: workload "
          + w.name()
          + ", step "
          + n
          + " of "
          + steps
          + " ("
          + variant
          + "), image seed "
          + (image == null ? "-" : "0x" + Long.toHexString(image.seed()))
          + "\n  I/O step "
          + n
          + ": "
          + ioOp
          + "\n  script op: "
          + (op >= 0 ? "#" + op + " " + script.get(op).name() : "(none in progress)")
          + "\n  oracle: "
          + run.session.oracle().summary()
          + (image == null ? "" : "\n  image: " + image.describe())
          + "\n  replay: mvn test -Dtest=CrashSweepTests -Ddatawal.crash.seed="
          + settings.baseSeed()
          + " -Ddatawal.crash.only="
          + replayId(n, variant, image);
    }
  }

  /** What the cuts at one step did. */
  private static final class StepResult {
    long runs;
    long points;
    long checked;
    long duplicates;
    final List<Failure> failures = new ArrayList<>();
  }

  private static TreeSet<Long> chooseSteps(Settings settings, long workloadSeed, long steps) {
    TreeSet<Long> chosen = new TreeSet<>();
    if (settings.onlyStep() > 0) {
      chosen.add(settings.onlyStep());
      return chosen;
    }
    if (steps <= settings.maxSteps()) {
      for (long n = 1; n <= steps; n++) {
        chosen.add(n);
      }
      return chosen;
    }
    SplittableRandom rnd = new SplittableRandom(workloadSeed ^ 0x57E9L);
    chosen.add(1L);
    chosen.add(steps);
    while (chosen.size() < settings.maxSteps()) {
      chosen.add(1 + rnd.nextLong(steps));
    }
    return chosen;
  }

  /** SplitMix64's finalizer: a well-mixed 64-bit value. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
