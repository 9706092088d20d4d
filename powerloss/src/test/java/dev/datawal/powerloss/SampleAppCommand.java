package dev.datawal.powerloss;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command that starts the sample app for the harness: its executable jar when the build made
 * one ({@code powerloss.app.jar}, set by surefire to sample-app's {@code -exec.jar}, used when it
 * is at least as new as the sample app's classes on the test class path), else the app's main class
 * on the test class path (a {@code test}-phase build packages no jar).
 */
final class SampleAppCommand {
  static final String MAIN_CLASS = "dev.datawal.sample.SampleApplication";

  private SampleAppCommand() {}

  static List<String> resolve() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Quick start-up; the workload's cost is fsyncs, not code.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Xmx256m");
    String jar = System.getProperty("powerloss.app.jar", "");
    if (!jar.isEmpty() && Files.isRegularFile(Path.of(jar)) && fresh(Path.of(jar))) {
      command.add("-jar");
      command.add(jar);
    } else {
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(MAIN_CLASS);
    }
    return command;
  }

  /** {@code -jar <jar>}, or the main class on the test class path. */
  static String describe(List<String> command) {
    int jar = command.indexOf("-jar");
    return jar >= 0
        ? "-jar " + command.get(jar + 1)
        : MAIN_CLASS + " on the test class path (no fresh -exec.jar)";
  }

  /** Whether {@code jar} is at least as new as the sample app's classes this test sees. */
  private static boolean fresh(Path jar) throws IOException {
    URL classes = ClassLoader.getSystemResource(MAIN_CLASS.replace('.', '/') + ".class");
    if (classes == null) {
      return true;
    }
    try {
      Path source =
          classes.getProtocol().equals("jar")
              ? Path.of(
                  new URL(classes.getPath().substring(0, classes.getPath().indexOf("!/"))).toURI())
              : Path.of(classes.toURI());
      return !Files.getLastModifiedTime(jar)
          .toInstant()
          .isBefore(Files.getLastModifiedTime(source).toInstant());
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
