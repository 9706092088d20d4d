package dev.datawal.powerloss;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system tools the file-system harnesses need (losetup, mkfs, mount, xfs_io). */
final class Commands {
  private static final long TIMEOUT_SECONDS = 120;

  private Commands() {}

  /**
   * Runs {@code command} and returns its standard output.
   *
   * @throws IOException naming the command, its exit code and what it printed, if it fails
   */
  static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + ": no answer in " + TIMEOUT_SECONDS + " s");
    }
    String text = new String(output, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IOException(
          String.join(" ", command)
              + " failed (exit "
              + process.exitValue()
              + "): "
              + text.strip());
    }
    return text;
  }

  /** Whether {@code command} runs and exits 0. */
  static boolean succeeds(String... command) {
    try {
      run(command);
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The tools of {@code tools} not found on the PATH. */
  static List<String> missing(List<String> tools) {
    return tools.stream().filter(t -> !succeeds("sh", "-c", "command -v " + t)).toList();
  }
}
