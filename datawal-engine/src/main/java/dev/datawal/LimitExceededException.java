package dev.datawal;

/**
 * A request goes past one of the format's limits (such as {@link RecordLog#MAX_KEY_LEN} or {@link
 * RecordLog#MAX_PAYLOAD_LEN}). It is rejected before any I/O, so the store is unchanged.
 */
public class LimitExceededException extends DatawalException {
  private static final long serialVersionUID = 1L;

  private final String limit;
  private final long allowed;
  private final long actual;

  /**
   * @param limit the limit's name, such as {@code MAX_KEY_LEN}
   * @param allowed the largest value the limit allows
   * @param actual the value that was asked for
   * @param message the whole message, naming the limit
   */
  public LimitExceededException(String limit, long allowed, long actual, String message) {
    super(message);
    this.limit = limit;
    this.allowed = allowed;
    this.actual = actual;
  }

  /** The name of the limit, such as {@code MAX_KEY_LEN}. */
  public String limit() {
    return limit;
  }

  /** The largest value the limit allows. */
  public long allowed() {
    return allowed;
  }

  /** The value that was asked for. */
  public long actual() {
    return actual;
  }
}
