package dev.datawal;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One record to append in a batch ({@link RecordLog#appendBatch}, {@link DataWal#writeBatch}).
 *
 * <p>The arrays are not copied; do not change them until the append returned.
 *
 * @param type the record's type
 * @param key its key (empty for a plain log entry)
 * @param payload its payload (empty for a delete)
 */
public record Entry(RecordType type, byte[] key, byte[] payload) {
  private static final byte[] EMPTY = new byte[0];

  /**
   * Checks that no component is {@code null}.
   *
   * @param type the record's type
   * @param key its key (empty for a plain log entry)
   * @param payload its payload (empty for a delete)
   * @throws NullPointerException if any of them is {@code null}
   */
  public Entry {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(payload, "payload");
  }

  /**
   * {@return a {@link RecordType#RAW} entry with an empty key}
   *
   * @param payload the bytes to log
   */
  public static Entry raw(byte[] payload) {
    return new Entry(RecordType.RAW, EMPTY, payload);
  }

  /**
   * {@return a {@link RecordType#PUT} of {@code value} under {@code key}}
   *
   * @param key the key to set
   * @param value its new value
   */
  public static Entry put(byte[] key, byte[] value) {
    return new Entry(RecordType.PUT, key, value);
  }

  /**
   * {@return a {@link RecordType#DELETE} (tombstone) of {@code key}}
   *
   * @param key the key to remove
   */
  public static Entry delete(byte[] key) {
    return new Entry(RecordType.DELETE, key, EMPTY);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Entry e
        && type == e.type
        && java.util.Arrays.equals(key, e.key)
        && java.util.Arrays.equals(payload, e.payload);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * type.hashCode() + java.util.Arrays.hashCode(key))
        + java.util.Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "Entry["
        + type
        + ", key="
        + key.length
        + " bytes, payload="
        + payload.length
        + " bytes]";
  }
}
