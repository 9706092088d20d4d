package dev.datawal.internal;

import dev.datawal.CorruptionKind;
import dev.datawal.LimitExceededException;
import dev.datawal.RecordType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The DWAL v1 record frame: how one record is laid out on disk, encoded and checked.
 *
 * <pre>
 * offset  size  field        rule
 *      0     4  magic        ASCII "DWAL" (44 57 41 4C)
 *      4     2  version      u16 = 1
 *      6     1  record_type  0 = Raw, 1 = Put, 2 = Delete
 *      7     1  flags        reserved, 0
 *      8     8  txid         u64
 *     16     4  key_len      u32, at most MAX_KEY_LEN
 *     20     4  payload_len  u32, at most MAX_PAYLOAD_LEN
 *     24     K  key
 *   24+K     P  payload
 * 24+K+P     4  crc          CRC-32C of bytes [0, 24+K+P): header, key and payload
 * </pre>
 *
 * All integers are little-endian. Frames follow each other with no gap and no file header. A frame
 * is checked in this order: at least a header's bytes left (else truncated), magic, version, record
 * type, flags, key length limit, payload length limit, whole frame present (else truncated), CRC.
 */
public final class FrameFormat {
  /** "DWAL" read as a little-endian u32. */
  public static final int MAGIC = 0x4C415744;

  public static final int MAGIC_OFFSET = 0;
  public static final int VERSION_OFFSET = MAGIC_OFFSET + Integer.BYTES;
  public static final int TYPE_OFFSET = VERSION_OFFSET + Short.BYTES;
  public static final int FLAGS_OFFSET = TYPE_OFFSET + 1;
  public static final int TXID_OFFSET = FLAGS_OFFSET + 1;
  public static final int KEY_LEN_OFFSET = TXID_OFFSET + Long.BYTES;
  public static final int PAYLOAD_LEN_OFFSET = KEY_LEN_OFFSET + Integer.BYTES;
  public static final int HEADER_SIZE = PAYLOAD_LEN_OFFSET + Integer.BYTES;
  public static final int CRC_SIZE = Integer.BYTES;

  /** Bytes a frame takes besides its key and payload. */
  public static final int OVERHEAD = HEADER_SIZE + CRC_SIZE;

  public static final int VERSION = 1;
  public static final int MAX_KEY_LEN = 65_536;
  public static final int MAX_PAYLOAD_LEN = 64 * 1024 * 1024;
  public static final int MAX_FRAME_SIZE = OVERHEAD + MAX_KEY_LEN + MAX_PAYLOAD_LEN;

  private FrameFormat() {}

  /** The whole frame length of a record with these key and payload lengths. */
  public static int frameLength(int keyLen, int payloadLen) {
    return OVERHEAD + keyLen + payloadLen;
  }

  /**
   * Rejects a key or payload over the format's limits, before any I/O.
   *
   * @throws LimitExceededException naming {@code MAX_KEY_LEN} or {@code MAX_PAYLOAD_LEN}
   */
  public static void checkLimits(int keyLen, int payloadLen) {
    if (keyLen > MAX_KEY_LEN) {
      throw new LimitExceededException(
          "MAX_KEY_LEN",
          MAX_KEY_LEN,
          keyLen,
          "datawal: key of " + keyLen + " bytes exceeds MAX_KEY_LEN (" + MAX_KEY_LEN + " bytes)");
    }
    if (payloadLen > MAX_PAYLOAD_LEN) {
      throw new LimitExceededException(
          "MAX_PAYLOAD_LEN",
          MAX_PAYLOAD_LEN,
          payloadLen,
          "datawal: payload of "
              + payloadLen
              + " bytes exceeds MAX_PAYLOAD_LEN ("
              + MAX_PAYLOAD_LEN
              + " bytes)");
    }
  }

  /**
   * Encodes one frame into a new little-endian buffer, positioned at 0 with the frame's length as
   * its limit.
   *
   * @throws LimitExceededException if the key or payload is over its limit
   */
  public static ByteBuffer encode(RecordType type, long txid, byte[] key, byte[] payload) {
    checkLimits(key.length, payload.length);
    ByteBuffer frame =
        ByteBuffer.allocate(frameLength(key.length, payload.length)).order(ByteOrder.LITTLE_ENDIAN);
    encodeInto(frame, type, txid, key, payload, new CRC32C());
    return frame.flip();
  }

  /**
   * Appends one frame at {@code dst}'s position (little-endian, with room for the whole frame),
   * leaving the position after it. The caller has checked the limits.
   */
  public static void encodeInto(
      ByteBuffer dst, RecordType type, long txid, byte[] key, byte[] payload, CRC32C crc) {
    int start = dst.position();
    dst.putInt(MAGIC)
        .putShort((short) VERSION)
        .put((byte) type.code())
        .put((byte) 0)
        .putLong(txid)
        .putInt(key.length)
        .putInt(payload.length)
        .put(key)
        .put(payload);
    int end = dst.position();
    crc.reset();
    crc.update(dst.duplicate().position(start).limit(end)); // header, key and payload
    dst.putInt((int) crc.getValue());
  }

