package dev.datawal.spring.json;

/**
 * Processes the events of a named subscription ({@link JsonEventLog#subscribe}), in txid order, on
 * the subscription's own thread.
 *
 * <p>Delivery is at least once: the subscription's position is committed after a batch of events
 * was handled, so after a crash or restart the events of an uncommitted batch are delivered again.
 * Make handling idempotent, for example by remembering {@link StoredEvent#txid()}.
 *
 * <p>If a method throws, the failure is logged and the same event (or gap notice) is delivered
 * again after a backoff (from 200 ms, doubling, up to 10 s) until it succeeds or the subscription
 * is closed: nothing is skipped and nothing past it is committed.
 *
 * <p>Implementations are called from one thread at a time, so they need not be thread-safe unless
 * they share state with other threads.
 *
 * @param <T> the event type the subscription asked for
 */
@FunctionalInterface
public interface EventHandler<T> {

  /**
   * Handles one decoded event.
   *
   * @param event the event, {@link StoredEvent#isDecoded() decoded}
   * @throws Exception to have the event delivered again after a backoff
   */
  void handle(StoredEvent<T> event) throws Exception;

  /**
   * Called instead of {@link #handle} for a record that could not be decoded (bad JSON, unknown or
   * unassignable type, not an envelope); {@link StoredEvent#failure()} says why. The default logs a
   * warning and skips the record, so one bad record never blocks the rest.
   *
   * @param event the record, whose {@link StoredEvent#failure()} says why it could not be decoded
   * @throws Exception to have the record delivered again after a backoff
   */
  default void onUndecodable(StoredEvent<?> event) throws Exception {
    Subscriptions.LOG.warn(
        "datawal: skipping an undecodable event: "
            + event.failure().map(Throwable::getMessage).orElse(event.toString()));
  }

  /**
   * Called before the next event when records this subscriber had not processed are gone (deleted
   * by retention): the txids from {@code firstMissedTxid} to {@code lastMissedTxid}, inclusive,
   * will never be delivered. The default logs a warning.
   *
   * @param firstMissedTxid the first txid missed
   * @param lastMissedTxid the last txid missed
   * @throws Exception to be called again after a backoff
   */
  default void onMissed(long firstMissedTxid, long lastMissedTxid) throws Exception {
    Subscriptions.LOG.warn(
        "datawal: a subscriber missed the events with txids "
            + firstMissedTxid
            + " to "
            + lastMissedTxid
            + ": retention deleted them before it processed them");
  }
}
