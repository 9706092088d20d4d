package dev.datawal.powerloss;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the {@link Validator} in a child JVM on this JVM's class path, as a rebooted machine would
 * check the store. Whatever it opens or maps (the engine's snapshot mappings go only at a garbage
 * collection on some runtimes) ends with its process, so it cannot keep the store's file system
 * busy when a harness unmounts it.
 */
final class ValidatorProcess {
  private ValidatorProcess() {}

  /**
   * Runs the validator with {@code args} and waits for it.
   *
   * @param output where what it prints goes (standard output and error)
   * @return its exit code (see {@link Validator})
   */
  static int run(List<String> args, Path output) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Validator.class.getName());
    command.addAll(args);
    Process validator =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    try {
      return validator.waitFor();
    } catch (InterruptedException e) {
      validator.destroyForcibly(); // it must not go on holding the store
      throw e;
    }
  }
}
