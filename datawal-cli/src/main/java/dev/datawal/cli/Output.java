package dev.datawal.cli;

import java.io.PrintStream;

/**
 * Where a command writes: results to stdout, as JSON lines with {@code --json} or as aligned text
 * otherwise; notes and errors to stderr, always as text, so stdout stays parseable.
 *
 * <p>Not thread-safe.
 */
final class Output {
  private final PrintStream out;
  private final PrintStream err;
  private final boolean json;

  Output(PrintStream out, PrintStream err, boolean json) {
    this.out = out;
    this.err = err;
    this.json = json;
  }

  /** Whether results are JSON lines. */
  boolean json() {
    return json;
  }

  /** Writes a JSON line; only called with {@code --json}. */
  void json(JsonLine line) {
    out.println(line);
  }

  /** Writes a line of text results; only called without {@code --json}. */
  void text(String line) {
    out.println(line);
  }

  /** Writes a note or an error to stderr, prefixed {@code datawal: }. */
  void note(String message) {
    out.flush(); // keep the order readable when both go to a terminal
    err.println(message.startsWith("datawal: ") ? message : "datawal: " + message);
    err.flush();
  }

  /** Writes raw text to stderr, as it is (help on a usage error). */
  void errText(String text) {
    err.print(text);
    err.flush();
  }

  void flush() {
    out.flush();
    err.flush();
  }
}
