package dev.datawal.internal.format;

import dev.datawal.CorruptionKind;
import dev.datawal.Limit;
import dev.datawal.LimitExceededException;
import dev.datawal.RecordType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The DWAL v1 record frame: how one record is laid out on disk, encoded and checked.
 *
 * <p>The layout (a 24-byte header, the key, the payload, a CRC-32C), the order in which a frame is
 * checked and how a version other than 1 is read are stated once, in {@code docs/format.md}
 * ("Record frame"); {@code FrameFormatDocTests} holds that text to the constants below. This class
 * is the one place that applies those rules. The version rule needs the CRC in one case: {@link
 * #checkHeader} then returns a fault that {@link FrameFault#crcDecides()}, and the reader settles
 * it once it has the CRC.
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

  /** The highest version a newer format may have; 0 and anything above cannot be a version. */
  public static final int MAX_FUTURE_VERSION = 255;

  public static final int MAX_KEY_LEN = 65_536;
  public static final int MAX_PAYLOAD_LEN = 64 * 1024 * 1024;
  public static final int MAX_FRAME_SIZE = OVERHEAD + MAX_KEY_LEN + MAX_PAYLOAD_LEN;

  /** The version field of a v1 frame as it is on disk. */
  private static final byte[] VERSION_1_BYTES = {(byte) VERSION, 0};

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
      throw new LimitExceededException(Limit.MAX_KEY_LEN, keyLen);
    }
    if (payloadLen > MAX_PAYLOAD_LEN) {
      throw new LimitExceededException(Limit.MAX_PAYLOAD_LEN, payloadLen);
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
   * @return {@code null} if the header is valid and the whole frame fits, else the fault; a fault
   *     that {@link FrameFault#crcDecides()} (a version no format can have on an otherwise valid
   *     header of a whole frame) is settled by the frame's CRC as if its version were 1
   */
  public static @Nullable FrameFault checkHeader(ByteBuffer buf, int at, long remaining) {
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
    if (version == VERSION) {
      return checkAfterVersion(buf, at, remaining);
    }
    if (version <= MAX_FUTURE_VERSION && version != 0) {
      return new FrameFault(
          CorruptionKind.UNSUPPORTED_VERSION,
          "version "
              + version
              + " (this build reads version "
              + VERSION
              + "; a newer format may have written it)",
          0);
    }
    // No format has this version: a torn header, unless the rest is a whole v1 frame whose CRC
    // matches with version 1, which only a frame written whole can be (see the class comment).
    FrameFault torn =
        new FrameFault(
            CorruptionKind.STRUCTURAL,
            "version "
                + version
                + " cannot be a future format version (this build reads version "
                + VERSION
                + "; newer formats are numbered 2 to "
                + MAX_FUTURE_VERSION
                + ")",
            0);
    if (checkAfterVersion(buf, at, remaining) != null) {
      return torn;
    }
    return new FrameFault(
        torn.kind(),
        torn.detail(),
        0,
        new FrameFault(
            CorruptionKind.UNSUPPORTED_VERSION,
            "version "
                + version
                + " (this build reads version "
                + VERSION
                + "), but the frame is otherwise a whole, CRC-valid version-"
                + VERSION
                + " frame: it was written whole and its version bytes were damaged since, so it"
                + " is not a torn tail",
            0));
  }

  /** The checks after the version's, in order: type, flags, length limits, whole frame present. */
  private static @Nullable FrameFault checkAfterVersion(ByteBuffer buf, int at, long remaining) {
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
   * Feeds the {@link #HEADER_SIZE} header bytes at {@code at} of {@code bytes} to {@code crc}, with
   * the version field read as 1: the first part of the CRC that settles a fault that {@link
   * FrameFault#crcDecides()} (key and payload follow as they are).
   */
  public static void updateHeaderCrcAsVersion1(CRC32C crc, byte[] bytes, int at) {
    crc.update(bytes, at, VERSION_OFFSET);
    crc.update(VERSION_1_BYTES, 0, VERSION_1_BYTES.length);
    crc.update(bytes, at + TYPE_OFFSET, HEADER_SIZE - TYPE_OFFSET);
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
  public static @Nullable FrameFault check(byte[] bytes, int available) {
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    FrameFault fault = checkHeader(buf, 0, available);
    if (fault != null && !fault.crcDecides()) {
      return fault;
    }
    int crcAt = HEADER_SIZE + keyLength(buf, 0) + payloadLength(buf, 0);
    int stored = buf.getInt(crcAt);
    CRC32C crc = new CRC32C();
    if (fault != null) { // the CRC decides, with the version read as 1
      updateHeaderCrcAsVersion1(crc, bytes, 0);
      crc.update(bytes, HEADER_SIZE, crcAt - HEADER_SIZE);
      return fault.settle(stored == (int) crc.getValue());
    }
    crc.update(bytes, 0, crcAt);
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
