package dev.datawal.spring.json;

import dev.datawal.DatawalException;
import dev.datawal.RecordRef;
import org.jspecify.annotations.Nullable;

/**
 * A value of a {@link JsonKeyValueStore} is not JSON of the requested type. The message names the
 * key and, when known, the segment, offset and txid of the key's latest Put.
 *
 * <p>Immutable and thread-safe.
 */
public final class ValueDecodingException extends DatawalException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final transient @Nullable RecordRef ref;

  ValueDecodingException(
      String key, @Nullable RecordRef ref, Class<?> type, String detail, Throwable cause) {
    super(
        "datawal: the value of key \""
            + key
            + "\""
            + (ref == null
                ? ""
                : " (txid "
                    + ref.txid()
                    + ", segment "
                    + ref.segment()
                    + ", offset "
                    + ref.offset()
                    + ")")
            + " is not JSON of type "
            + type.getName()
            + ": "
            + detail,
        cause);
    this.key = key;
    this.ref = ref;
  }

  /** {@return the key whose value did not decode} */
  public String key() {
    return key;
  }

  /** {@return where the key's latest Put lies, or {@code null} if it could not be found out} */
  public @Nullable RecordRef ref() {
    return ref;
  }
}
