package dev.datawal.cli;

/** The process exit codes of every command, as the reference CLI defines them. */
final class ExitCode {
  /** The command did what was asked and found nothing wrong. */
  static final int OK = 0;

  /** A usage error, or the store cannot be opened (missing, not a directory, locked, I/O). */
  static final int USAGE_OR_UNOPENABLE = 1;

  /** A recoverable state: a torn tail (a writer's open handles it), or a key not found. */
  static final int RECOVERABLE = 2;

  /** Corruption that makes recovery refuse the store (see {@code datawal repair}). */
  static final int CORRUPT = 3;

  private ExitCode() {}

  /** The more serious of two exit codes. */
  static int worst(int a, int b) {
    return Math.max(a, b);
  }
}
