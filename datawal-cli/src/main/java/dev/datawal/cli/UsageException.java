package dev.datawal.cli;

/** The command line is wrong; the message names the bad argument. Exit code 1. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
