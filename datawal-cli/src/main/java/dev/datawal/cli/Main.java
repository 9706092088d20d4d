package dev.datawal.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Entry point of {@code java -jar datawal-cli.jar}: runs one command and exits with its code.
 *
 * <p>Thread-safety: only {@link #main} is public, and it is called once.
 */
public final class Main {
  private Main() {}

  /**
   * Runs {@code datawal <args>} and exits with the command's exit code.
   *
   * @param args the command and its arguments, as {@code datawal --help} lists them
   */
  public static void main(String[] args) {
    PrintStream out =
        new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024),
            false,
            StandardCharsets.UTF_8);
    PrintStream err =
        new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    int code = new Cli(out, err).run(args);
    out.flush();
    err.flush();
    System.exit(code);
  }
}
