package dev.datawal.internal.io;

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

  /**
   * Whether {@code e} says the file system is out of space or quota (ENOSPC, EDQUOT). The JDK gives
   * no error code, only the system's message.
   */
  public static boolean isOutOfSpace(IOException e) {
    return messageContains(e, "No space left on device") || messageContains(e, "quota exceeded");
  }

  /** Whether {@code e} says the file system is mounted read-only (EROFS). */
  public static boolean isReadOnlyFileSystem(IOException e) {
    return messageContains(e, "Read-only file system");
  }

  private static boolean messageContains(Throwable e, String text) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null
          && m.toLowerCase(java.util.Locale.ROOT)
              .contains(text.toLowerCase(java.util.Locale.ROOT))) {
        return true;
      }
      if (t instanceof java.nio.file.FileSystemException f
          && f.getReason() != null
          && f.getReason()
              .toLowerCase(java.util.Locale.ROOT)
              .contains(text.toLowerCase(java.util.Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  /** The error for a failed read of the store in {@code dir}. */
  public static DatawalException readFailed(Path dir, IOException e) {
    return new DatawalException("datawal: failed to read store " + dir + ": " + describe(e), e);
  }
}
