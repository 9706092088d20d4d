package dev.datawal.spring.json;

import dev.datawal.LogFollower;
import dev.datawal.Record;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Follows a {@link JsonEventLog} from a txid on, returning its durable records in order as typed
 * events and waiting (without polling) for new ones. Records that cannot be decoded are returned
 * too, carrying their error (see {@link StoredEvent#failure()}).
 *
 * <p>Not thread-safe: one follower per consuming thread.
 *
 * @param <T> the requested event type
 */
public final class EventFollower<T> implements AutoCloseable {
  private final LogFollower follower;
  private final EventCodec codec;
  private final Class<T> type;

  EventFollower(LogFollower follower, EventCodec codec, Class<T> type) {
    this.follower = follower;
    this.codec = codec;
    this.type = type;
  }

  /**
   * The next event, waiting up to {@code timeout} for one to become durable.
   *
   * @param timeout how long to wait at most; zero does not wait
   * @return the event (possibly undecodable), or {@code null} if none became durable in time
   * @throws InterruptedException if interrupted while waiting
   * @throws IllegalStateException if this follower or its log is closed
   * @throws dev.datawal.CorruptStoreException if a frame below the durable end is damaged
   */
  public @Nullable StoredEvent<T> poll(Duration timeout) throws InterruptedException {
    Record record = follower.poll(Objects.requireNonNull(timeout, "timeout"));
    return record == null ? null : codec.decode(record, type);
  }

  /** {@return the smallest txid the next event can have} */
  public long nextTxid() {
    return follower.nextTxid();
  }

  /** Releases the open segment file. Idempotent. */
  @Override
  public void close() {
    follower.close();
  }
}
