package dev.datawal.powerloss;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs the system tools the file-system harnesses need (losetup, mkfs, mount, xfs_io). */
final class Commands {
  private static final long TIMEOUT_SECONDS = 120;

  private Commands() {}

  /** How a command ended: its exit code and what it printed (standard output and error). */
  record Outcome(List<String> command, int exitCode, String output) {
    boolean succeeded() {
      return exitCode == 0;
    }

    /** {@code <command> failed (exit <code>): <output>}. */
    String failure() {
      return String.join(" ", command) + " failed (exit " + exitCode + "): " + output.strip();
    }
  }

  /**
   * Runs {@code command} and returns how it ended, whatever its exit code.
   *
   * @throws IOException if it cannot be started or gives no answer in time
   */
  static Outcome attempt(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + ": no answer in " + TIMEOUT_SECONDS + " s");
    }
    return new Outcome(
        List.of(command), process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  /**
   * Runs {@code command} and returns its standard output.
   *
   * @throws IOException naming the command, its exit code and what it printed, if it fails
   */
  static String run(String... command) throws IOException, InterruptedException {
    Outcome outcome = attempt(command);
    if (!outcome.succeeded()) {
      throw new IOException(outcome.failure());
    }
    return outcome.output();
  }

  /**
   * Runs {@code command} and says why it failed (its exit code and what it printed, or why it could
   * not run), or nothing if it exited 0.
   */
  static Optional<String> failureOf(String... command) {
    try {
      Outcome outcome = attempt(command);
      return outcome.succeeded() ? Optional.empty() : Optional.of(outcome.failure());
    } catch (IOException e) {
      return Optional.of(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(String.join(" ", command) + ": interrupted");
    }
  }

  /**
   * Runs a clean-up {@code command} after {@code failure}: if it fails too, its failure is added to
   * {@code failure}'s suppressed exceptions, so that neither hides the other.
   */
  static void cleanUp(Throwable failure, String... command) {
    failureOf(command).ifPresent(why -> failure.addSuppressed(new IOException(why)));
  }

  /**
   * Whether {@code command} runs and exits 0. Only for questions (is a tool there?), never for a
   * step whose failure matters.
   */
  static boolean succeeds(String... command) {
    return failureOf(command).isEmpty();
  }

  /** The tools of {@code tools} not found on the PATH. */
  static List<String> missing(List<String> tools) {
    return tools.stream().filter(t -> !succeeds("sh", "-c", "command -v " + t)).toList();
  }
}
