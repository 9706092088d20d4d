package dev.datawal.cli;

import java.io.PrintStream;

/**
 * Where a command writes: results to stdout, as JSON lines with {@code --json} or as aligned text
 * otherwise; notes and errors to stderr, always as text, so stdout stays parseable.
 *
 * <p>Not thread-safe.
 */
final class Output {
  /** Lines written between checks that stdout is still open. */
  private static final int CHECK_EVERY = 256;

  /** Stdout was closed by its reader ({@code datawal scan ... | head}): stop quietly. */
  static final class ClosedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ClosedException() {
      super("stdout closed", null, false, false);
    }
  }

  private final PrintStream out;
  private final PrintStream err;
  private final boolean json;
  private long lines;

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
    written();
  }

  /** Writes a line of text results; only called without {@code --json}. */
  void text(String line) {
    out.println(line);
    written();
  }

  /** Writes bytes as they are, nothing added; only called without {@code --json}. */
  void bytes(byte[] bytes) {
    out.write(bytes, 0, bytes.length);
    written();
  }

  /** Stops a long listing once nobody reads it any more; checking flushes, so not every line. */
  private void written() {
    if (++lines % CHECK_EVERY == 0 && out.checkError()) {
      throw new ClosedException();
    }
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
