package dev.datawal;

import org.jspecify.annotations.Nullable;

/**
 * A write, fsync or rotation failed earlier, so the writer refuses every further change: after a
 * failed fsync the kernel may have dropped the unsynced pages, and retrying would report durability
 * that does not exist. Reads keep working; close the handle and reopen the store, which runs
 * recovery.
 */
public class WriterPoisonedException extends DatawalException {
  private static final long serialVersionUID = 1L;

  private final String reason;

  /**
   * @param reason why the writer was poisoned
   * @param cause the failure that poisoned it, or {@code null}
   */
  public WriterPoisonedException(String reason, @Nullable Throwable cause) {
    super("datawal: writer poisoned: " + reason + "; drop handle and reopen", cause);
    this.reason = reason;
  }

  /** {@return why the writer was poisoned} */
  public String reason() {
    return reason;
  }
}
