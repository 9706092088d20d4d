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

  /** Releases the open segment file. Idempotent. */
  @Override
  void close();
}
