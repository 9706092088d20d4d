package dev.datawal.internal.format;

import dev.datawal.RecordType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The marker frame that opens a record group, datawal's extension of DWAL v1 for atomic writes:
 * stated once in {@code docs/format.md} ("Record groups (datawal extension)"), which {@code
 * GroupMarkerDocTests} holds to the constants below.
 *
 * <p>A marker is an ordinary v1 frame that the reference implementation accepts and reads as a
 * tombstone of a key that never existed: record type Delete, flags 0, an empty payload, and this
 * {@value #KEY_LENGTH}-byte key (integers little-endian):
 *
 * <pre>
 * offset  size  field
 *      0    15  prefix   00 "datawal.group" 00 (00 64 61 74 61 77 61 6C 2E 67 72 6F 75 70 00)
 *     15     4  members  u32 n: the frames that follow the marker at once, all in its segment
 *     19     8  length   u64: their total bytes (each frame's 28 + K + P)
 * </pre>
 *
 * The marker takes a txid; its members have the n txids after it. A frame is a marker exactly when
 * it is a Delete whose key is {@value #KEY_LENGTH} bytes starting with the prefix and whose payload
 * is empty; users cannot write keys that start with the prefix ({@link #checkNotReserved}).
 *
 * @param members how many frames the group holds after its marker (u32)
 * @param length their total bytes
 */
public record GroupMarker(long members, long length) {
  /** Where the member count is in the key: right after the prefix. */
  public static final int MEMBERS_OFFSET = 15;

  public static final int LENGTH_OFFSET = MEMBERS_OFFSET + Integer.BYTES;
  public static final int KEY_LENGTH = LENGTH_OFFSET + Long.BYTES;

  /** The prefix's length: every key that starts with it is reserved. */
  public static final int PREFIX_LENGTH = MEMBERS_OFFSET;

  /** A marker's whole frame length: no payload. */
  public static final int FRAME_LENGTH = FrameFormat.OVERHEAD + KEY_LENGTH;

  /** How the prefix reads in messages and the docs. */
  public static final String PREFIX_TEXT = "0x00 \"datawal.group\" 0x00";

  private static final byte[] PREFIX = prefix();

  /** The u32 member count and u64 length, as read from a key. */
  public GroupMarker {
    if (members < 0 || members > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("members must be a u32: " + members);
    }
  }

  private static byte[] prefix() {
    byte[] name = "datawal.group".getBytes(StandardCharsets.US_ASCII);
    byte[] prefix = new byte[name.length + 2];
    System.arraycopy(name, 0, prefix, 1, name.length);
    return prefix; // a zero byte before and after the name
  }

  /** {@return a copy of the reserved prefix} */
  public static byte[] prefixBytes() {
    return PREFIX.clone();
  }

  /** The marker's key: the prefix, {@code members} as a u32, {@code length} as a u64. */
  public byte[] key() {
    ByteBuffer key = ByteBuffer.allocate(KEY_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    key.put(PREFIX).putInt((int) members).putLong(length);
    return key.array();
  }

  /**
   * The marker that the frame with this type, key and payload length is, or {@code null} if it is
   * not one.
   *
   * @param key the array holding the frame's key, from {@code keyOffset} for {@code keyLength}
   *     bytes
   */
  public static @Nullable GroupMarker of(
      RecordType type, byte[] key, int keyOffset, int keyLength, int payloadLength) {
    if (type != RecordType.DELETE
        || keyLength != KEY_LENGTH
        || payloadLength != 0
        || !startsWithPrefix(key, keyOffset, keyLength)) {
      return null;
    }
    long members = Integer.toUnsignedLong(LittleEndian.getInt(key, keyOffset + MEMBERS_OFFSET));
    return new GroupMarker(members, LittleEndian.getLong(key, keyOffset + LENGTH_OFFSET));
  }

  /** Whether {@code key} starts with the reserved prefix. */
  public static boolean isReserved(byte[] key) {
    return startsWithPrefix(key, 0, key.length);
  }

  /**
   * Rejects a key that starts with the reserved prefix, before any I/O: only group markers may.
   *
   * @throws IllegalArgumentException naming the prefix
   */
  public static void checkNotReserved(byte[] key) {
    if (isReserved(key)) {
      throw new IllegalArgumentException(
          "datawal: the key starts with "
              + PREFIX_TEXT
              + ", a prefix reserved for the markers of record groups; no record may have such a"
              + " key (nothing was written)");
    }
  }

  private static boolean startsWithPrefix(byte[] key, int offset, int length) {
    if (length < PREFIX_LENGTH) {
      return false;
    }
    for (int i = 0; i < PREFIX_LENGTH; i++) {
      if (key[offset + i] != PREFIX[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "group marker of " + members + " members, " + length + " bytes";
  }
}