  /**
   * Checks the header that starts at {@code at} in {@code buf} (little-endian), given how many
   * bytes of the file remain from {@code at}. Checks everything but the CRC, in the order the
   * format prescribes.
   *
   * @param buf holds at least {@code min(HEADER_SIZE, remaining)} bytes from {@code at}
   * @return {@code null} if the header is valid and the whole frame fits, else the fault
   */
  public static FrameFault checkHeader(ByteBuffer buf, int at, long remaining) {
    if (remaining < HEADER_SIZE) {
      return FrameFault.truncated(HEADER_SIZE, remaining);
    }
    int magic = buf.getInt(at + MAGIC_OFFSET);
    if (magic != MAGIC) {
      return new FrameFault(
          CorruptionKind.STRUCTURAL,
          "bad magic " + hex8(Integer.reverseBytes(magic)) + " (expected 4457414c, \"DWAL\")",
          0);
    }
    int version = Short.toUnsignedInt(buf.getShort(at + VERSION_OFFSET));
    if (version != VERSION) {
      // Version 0 was never used by any format; it is what zero fill after a torn magic reads
      // as, so it is damage, not a frame from a newer format.
      return new FrameFault(
          version == 0 ? CorruptionKind.STRUCTURAL : CorruptionKind.UNSUPPORTED_VERSION,
          "version " + version + " (this build reads version " + VERSION + ")",
          0);
    }
    int type = Byte.toUnsignedInt(buf.get(at + TYPE_OFFSET));
    if (!RecordType.isKnownCode(type)) {
      return new FrameFault(CorruptionKind.STRUCTURAL, "unknown record type " + type, 0);
    }
    int flags = Byte.toUnsignedInt(buf.get(at + FLAGS_OFFSET));
    if (flags != 0) {
      return new FrameFault(CorruptionKind.STRUCTURAL, "non-zero flags " + flags, 0);
    }
    long keyLen = Integer.toUnsignedLong(buf.getInt(at + KEY_LEN_OFFSET));
    if (keyLen > MAX_KEY_LEN) {
      return new FrameFault(
          CorruptionKind.STRUCTURAL,
          "key_len " + keyLen + " exceeds MAX_KEY_LEN (" + MAX_KEY_LEN + ")",
          0);
    }
    long payloadLen = Integer.toUnsignedLong(buf.getInt(at + PAYLOAD_LEN_OFFSET));
    if (payloadLen > MAX_PAYLOAD_LEN) {
      return new FrameFault(
          CorruptionKind.STRUCTURAL,
          "payload_len " + payloadLen + " exceeds MAX_PAYLOAD_LEN (" + MAX_PAYLOAD_LEN + ")",
          0);
    }
    long frameLength = OVERHEAD + keyLen + payloadLen;
    if (frameLength > remaining) {
      return FrameFault.truncated(frameLength, remaining);
    }
    return null;
  }

  /**
   * Decodes the frame at the start of {@code bytes}, as a reader of a file that ends where {@code
   * bytes} ends would. Allocates at most the frame's own key and payload, and only once it knows
   * the whole frame is present.
   */
  public static DecodedFrame decode(byte[] bytes) {
    FrameFault fault = check(bytes, bytes.length);
    if (fault != null) {
      return DecodedFrame.failed(fault);
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int keyLen = keyLength(buf, 0);
    int payloadLen = payloadLength(buf, 0);
    byte[] key = new byte[keyLen];
    byte[] payload = new byte[payloadLen];
    buf.get(HEADER_SIZE, key).get(HEADER_SIZE + keyLen, payload);
    return new DecodedFrame(
        null, type(buf, 0), txid(buf, 0), key, payload, frameLength(keyLen, payloadLen));
  }

  /**
   * Checks the frame at the start of {@code bytes}, of which the first {@code available} are there:
   * the header, that the whole frame is present, and its CRC.
   *
   * @return {@code null} if it is a valid frame, else the fault
   */
  public static FrameFault check(byte[] bytes, int available) {
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    FrameFault fault = checkHeader(buf, 0, available);
    if (fault != null) {
      return fault;
    }
    int crcAt = HEADER_SIZE + keyLength(buf, 0) + payloadLength(buf, 0);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, crcAt);
    int stored = buf.getInt(crcAt);
    return stored == (int) crc.getValue() ? null : crcMismatch(stored, (int) crc.getValue());
  }

  /** The key length of a header that passed {@link #checkHeader}. */
  public static int keyLength(ByteBuffer buf, int at) {
    return buf.getInt(at + KEY_LEN_OFFSET);
  }

  /** The payload length of a header that passed {@link #checkHeader}. */
  public static int payloadLength(ByteBuffer buf, int at) {
    return buf.getInt(at + PAYLOAD_LEN_OFFSET);
  }

  /** The txid of a header that passed {@link #checkHeader}. */
  public static long txid(ByteBuffer buf, int at) {
    return buf.getLong(at + TXID_OFFSET);
  }

  /** The record type of a header that passed {@link #checkHeader}. */
  public static RecordType type(ByteBuffer buf, int at) {
    return RecordType.fromCode(buf.get(at + TYPE_OFFSET));
  }

  /** The fault for a whole frame whose stored CRC differs from the one computed. */
  public static FrameFault crcMismatch(int stored, int computed) {
    return new FrameFault(
        CorruptionKind.CRC_MISMATCH,
        "stored CRC 0x" + hex8(stored) + ", computed 0x" + hex8(computed),
        0);
  }

  static String hex8(int value) {
    return String.format("%08x", value);
  }
}
