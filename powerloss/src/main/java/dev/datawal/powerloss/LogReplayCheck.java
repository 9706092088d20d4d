package dev.datawal.powerloss;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a store at every state a {@code dm-log-writes} log can restore: for each chosen flush or
 * FUA entry (and each mark) it rebuilds the data device as it was just after that entry, mounts it
 * (the file system's own journal or log recovery runs, as after a power cut), validates the store
 * against the oracle lines that state owes and may reflect ({@link AckWindows}; with {@link
 * Validator}, or {@link LogValidator} for a {@link LogOracle}), and unmounts.
 *
 * <pre>
 * java dev.datawal.powerloss.LogReplayCheck --log=LOG --oracle=ORACLE --fs=ext4|xfs
 *     --device-bytes=N --work=DIR [--sample=N --seed=S] [--keep-failures=K] [--name=TEXT]
 * </pre>
 *
 * <p>The log must start before the file system was made, with a mark {@code mkfs} after it (states
 * before it hold no file system); the recorder is {@code powerloss/vm/logwrites-orchestrator.sh}.
 * {@code --sample=0} (the default) checks every flush and FUA; otherwise that many drawn with the
 * seed, plus the last; every mark in both cases. A state that neither a write nor the oracle's
 * claims set apart from the one before is checked once. The store directory is {@code store} at the
 * file system's root.
 *
 * <p>Output: a {@code LOGREPLAY FAIL entry=...} line per failed state, with the command that
 * rebuilds it, and a {@code LOGREPLAY name=... states=... failed=...} summary; the first {@code K}
 * failed states' device images and validator reports are kept under the work directory.
 *
 * <p>Exit codes: 0 every state passed; 1 a state failed (the store did not hold what the oracle
 * says it owes, or the file system did not mount); 2 setup error (bad arguments, an unreadable log
 * or oracle, a device that would not unmount).
 *
 * <p>Needs root, loop devices, {@code losetup}, {@code mount}, {@code umount} and {@code cp}.
 */
public final class LogReplayCheck {
  private static final String MKFS_MARK = "mkfs";

  private final Map<String, String> options;
  private final PrintStream out;

  private LogReplayCheck(Map<String, String> options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.out));
  }

  /** Runs the check, printing to {@code out}; returns the exit code. */
  public static int run(String[] args, PrintStream out) throws InterruptedException {
    Map<String, String> options = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        out.println("SETUP ERROR expected --name=value, got: " + arg);
        return 2;
      }
      options.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    try {
      return new LogReplayCheck(options, out).check();
    } catch (IOException | IllegalArgumentException e) {
      out.println("SETUP ERROR " + e.getMessage());
      return 2;
    }
  }

  private String option(String name) {
    String value = options.get(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("--" + name + "= is required");
    }
    return value;
  }

  private long number(String name, long fallback) {
    String value = options.get(name);
    try {
      return value == null ? fallback : Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + "= must be a number, got: " + value);
    }
  }

  private int check() throws IOException, InterruptedException {
    Path logFile = Path.of(option("log"));
    Path oracleFile = Path.of(option("oracle"));
    String fs = option("fs").toLowerCase(Locale.ROOT);
    if (!fs.equals("ext4") && !fs.equals("xfs")) {
      throw new IllegalArgumentException("--fs= must be ext4 or xfs, got: " + fs);
    }
    long deviceBytes = number("device-bytes", -1);
    if (deviceBytes <= 0) {
      throw new IllegalArgumentException("--device-bytes= is required and must be positive");
    }
    Path work = Files.createDirectories(Path.of(option("work")));
    int sample = (int) number("sample", 0);
    long seed = number("seed", 0);
    int keepFailures = (int) number("keep-failures", 3);
    String name = options.getOrDefault("name", fs);

    List<String> oracle = completeLines(oracleFile);
    boolean plainLog = LogOracle.is(oracleFile); // else the key/value workload's oracle
    long started = System.nanoTime();
    try (WriteLog log = WriteLog.open(logFile)) {
      List<WriteLog.Entry> entries = log.entries();
      long mkfs =
          entries.stream()
              .filter(e -> e.is(WriteLog.MARK) && e.mark().equals(MKFS_MARK))
              .mapToLong(WriteLog.Entry::index)
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          logFile + ": no '" + MKFS_MARK + "' mark: not a recorder's log"));
      AckWindows windows = AckWindows.of(entries, oracle.size());
      List<WriteLog.Entry> points =
          WriteLogReplay.points(entries, sample, seed).stream()
              .filter(e -> e.index() >= mkfs)
              .toList();
      long durable = entries.stream().filter(WriteLog.Entry::durabilityPoint).count();
      out.printf(
          "LOGREPLAY start name=%s log=%s entries=%d durability_points=%d marks=%d"
              + " oracle_lines=%d points=%d sample=%d seed=%d%n",
          name,
          logFile,
          entries.size(),
          durable,
          windows.marks(),
          oracle.size(),
          points.size(),
          sample,
          seed);

      Path device = work.resolve("device.img");
      Files.deleteIfExists(device);
      int states = 0;
      int failed = 0;
      int owedMax = 0;
      long applied = -1; // entries 0..applied are on the device
      boolean changed = true; // whether a write landed since the last checked state
      AckWindows.Window checked = null; // the window of the last checked state
      try (RandomAccessFile zeroed = new RandomAccessFile(device.toFile(), "rw")) {
        zeroed.setLength(deviceBytes); // sparse zeros: the device as the recorder found it
      }
      try (FileChannel channel = FileChannel.open(device, StandardOpenOption.WRITE)) {
        for (WriteLog.Entry point : points) {
          for (long i = applied + 1; i <= point.index(); i++) {
            WriteLog.Entry e = entries.get((int) i);
            log.apply(e, channel);
            changed |= e.sectors() > 0 && !e.is(WriteLog.MARK);
          }
          applied = point.index();
          AckWindows.Window window = windows.at(point.index());
          if (!changed && window.equals(checked)) {
            continue; // the same device with the same claims: checked already
          }
          changed = false;
          checked = window;
          states++;
          StateVerdict verdict = checkState(device, fs, work, oracle, plainLog, window);
          owedMax = Math.max(owedMax, verdict.owedAcks);
          if (!verdict.ok) {
            failed++;
            out.printf(
                "LOGREPLAY FAIL name=%s entry=%d owed_lines=%d known_lines=%d: %s%n"
                    + "  rebuild: java -cp <powerloss.jar> dev.datawal.powerloss.WriteLogReplay"
                    + " apply %s <zeroed %d-byte image> 0 %d%n",
                name,
                point.index(),
                window.owedLines(),
                window.knownLines(),
                verdict.reason,
                logFile,
                deviceBytes,
                point.index());
            if (failed <= keepFailures) {
              keepEvidence(work, point.index(), device, verdict.report);
            }
          }
        }
      } finally {
        Files.deleteIfExists(device);
      }
      out.printf(
          "LOGREPLAY name=%s fs=%s entries=%d durability_points=%d states=%d passed=%d failed=%d"
              + " max_owed_acks=%d took_ms=%d verdict=%s%n",
          name,
          fs,
          entries.size(),
          durable,
          states,
          states - failed,
          failed,
          owedMax,
          (System.nanoTime() - started) / 1_000_000,
          failed == 0 ? "PASS" : "FAIL");
      return failed == 0 ? 0 : 1;
    }
  }

  /** A checked state: whether it passed, why not, the validator's report, what it owed. */
  private record StateVerdict(boolean ok, String reason, String report, int owedAcks) {}

  private StateVerdict checkState(
      Path device,
      String fs,
      Path work,
      List<String> oracle,
      boolean plainLog,
      AckWindows.Window window)
      throws IOException, InterruptedException {
    Path image = work.resolve("state.img");
    Path mount = Files.createDirectories(work.resolve("mnt"));
    Files.deleteIfExists(image);
    Commands.run("cp", "--sparse=always", device.toString(), image.toString());
    int owedAcks = acknowledgements(oracle.subList(0, window.owedLines()));
    LoopFileSystem mounted;
    try {
      mounted = LoopFileSystem.open(image, fs, mount);
    } catch (LoopFileSystem.MountFailed e) {
      Files.deleteIfExists(image);
      return new StateVerdict(
          false, "the file system does not mount: " + e.getMessage(), "", owedAcks);
    }
    try {
      Path store = mounted.mountPoint().resolve("store");
      if (!Files.isDirectory(store)) {
        return owedAcks == 0
            ? new StateVerdict(true, "no store yet, nothing owed", "", 0)
            : new StateVerdict(
                false, "no store directory, " + owedAcks + " acknowledgements owed", "", owedAcks);
      }
      Path windowOracle = work.resolve("oracle.window");
      List<String> known = oracle.subList(0, window.knownLines());
      Files.writeString(windowOracle, known.isEmpty() ? "" : String.join("\n", known) + "\n");
      long owedBytes = 0;
      for (String line : oracle.subList(0, window.owedLines())) {
        owedBytes += line.length() + 1;
      }
      ByteArrayOutputStream report = new ByteArrayOutputStream();
      String[] args = {"--cut-at-byte=" + owedBytes, store.toString(), windowOracle.toString()};
      PrintStream reportStream = new PrintStream(report, true, StandardCharsets.UTF_8);
      int code =
          plainLog ? LogValidator.run(args, reportStream) : Validator.run(args, reportStream);
      String text = report.toString(StandardCharsets.UTF_8);
      if (code == 2) {
        throw new IOException("the validator could not run: " + text.strip());
      }
      String last =
          text.lines()
              .filter(l -> l.startsWith("OK") || l.startsWith("FAIL"))
              .reduce((a, b) -> b)
              .orElse(text.strip());
      return new StateVerdict(code == 0, last, text, owedAcks);
    } finally {
      mounted.release(); // a state that stays mounted fails the run, saying what holds it
      Files.deleteIfExists(image);
    }
  }

  private static void keepEvidence(Path work, long entry, Path device, String report)
      throws IOException, InterruptedException {
    Path dir = Files.createDirectories(work.resolve("failed-entry-" + entry));
    Commands.run("cp", "--sparse=always", device.toString(), dir.resolve("device.img").toString());
    Files.writeString(dir.resolve("validator.txt"), report);
  }

  /** The oracle's lines that end with a newline (a torn last line is not yet written). */
  private static List<String> completeLines(Path oracle) throws IOException {
    String text = Files.readString(oracle, StandardCharsets.US_ASCII);
    List<String> lines = new ArrayList<>(text.lines().toList());
    if (!text.isEmpty() && !text.endsWith("\n")) {
      lines.remove(lines.size() - 1);
    }
    return lines;
  }

  private static int acknowledgements(List<String> lines) {
    return (int)
        lines.stream()
            .filter(l -> l.startsWith("P ") || l.startsWith("D ") || l.startsWith("A "))
            .count();
  }
}
