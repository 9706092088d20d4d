package dev.datawal;

/**
 * A request goes past one of the format's limits (such as {@link RecordLog#MAX_KEY_LEN} or {@link
 * RecordLog#MAX_PAYLOAD_LEN}). It is rejected before any I/O, so the store is unchanged.
 */
public class LimitExceededException extends DatawalException {
  private static final long serialVersionUID = 1L;

  private final Limit limit;
  private final long actual;

  /**
   * @param limit the limit gone past
   * @param actual the value that was asked for
   */
  public LimitExceededException(Limit limit, long actual) {
    super(limit.exceededBy(actual));
    this.limit = limit;
    this.actual = actual;
  }

  /** {@return the limit gone past} */
  public Limit limit() {
    return limit;
  }

  /** {@return the largest value the limit allows} */
  public long allowed() {
    return limit.allowed();
  }

  /** {@return the value that was asked for} */
  public long actual() {
    return actual;
  }
}
