package dev.datawal;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Follows a log from a txid on: returns its records in order, waiting (without polling) for new
 * ones. By default it returns only durable records, which no crash can take back; see {@link
 * RecordLog#follow(long, boolean)}. Holds one segment file open and one record in memory.
 *
 * <p>Not thread-safe: one follower per consuming thread.
 */
public interface LogFollower extends AutoCloseable {

  /**
   * The next record, waiting up to {@code timeout} for one to become visible.
   *
   * @param timeout the longest to wait; zero or negative: do not wait
   * @return the record, or {@code null} if none became visible in time
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException if the follower or its log is closed
   * @throws CorruptStoreException if a record below the visible end is damaged
   */
  @Nullable Record poll(Duration timeout) throws InterruptedException;

  /** {@return the smallest txid the next record can have} */
  long nextTxid();

  /**
   * {@return the txid of the record group marker read just before the last record returned, or 0 if
   * that record does not open a group} A group's marker takes the txid before its first record (see
   * {@link RecordLog#appendAtomically}) and is never returned: a reader that looks for gaps in the
   * txids it receives (records removed by retention) counts this one as present.
   */
  long markerBeforeLast();

  /** Releases the open segment file. Idempotent. */
  @Override
  void close();
}
