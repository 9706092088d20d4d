package dev.datawal;

import org.jspecify.annotations.Nullable;

/**
 * Base of every error datawal raises. Unchecked; when an I/O operation failed, the {@link
 * java.io.IOException} is the cause.
 */
public class DatawalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An error with a message.
   *
   * @param message what went wrong, naming the store or file
   */
  public DatawalException(String message) {
    super(message);
  }

  /**
   * An error with a message and its cause.
   *
   * @param message what went wrong, naming the store or file
   * @param cause the failure behind it, usually an {@link java.io.IOException}; {@code null} if
   *     none
   */
  public DatawalException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
