package dev.datawal.spring.json;

import dev.datawal.DatawalException;
import dev.datawal.LogFollower;
import dev.datawal.Record;
import dev.datawal.RecordLog;
import dev.datawal.RecordRef;
import dev.datawal.RecordType;
import dev.datawal.spring.SubscriberPositions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * A typed event log over a {@link RecordLog}: append objects, read or replay them from a txid as
 * typed events, follow new ones, and run named subscribers that keep their position durably.
 *
 * <h2>Record layout</h2>
 *
 * Each event is one {@link RecordType#RAW} record. Its key is the event's key in UTF-8 (empty when
 * appended without one). Its payload is a UTF-8 JSON object, the <em>envelope</em>:
 *
 * <pre>
 * {"type":"&lt;type name&gt;","data":&lt;the event, as the JsonMapper writes it&gt;}
 * </pre>
 *
 * The type name is the event class's {@code @JsonTypeName} value if it has one, else its fully
 * qualified class name. Readers ignore other members of the envelope.
 *
 * <h2>Decoding</h2>
 *
 * Every read names the type wanted, {@code Class<T>}. A type name resolves to the class registered
 * under it in this instance ({@link #registerType}, or the class of an event appended through this
 * instance), else to the requested type itself if the name is its type name, else to a subtype the
 * requested type declares with {@code @JsonSubTypes} under that name (or whose type name it is),
 * else to the class of that name (loaded without initializing it). So after a restart a name given
 * by {@code JsonTypeName} decodes once it is registered or declared in {@code @JsonSubTypes}; a
 * class name decodes by itself. The class must be {@code T} or a subtype of it, so data in the log
 * never makes the process instantiate an arbitrary class; and for a too-general {@code T} ({@code
 * Object}, {@code Serializable}, {@code Comparable}, {@code Record} and the like) no class is
 * loaded by name at all: register the types.
 *
 * <p>A record that cannot be decoded (not JSON, not an envelope, such as a record appended as raw
 * bytes; an unknown or unassignable type; data that does not bind) does not stop a read, replay or
 * subscription: its {@link StoredEvent} carries an {@link EventDecodingException} naming the txid,
 * segment, offset and reason, thrown by {@link StoredEvent#event()}.
 *
 * <h2>Durability</h2>
 *
 * An append is as durable as the log's {@link dev.datawal.FsyncPolicy} makes it. {@link #read} and
 * {@link #replay} see every record written, durable or not (like {@link RecordLog#scan()}); {@link
 * #follow} and subscribers see only durable records, which no crash can take back.
 *
 * <p>Thread-safe. {@link #close()} stops this instance's subscriptions but not the log, which the
 * caller owns.
 */
public final class JsonEventLog implements AutoCloseable {
  private final RecordLog log;
  private final EventCodec codec;
  private final SubscriberPositions positions;
  private final Map<String, EventSubscription> subscriptions = new LinkedHashMap<>();
  private boolean closed;

  /**
   * A facade over {@code log} that writes and reads JSON with {@code mapper}.
   *
   * @param log the log, which stays the caller's
   * @param mapper writes and reads the events
   * @throws NullPointerException if an argument is null
   */
  public JsonEventLog(RecordLog log, JsonMapper mapper) {
    this.log = Objects.requireNonNull(log, "log");
    this.codec = new EventCodec(mapper);
    this.positions = SubscriberPositions.of(log.dir());
  }

  /**
   * Lets type name {@code name} decode into {@code type} (when {@code type} is assignable to the
   * type a read asks for). Appending an event registers its class under its type name already.
   *
   * @param name the type name, as envelopes carry it
   * @param type the class it names
   * @return this
   * @throws IllegalArgumentException if {@code name} is empty or registered for another class
   */
  public JsonEventLog registerType(String name, Class<?> type) {
    codec.register(name, type);
    return this;
  }

  /**
   * Appends {@code event} with an empty key.
   *
   * @param event the event
   * @return where it went, and its txid
   * @see #append(String, Object)
   */
  public RecordRef append(Object event) {
    return appendBytes(new byte[0], event);
  }

  /**
   * Appends {@code event} under {@code key}, in an envelope naming its type (see the class
   * comment), and returns where it went and its txid. Durable on return under {@link
   * dev.datawal.FsyncPolicy#ALWAYS}; see the log's policy otherwise.
   *
   * @param key the record's key, stored as its UTF-8 bytes
   * @param event the event
   * @return where it went, and its txid
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the event's type name is registered for another class
   * @throws tools.jackson.core.JacksonException if the mapper cannot write the event
   * @throws dev.datawal.LimitExceededException if the key or envelope is over the log's limits
   * @throws dev.datawal.WriterPoisonedException if the log's writer is poisoned
   * @throws IllegalStateException if the log is closed
   */
  public RecordRef append(String key, Object event) {
    return appendBytes(Objects.requireNonNull(key, "key").getBytes(StandardCharsets.UTF_8), event);
  }

  private RecordRef appendBytes(byte[] key, Object event) {
    return log.appendRecord(RecordType.RAW, key, codec.encode(event));
  }

  /**
   * Up to {@code limit} events from the first record whose txid is at least {@code fromTxid}, in
   * order, decoded as {@code type}; undecodable records are included, carrying their error.
   *
   * @param <T> the requested event type
   * @param fromTxid the first txid wanted (0 or 1: from the start of the log)
   * @param limit the most events to return
   * @param type the requested event type
   * @return the events, in txid order
   * @throws IllegalArgumentException if {@code fromTxid} or {@code limit} is negative
   * @throws dev.datawal.CorruptStoreException if a frame in the range is damaged
   * @throws IllegalStateException if the log is closed
   */
  public <T> List<StoredEvent<T>> read(long fromTxid, int limit, Class<T> type) {
    Objects.requireNonNull(type, "type");
    if (limit < 0) {
      throw new IllegalArgumentException("datawal: limit must be >= 0, was " + limit);
    }
    List<StoredEvent<T>> events = new ArrayList<>(Math.min(limit, 1024));
    if (limit == 0) {
      return events;
    }
    try (LogFollower follower = written(fromTxid)) {
      Record record;
      while (events.size() < limit && (record = pollNow(follower)) != null) {
        events.add(codec.decode(record, type));
      }
    }
    return events;
  }

  /**
   * Hands every event from the first record whose txid is at least {@code fromTxid} to {@code
   * handler}, in order, decoded as {@code type}, up to the end of the log (records appended during
   * the replay may be included). Undecodable records are handed over too: check {@link
   * StoredEvent#isDecoded()}, or catch the {@link EventDecodingException} from {@link
   * StoredEvent#event()}.
   *
   * @param <T> the requested event type
   * @param fromTxid the first txid wanted (0 or 1: from the start of the log)
   * @param type the requested event type
   * @param handler takes each event, in txid order
   * @return how many records were handed over
   * @throws IllegalArgumentException if {@code fromTxid} is negative
   * @throws dev.datawal.CorruptStoreException if a frame is damaged
   * @throws IllegalStateException if the log is closed
   * @throws RuntimeException whatever the handler throws, which ends the replay
   */
  public <T> long replay(long fromTxid, Class<T> type, Consumer<? super StoredEvent<T>> handler) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(handler, "handler");
    long count = 0;
    try (LogFollower follower = written(fromTxid)) {
      Record record;
      while ((record = pollNow(follower)) != null) {
        handler.accept(codec.decode(record, type));
        count++;
      }
    }
    return count;
  }

  /**
   * Follows the log from the first record whose txid is at least {@code fromTxid}, returning
   * durable records only, decoded as {@code type}, and waiting for new ones.
   *
   * @param <T> the requested event type
   * @param fromTxid the first txid wanted (0 or 1: from the start of the log)
   * @param type the requested event type
   * @return the follower, which the caller closes
   * @throws IllegalArgumentException if {@code fromTxid} is negative
   * @throws IllegalStateException if the log is closed
   */
  public <T> EventFollower<T> follow(long fromTxid, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return new EventFollower<>(log.follow(checkTxid(fromTxid), false), codec, type);
  }

  /**
   * Starts the named subscriber {@code name}: a daemon thread that hands every durable event after
   * the subscriber's committed position to {@code handler}, in order, and commits the position
   * after each batch to {@code <store dir>/subscribers/<name>.position} (see {@link
   * SubscriberPositions}). A new subscriber starts at the beginning of the log; one that has a
   * position resumes after it. Delivery is at least once; see {@link EventHandler}.
   *
   * @param <T> the requested event type
   * @param name 1 to 100 characters from {@code [A-Za-z0-9._-]}
   * @param type the requested event type
   * @param handler handles the events, on the subscription's thread
   * @return the running subscription
   * @throws IllegalArgumentException if the name is invalid
   * @throws IllegalStateException if a subscription of that name is already running in this
   *     instance, or this instance or the log is closed
   * @throws DatawalException if the position file is damaged (the message names it) or cannot be
   *     read, or its position is past the end of the log (the log was replaced or truncated)
   */
  public synchronized <T> EventSubscription subscribe(
      String name, Class<T> type, EventHandler<T> handler) {
    SubscriberPositions.checkName(name);
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(handler, "handler");
    if (closed) {
      throw new IllegalStateException("datawal: JsonEventLog is closed");
    }
    if (subscriptions.containsKey(name)) {
      throw new IllegalStateException("datawal: subscriber '" + name + "' is already running");
    }
    long position = positions.position(name);
    long last = log.lastTxid();
    if (position > last) {
      throw new DatawalException(
          "datawal: subscriber position "
              + positions.file(name)
              + " says txid "
              + position
              + " was processed, but the log ends at txid "
              + last
              + ": the log was replaced or truncated; rewrite or delete the position file");
    }
    EventSubscription subscription =
        new EventSubscription(name, type, handler, log, codec, positions, position, this::forget);
    subscriptions.put(name, subscription);
    subscription.start();
    return subscription;
  }

  private synchronized void forget(EventSubscription subscription) {
    subscriptions.remove(subscription.name(), subscription);
  }

  /** {@return the positions of this log's subscribers, including ones not running} */
  public SubscriberPositions positions() {
    return positions;
  }

  /** {@return the log this facade writes to} */
  public RecordLog log() {
    return log;
  }

  /** {@return the mapper this facade writes and reads JSON with} */
  public JsonMapper mapper() {
    return codec.mapper();
  }

  /**
   * Closes every subscription of this instance (each finishes and commits the batch it is handling)
   * and refuses new ones. Leaves the log open. Idempotent.
   */
  @Override
  public void close() {
    List<EventSubscription> running;
    synchronized (this) {
      closed = true;
      running = new ArrayList<>(subscriptions.values());
    }
    for (EventSubscription subscription : running) {
      subscription.close();
    }
  }

  private LogFollower written(long fromTxid) {
    // A follower seeks to the segment holding fromTxid; including unsynced records makes it see
    // what a scan would.
    return log.follow(checkTxid(fromTxid), true);
  }

  private static long checkTxid(long fromTxid) {
    if (fromTxid < 0) {
      throw new IllegalArgumentException("datawal: fromTxid must be >= 0, was " + fromTxid);
    }
    return fromTxid;
  }

  /** The next record already written, without waiting. */
  private static @Nullable Record pollNow(LogFollower follower) {
    try {
      return follower.poll(Duration.ZERO); // a zero timeout never waits
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("datawal: interrupted while reading the log", e);
    }
  }

  @Override
  public String toString() {
    return "JsonEventLog[" + log.dir() + "]";
  }
}
