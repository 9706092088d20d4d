package dev.datawal.spring.json;

import dev.datawal.DataWal;
import dev.datawal.RecordRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A typed key/value facade over a {@link DataWal}: keys are strings, stored as their UTF-8 bytes;
 * values are objects, stored as the plain JSON the {@link JsonMapper} writes for them (no envelope,
 * so {@link DataWal#exportJsonl} output decodes to readable JSON), and read back as the type the
 * caller names.
 *
 * <p>Durability and visibility are the store's: see {@link DataWal}.
 *
 * <p>Thread-safe. The store is the caller's: this facade never closes it.
 */
public final class JsonKeyValueStore {
  private final DataWal store;
  private final JsonMapper mapper;

  /**
   * A facade over {@code store} that writes and reads JSON with {@code mapper}.
   *
   * @param store the store, which stays the caller's
   * @param mapper writes and reads the values
   * @throws NullPointerException if an argument is null
   */
  public JsonKeyValueStore(DataWal store, JsonMapper mapper) {
    this.store = Objects.requireNonNull(store, "store");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /**
   * Sets {@code key} to {@code value}, written as JSON.
   *
   * @param key the key, stored as its UTF-8 bytes
   * @param value the value
   * @return where the Put went, and its txid
   * @throws NullPointerException if an argument is null
   * @throws JacksonException if the mapper cannot write the value
   * @throws dev.datawal.LimitExceededException if the key or JSON is over the store's limits
   * @throws dev.datawal.WriterPoisonedException if the store's writer is poisoned
   * @throws IllegalStateException if the store is closed
   */
  public RecordRef put(String key, Object value) {
    Objects.requireNonNull(value, "value");
    return store.put(bytes(key), mapper.writeValueAsBytes(value));
  }

  /**
   * The value of {@code key} read as {@code type}, or empty if the key is not live.
   *
   * @param <T> the value's type
   * @param key the key
   * @param type the value's type
   * @return the value, or empty if the key is not live (or its value is JSON {@code null})
   * @throws ValueDecodingException if the stored value is not JSON of {@code type} (the message
   *     names the key, and the segment, offset and txid of its latest Put)
   * @throws dev.datawal.CorruptStoreException if the frame on disk no longer checks out
   * @throws IllegalStateException if the store is closed
   */
  public <T> Optional<T> get(String key, Class<T> type) {
    Objects.requireNonNull(type, "type");
    byte[] k = bytes(key);
    Optional<byte[]> value = store.get(k);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(mapper.readValue(value.get(), type));
    } catch (JacksonException e) {
      // Found out after the read; a concurrent put may have moved the key on, which the message
      // then names instead (the value read was the one replaced).
      RecordRef ref = store.refOf(k).orElse(null);
      throw new ValueDecodingException(key, ref, type, e.getOriginalMessage(), e);
    }
  }

  /**
   * Removes {@code key}, writing a tombstone if it was live.
   *
   * @param key the key
   * @return whether the key was live
   * @throws dev.datawal.WriterPoisonedException if the store's writer is poisoned
   * @throws IllegalStateException if the store is closed
   */
  public boolean delete(String key) {
    return store.delete(bytes(key));
  }

  /**
   * Whether {@code key} is live. Costs no I/O.
   *
   * @param key the key
   * @return whether it is live
   */
  public boolean containsKey(String key) {
    return store.containsKey(bytes(key));
  }

  /**
   * {@return every live key, decoded as UTF-8, in unsigned byte order of the stored keys} Bytes
   * that are not UTF-8, written by other code, show as U+FFFD.
   */
  public List<String> keys() {
    List<byte[]> raw = store.keys();
    List<String> keys = new ArrayList<>(raw.size());
    for (byte[] key : raw) {
      keys.add(new String(key, StandardCharsets.UTF_8));
    }
    return keys;
  }

  /** {@return the number of live keys} */
  public int size() {
    return store.size();
  }

  /** {@return the store this facade reads and writes} */
  public DataWal store() {
    return store;
  }

  /** {@return the mapper this facade writes and reads JSON with} */
  public JsonMapper mapper() {
    return mapper;
  }

  private static byte[] bytes(String key) {
    return Objects.requireNonNull(key, "key").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "JsonKeyValueStore[" + store.log().dir() + "]";
  }
}
