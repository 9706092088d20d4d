package dev.datawal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ChildWriter} running in its own JVM. Its stdout is read by a daemon thread into a queue,
 * so a child that hangs or dies can never block a test: every wait has a timeout. Its stderr goes
 * to a file, shown in failure messages. {@link #close()} kills it with SIGKILL if it still runs.
 */
final class ChildJvm implements AutoCloseable {
  private static final String END = "\u0000end of stdout";

  private final Process process;
  private final Path stderr;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();
  private boolean ended;

  private ChildJvm(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    Thread pump = new Thread(this::pump, "child-" + process.pid() + "-stdout");
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * Starts {@code ChildWriter} with {@code args} in a new JVM, its stderr going to a file in {@code
   * workDir}.
   */
  static ChildJvm start(Path workDir, String... args) throws IOException {
    return start(Path.of(System.getProperty("java.home"), "bin", "java"), List.of(), workDir, args);
  }

  /**
   * Starts {@code ChildWriter} with {@code args} in a new JVM run by the {@code java} launcher
   * given, with {@code jvmOptions} before the class path, its stderr going to a file in {@code
   * workDir}.
   */
  static ChildJvm start(Path java, List<String> jvmOptions, Path workDir, String... args)
      throws IOException {
    Path stderr = Files.createTempFile(workDir, "child-", ".stderr");
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(jvmOptions);
    // Quick start-up: these children live for well under a second of work.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Xshare:auto");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ChildWriter.class.getName());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    return new ChildJvm(process, stderr);
  }

  long pid() {
    return process.pid();
  }

  Process process() {
    return process;
  }

  /**
   * The next line starting with {@code prefix}; other lines are skipped (and kept in {@link
   * #seen()}).
   *
   * @throws AssertionError if none arrives within {@code timeout} or stdout ends first
   */
  String awaitLine(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = ended ? null : lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      if (line == null || line.equals(END)) {
        ended |= line != null;
        throw new AssertionError(
            "child "
                + pid()
                + (ended ? " ended its output" : " sent nothing for " + timeout)
                + " before a line starting with \""
                + prefix
                + "\"; "
                + describe());
      }
      seen.add(line);
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  /**
   * Kills the child with SIGKILL (on Linux) and waits until it is gone. What it wrote to stdout
   * before it died stays readable ({@link #awaitExit}).
   */
  void kill() throws InterruptedException {
    // Through the ProcessHandle: Process.destroyForcibly() also closes our end of the child's
    // stdout, which would lose the lines still in the pipe (the last acknowledgements).
    process.toHandle().destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + pid() + " survived SIGKILL for 30 s");
    }
  }

  /** Closes the child's stdin, which tells a waiting {@link ChildWriter} to close and exit. */
  void closeStdin() throws IOException {
    process.getOutputStream().close();
  }

  /**
   * Waits for the child to exit and for the end of its stdout; returns its exit code.
   *
   * @throws AssertionError if that takes longer than {@code timeout}
   */
  int awaitExit(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new AssertionError(
          "child " + pid() + " did not exit within " + timeout + "; " + describe());
    }
    while (!ended) {
      long left = deadline - System.nanoTime();
      String line = lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("stdout of child " + pid() + " did not end; " + describe());
      }
      if (line.equals(END)) {
        ended = true;
      } else {
        seen.add(line);
      }
    }
    return process.exitValue();
  }

  /** Every stdout line read so far, in order. */
  List<String> seen() {
    return seen;
  }

  /** The child's stderr so far. */
  String stderr() {
    try {
      return Files.readString(stderr, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(stderr unreadable: " + e + ")";
    }
  }

  /** For failure messages: the last lines seen and the child's stderr. */
  String describe() {
    List<String> tail = seen.subList(Math.max(0, seen.size() - 5), seen.size());
    return "alive=" + process.isAlive() + ", last stdout lines " + tail + ", stderr:\n" + stderr();
  }

  /** Kills the child if it still runs. */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void pump() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("(stdout unreadable: " + e + ")");
    } finally {
      lines.add(END);
    }
  }
}
