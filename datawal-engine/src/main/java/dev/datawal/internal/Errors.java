package dev.datawal.internal;

import dev.datawal.DatawalException;
import java.io.IOException;
import java.nio.file.Path;

/** Messages for I/O failures. */
public final class Errors {
  private Errors() {}

  /**
   * An I/O failure described so that it says what happened: the JDK's message is often only a path
   * ({@code AccessDeniedException: /x}), so the exception's type goes first.
   */
  public static String describe(IOException e) {
    String type = e.getClass().getSimpleName();
    return e.getMessage() == null ? type : type + ": " + e.getMessage();
  }

  /** The error for a failed read of the store in {@code dir}. */
  public static DatawalException readFailed(Path dir, IOException e) {
    return new DatawalException("datawal: failed to read store " + dir + ": " + describe(e), e);
  }
}
