package dev.datawal.modulith;

import dev.datawal.DatawalException;

/**
 * A publication key or value in the store does not decode: it was damaged, or written by a newer
 * format version. The message names the key ({@code modulith/pub/<uuid>} and so on) and what was
 * wrong; the publication is never skipped silently.
 */
public final class PublicationFormatException extends DatawalException {
  private static final long serialVersionUID = 1L;

  private final String key;

  PublicationFormatException(byte[] key, String problem) {
    this(PublicationKeys.describe(key), problem);
  }

  private PublicationFormatException(String key, String problem) {
    super(
        "datawal-modulith: the publication stored at key '"
            + key
            + "' does not decode: "
            + problem);
    this.key = key;
  }

  /** {@return the key whose value does not decode, readable (prefix as text, then the UUID)} */
  public String key() {
    return key;
  }
}
