package dev.datawal.crash;

import dev.datawal.RecordType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * An independent decoder of DWAL v1 frames (docs/reference/format-v1.md) and of datawal's record
 * groups (docs/format.md, "Record groups"), written from the specs rather than shared with the
 * engine, so the sweep can tell what a crash image holds before the engine opens it.
 */
final class Frames {
  static final int HEADER = 24;
  static final int MAX_KEY = 65_536;
  static final int MAX_PAYLOAD = 64 << 20;

  private Frames() {}

  /** One valid frame. */
  record Frame(RecordType type, long txid, byte[] key, byte[] payload, int offset, int length) {}

  /**
   * The longest valid prefix of a segment's bytes.
   *
   * @param frames the valid records, in order (record groups' markers are not records)
   * @param validEnd where the valid prefix ends (the segment's length if it is all valid)
   * @param damageAt where the first byte that is not a valid frame is: {@code validEnd}, or after
   *     the whole members of a record group cut short (the prefix then ends at its marker)
   * @param groupMismatch whether the prefix ends at a group marker that disagrees with the valid
   *     frames after it (which recovery must refuse anywhere)
   */
  record Prefix(List<Frame> frames, int validEnd, int damageAt, boolean groupMismatch) {}

  /** The reserved key prefix of a record group's marker: 0x00 "datawal.group" 0x00. */
  private static final byte[] GROUP_PREFIX =
      "\0datawal.group\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * Decodes frames from the start of {@code segment} until the end or the first damage, taking each
   * record group (docs/format.md, "Record groups") whole or not at all.
   */
  static Prefix validPrefix(byte[] segment) {
    List<Frame> frames = new ArrayList<>();
    int at = 0;
    while (true) {
      Frame f = frameAt(segment, at);
      if (f == null) {
        return new Prefix(frames, at, at, false);
      }
      if (!isGroupMarker(f)) {
        frames.add(f);
        at += f.length();
        continue;
      }
      ByteBuffer key = ByteBuffer.wrap(f.key()).order(ByteOrder.LITTLE_ENDIAN);
      long members = Integer.toUnsignedLong(key.getInt(GROUP_PREFIX.length));
      long length = key.getLong(GROUP_PREFIX.length + 4);
      int start = at + f.length();
      int pos = start;
      List<Frame> group = new ArrayList<>();
      while (group.size() < members && pos - start < length) {
        Frame m = frameAt(segment, pos);
        if (m == null) {
          return new Prefix(frames, at, pos, false); // cut short: the prefix ends at the marker
        }
        if (isGroupMarker(m) || m.txid() != f.txid() + group.size() + 1) {
          return new Prefix(frames, at, pos, true);
        }
        group.add(m);
        pos += m.length();
      }
      if (group.size() != members || pos - start != length) {
        return new Prefix(frames, at, pos, true);
      }
      frames.addAll(group);
      at = pos;
    }
  }

  /** Whether {@code f} is a record group's marker: a Delete of a 27-byte reserved key. */
  static boolean isGroupMarker(Frame f) {
    return f.type() == RecordType.DELETE
        && f.key().length == GROUP_PREFIX.length + 12
        && f.payload().length == 0
        && Arrays.equals(f.key(), 0, GROUP_PREFIX.length, GROUP_PREFIX, 0, GROUP_PREFIX.length);
  }

  /** The valid frame starting at {@code at}, or {@code null}. */
  static Frame frameAt(byte[] b, int at) {
    if (b.length - at < HEADER) {
      return null;
    }
    ByteBuffer h = ByteBuffer.wrap(b, at, HEADER).slice().order(ByteOrder.LITTLE_ENDIAN);
    if (h.get(0) != 'D' || h.get(1) != 'W' || h.get(2) != 'A' || h.get(3) != 'L') {
      return null;
    }
    int version = Short.toUnsignedInt(h.getShort(4));
    int type = Byte.toUnsignedInt(h.get(6));
    int flags = Byte.toUnsignedInt(h.get(7));
    long txid = h.getLong(8);
    long keyLen = Integer.toUnsignedLong(h.getInt(16));
    long payloadLen = Integer.toUnsignedLong(h.getInt(20));
    if (version != 1 || type > 2 || flags != 0 || keyLen > MAX_KEY || payloadLen > MAX_PAYLOAD) {
      return null;
    }
    long length = HEADER + keyLen + payloadLen + 4;
    if (b.length - at < length) {
      return null;
    }
    int body = (int) (length - 4);
    CRC32C crc = new CRC32C();
    crc.update(b, at, body);
    int stored = ByteBuffer.wrap(b, at + body, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if ((int) crc.getValue() != stored) {
      return null;
    }
    byte[] key = new byte[(int) keyLen];
    System.arraycopy(b, at + HEADER, key, 0, key.length);
    byte[] payload = new byte[(int) payloadLen];
    System.arraycopy(b, at + HEADER + key.length, payload, 0, payload.length);
    return new Frame(RecordType.fromCode(type), txid, key, payload, at, (int) length);
  }

  /** The offset of the first valid frame starting in {@code [from, end)}, or -1. */
  static int validFrameAfter(byte[] b, int from) {
    for (int i = Math.max(0, from); i + HEADER <= b.length; i++) {
      if (b[i] == 'D' && frameAt(b, i) != null) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The offset of the first frame in {@code [from, end)} whose version no format can have (0, or
   * above 255) but that is otherwise a whole frame, valid with version 1: written whole, its
   * version bytes damaged since, which recovery must refuse wherever it is. -1 if there is none.
   */
  static int versionDamagedFrameFrom(byte[] b, int from) {
    for (int i = Math.max(0, from); i + HEADER <= b.length; i++) {
      int version = Byte.toUnsignedInt(b[i + 4]) | Byte.toUnsignedInt(b[i + 5]) << 8;
      if (b[i] == 'D' && (version == 0 || version > 255)) {
        byte[] asVersion1 = Arrays.copyOfRange(b, i, b.length);
        asVersion1[4] = 1;
        asVersion1[5] = 0;
        if (frameAt(asVersion1, 0) != null) {
          return i;
        }
      }
    }
    return -1;
  }

  /** Encodes one frame, as the engine must (for building starting states in workloads). */
  static byte[] encode(RecordType type, long txid, byte[] key, byte[] payload) {
    ByteBuffer b =
        ByteBuffer.allocate(HEADER + key.length + payload.length + 4)
            .order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {'D', 'W', 'A', 'L'}).putShort((short) 1).put((byte) type.code());
    b.put((byte) 0).putLong(txid).putInt(key.length).putInt(payload.length).put(key).put(payload);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }
}
