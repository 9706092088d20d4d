package dev.datawal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * util-linux's {@code flock} command: what a process that takes {@code flock} on {@code .lock} (the
 * reference implementation) sees. Every wait has a timeout.
 */
public final class FlockCommand {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Path COMMAND = Path.of("/usr/bin/flock");

  private FlockCommand() {}

  /** Whether the command is installed. */
  public static boolean installed() {
    return Files.isExecutable(COMMAND);
  }

  /**
   * Runs {@code flock -n <file> true}: whether a flock on {@code file} could be taken at once.
   *
   * @throws AssertionError if the command fails otherwise or does not end in time
   */
  public static boolean canLock(Path file) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(COMMAND.toString(), "-n", file.toString(), "true")
            .redirectErrorStream(true)
            .start();
    try {
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("flock -n " + file + " true did not end within " + TIMEOUT);
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return switch (process.exitValue()) {
        case 0 -> true;
        case 1 -> false;
        default ->
            throw new AssertionError(
                "flock -n " + file + " true exited " + process.exitValue() + ": " + output);
      };
    } finally {
      process.destroyForcibly();
    }
  }

  /**
   * Takes a flock on {@code file} in a {@code flock} process and holds it until {@link
   * Holder#close()}; returns once the lock is held.
   *
   * @throws AssertionError if the lock is not free or the command does not say it holds it in time
   */
  public static Holder hold(Path file) throws IOException, InterruptedException {
    // The shell inherits the locked descriptor and holds it until its stdin ends.
    Process process =
        new ProcessBuilder(
                List.of(COMMAND.toString(), "-n", file.toString(), "-c", "echo held; read ignored"))
            .redirectErrorStream(true)
            .start();
    Holder holder = new Holder(process, file);
    BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> readLine(out));
    String line;
    try {
      line = first.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      holder.close();
      throw new AssertionError("flock " + file + " did not say it holds the lock: " + e, e);
    }
    if (!"held".equals(line)) {
      holder.close();
      throw new AssertionError("flock " + file + " could not take the lock; it said: " + line);
    }
    return holder;
  }

  private static String readLine(BufferedReader in) {
    try {
      return in.readLine();
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** A running {@code flock} command holding a flock. */
  public static final class Holder implements AutoCloseable {
    private final Process process;
    private final Path file;

    private Holder(Process process, Path file) {
      this.process = process;
      this.file = file;
    }

    /** The pid of the {@code flock} process, which took the lock. */
    public long pid() {
      return process.pid();
    }

    /** Releases the lock: ends the shell's stdin and waits until the command has exited. */
    @Override
    public void close() {
      try {
        process.getOutputStream().close();
      } catch (IOException e) {
        // already gone
      }
      try {
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          kill();
          throw new AssertionError("flock " + file + " did not exit within " + TIMEOUT);
        }
      } catch (InterruptedException e) {
        kill();
        Thread.currentThread().interrupt();
      }
    }

    private void kill() {
      // The shell first: it holds the locked descriptor too.
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }
}
