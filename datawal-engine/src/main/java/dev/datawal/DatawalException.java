package dev.datawal;

import org.jspecify.annotations.Nullable;

/**
 * Base of every error datawal raises. Unchecked; when an I/O operation failed, the {@link
 * java.io.IOException} is the cause.
 */
public class DatawalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An error with a message. */
  public DatawalException(String message) {
    super(message);
  }

  /** An error with a message and its cause, usually an {@link java.io.IOException}. */
  public DatawalException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
