package dev.datawal.spring.json;

import dev.datawal.RecordRef;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One record of a {@link JsonEventLog}, decoded as an event of the requested type, or carrying why
 * it could not be: then {@link #event()} throws and {@link #failure()} holds the error, while the
 * rest of the log stays readable.
 *
 * <p>Immutable and thread-safe if the event is.
 *
 * @param <T> the requested event type
 */
public final class StoredEvent<T> {
  private final RecordRef ref;
  private final String key;
  private final @Nullable String typeName;
  private final @Nullable T event; // null exactly when failure is not
  private final @Nullable EventDecodingException failure;

  private StoredEvent(
      RecordRef ref,
      String key,
      @Nullable String typeName,
      @Nullable T event,
      @Nullable EventDecodingException failure) {
    this.ref = Objects.requireNonNull(ref, "ref");
    this.key = Objects.requireNonNull(key, "key");
    this.typeName = typeName;
    this.event = event;
    this.failure = failure;
  }

  static <T> StoredEvent<T> decoded(RecordRef ref, String key, String typeName, T event) {
    return new StoredEvent<>(ref, key, typeName, event, null);
  }

  static <T> StoredEvent<T> failed(RecordRef ref, String key, EventDecodingException failure) {
    return new StoredEvent<>(ref, key, failure.typeName(), null, failure);
  }

  /** {@return the record's txid} */
  public long txid() {
    return ref.txid();
  }

  /** {@return where the record lies on disk (segment, offset, length) and its txid} */
  public RecordRef ref() {
    return ref;
  }

  /** {@return the record's key, decoded as UTF-8; empty for an event appended without a key} */
  public String key() {
    return key;
  }

  /**
   * {@return the envelope's type name ({@code @JsonTypeName} value or class name), or {@code null}
   * if the envelope could not be read}
   */
  public @Nullable String typeName() {
    return typeName;
  }

  /** {@return whether the record decoded into an event, so {@link #event()} does not throw} */
  public boolean isDecoded() {
    return failure == null;
  }

  /**
   * The decoded event.
   *
   * @return the event, never null
   * @throws EventDecodingException if the record could not be decoded (the message names the txid,
   *     segment, offset and reason)
   */
  public T event() {
    if (failure != null) {
      throw failure;
    }
    return Objects.requireNonNull(event, "a decoded event"); // see decoded()
  }

  /** {@return why the record could not be decoded, or empty if it was} */
  public Optional<EventDecodingException> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public String toString() {
    return "StoredEvent[txid="
        + ref.txid()
        + ", segment="
        + ref.segment()
        + ", offset="
        + ref.offset()
        + ", key="
        + key
        + ", type="
        + typeName
        + (failure == null ? "" : ", failed: " + failure.reason())
        + "]";
  }
}
