package dev.datawal.modulith;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The keys of publications in the store: a reserved prefix naming the table, then the publication's
 * UUID as 16 bytes (most significant long first, big-endian).
 *
 * <pre>
 *   key      = prefix uuid
 *   prefix   = "modulith/pub/"   incomplete publications (PUBLISHED, PROCESSING, FAILED, RESUBMITTED)
 *            | "modulith/cmp/"   completed publications, completion mode UPDATE
 *            | "modulith/arc/"   completed publications, completion mode ARCHIVE
 *   uuid     = 16 bytes
 * </pre>
 *
 * <p>Completed publications live under their own prefix, not beside the incomplete ones, so that
 * startup reads only the incomplete publications' values and the completed ones are found by key
 * alone. Every key is {@link #KEY_LENGTH} bytes.
 */
enum PublicationKeys {
  /**
   * Incomplete publications: the table Modulith calls the publication table, less its done rows.
   */
  INCOMPLETE("modulith/pub/"),
  /** Completed publications kept in place (completion mode UPDATE). */
  COMPLETED("modulith/cmp/"),
  /** Completed publications moved to the archive (completion mode ARCHIVE). */
  ARCHIVED("modulith/arc/");

  /** What every publication key starts with: keys under it that fit no table are an error. */
  static final byte[] RESERVED = "modulith/".getBytes(StandardCharsets.US_ASCII);

  static final int PREFIX_LENGTH = 13;
  static final int UUID_LENGTH = 16;
  static final int KEY_LENGTH = PREFIX_LENGTH + UUID_LENGTH;

  private final byte[] prefix;

  PublicationKeys(String prefix) {
    this.prefix = prefix.getBytes(StandardCharsets.US_ASCII);
    if (this.prefix.length != PREFIX_LENGTH) {
      throw new AssertionError(prefix);
    }
  }

  /** {@return the key of publication {@code id} in this table} */
  byte[] key(UUID id) {
    return ByteBuffer.allocate(KEY_LENGTH)
        .put(prefix)
        .putLong(id.getMostSignificantBits())
        .putLong(id.getLeastSignificantBits())
        .array();
  }

  /** {@return the prefix of this table's keys (a copy)} */
  byte[] prefix() {
    return prefix.clone();
  }

  /** {@return whether {@code key} is in this table (starts with its prefix)} */
  boolean holds(byte[] key) {
    return key.length >= PREFIX_LENGTH
        && Arrays.equals(key, 0, PREFIX_LENGTH, prefix, 0, PREFIX_LENGTH);
  }

  /**
   * {@return the id in {@code key}, a key of this table}
   *
   * @throws PublicationFormatException if the key is not prefix + 16 bytes
   */
  UUID id(byte[] key) {
    if (key.length != KEY_LENGTH || !holds(key)) {
      throw new PublicationFormatException(
          key, "a publication key is " + KEY_LENGTH + " bytes, this one " + key.length);
    }
    ByteBuffer buffer = ByteBuffer.wrap(key, PREFIX_LENGTH, UUID_LENGTH);
    return new UUID(buffer.getLong(), buffer.getLong());
  }

  /** {@return the table {@code key} belongs to, or null if it is not a publication key} */
  static @Nullable PublicationKeys tableOf(byte[] key) {
    for (PublicationKeys table : values()) {
      if (table.holds(key)) {
        return table;
      }
    }
    return null;
  }

  /** {@return whether {@code key} is under the reserved prefix} */
  static boolean reserved(byte[] key) {
    return key.length >= RESERVED.length
        && Arrays.equals(key, 0, RESERVED.length, RESERVED, 0, RESERVED.length);
  }

  /** {@return {@code key} readable: the prefix as text, then the UUID if it holds one} */
  static String describe(byte[] key) {
    PublicationKeys table = tableOf(key);
    if (table != null && key.length == KEY_LENGTH) {
      return new String(table.prefix, StandardCharsets.US_ASCII) + table.id(key);
    }
    StringBuilder text = new StringBuilder();
    for (byte b : key) {
      if (b >= 0x20 && b < 0x7f) {
        text.append((char) b);
      } else {
        text.append(String.format("\\x%02x", b & 0xff));
      }
    }
    return text.toString();
  }

  @Override
  public String toString() {
    return new String(prefix, StandardCharsets.US_ASCII);
  }
}
