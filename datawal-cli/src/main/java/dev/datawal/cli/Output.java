package dev.datawal.cli;

import java.io.PrintStream;

/**
 * Where a command writes: results to stdout, as JSON lines with {@code --json} or as aligned text
 * otherwise; notes and errors to stderr, always as text, so stdout stays parseable; and the {@link
 * Progress} line of a long command, on stderr too, cleared before anything else is written.
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
  private final Progress progress;
  private long lines;

  /** Without progress. */
  Output(PrintStream out, PrintStream err, boolean json) {
    this(out, err, json, false);
  }

  Output(PrintStream out, PrintStream err, boolean json, boolean progress) {
    this.out = out;
    this.err = err;
    this.json = json;
    this.progress = progress ? Progress.on(err, out) : Progress.off();
  }

  /** Where a long command shows how far it has got; does nothing unless progress is on. */
  Progress progress() {
    return progress;
  }

  /** Whether results are JSON lines. */
  boolean json() {
    return json;
  }

  /** Writes a JSON line; only called with {@code --json}. */
  void json(JsonLine line) {
    progress.clear();
    out.println(line);
    written();
  }

  /** Writes a line of text results; only called without {@code --json}. */
  void text(String line) {
    progress.clear();
    out.println(line);
    written();
  }

  /** Writes bytes as they are, nothing added; only called without {@code --json}. */
  void bytes(byte[] bytes) {
    progress.clear();
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
    progress.clear();
    out.flush(); // keep the order readable when both go to a terminal
    err.println(message.startsWith("datawal: ") ? message : "datawal: " + message);
    err.flush();
  }

  /** Writes raw text to stderr, as it is (help on a usage error). */
  void errText(String text) {
    progress.clear();
    err.print(text);
    err.flush();
  }

  /** Clears the progress line and flushes both streams: the command is done. */
  void flush() {
    progress.clear();
    out.flush();
    err.flush();
  }
}
