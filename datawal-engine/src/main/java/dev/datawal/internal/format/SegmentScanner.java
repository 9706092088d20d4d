package dev.datawal.internal.format;

import static dev.datawal.internal.format.FrameFormat.CRC_SIZE;
import static dev.datawal.internal.format.FrameFormat.HEADER_SIZE;

import dev.datawal.RecordType;
import dev.datawal.internal.io.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Reads the frames of one segment file in order, up to a given end, and stops at the first byte
 * that does not start a valid frame.
 *
 * <p>Design: the file is read sequentially through one heap window of at most {@link #MAX_WINDOW}
 * bytes, so memory stays bounded whatever the segment's size. Keys and payloads are copied out only
 * when asked ({@link Content}); otherwise their bytes only pass through the CRC. A key or payload
 * is allocated only after the header was checked and the whole frame is known to be present, so a
 * damaged length field can never cause an allocation beyond the bytes really in the file. Payloads
 * at least as large as the window are read straight into their array, skipping the window.
 *
 * <p>Not thread-safe: one scanner per reading thread.
 */
public final class SegmentScanner {
  /** The largest window: big enough for sequential throughput, small enough to not matter. */
  public static final int MAX_WINDOW = 1 << 20;

  private static final int MIN_WINDOW = 64;

  /** What to copy out of each valid frame. */
  public enum Content {
    /** Nothing: validate only (recovery). */
    NONE,
    /**
     * The key only, in place: {@link #keyArray()} and {@link #keyOffset()} point into the read
     * window, valid until the next call to {@link #next()} (rebuilding a key directory).
     */
    KEYS,
    /** Key and payload (scans). */
    ALL
  }

  private final FileHandle file;
  private final Content content;
  private final ByteBuffer window;
  private final CRC32C crc = new CRC32C();
  private long end;
  private long windowStart;
  private long position;

  private @Nullable FrameFault fault;
  private long frameOffset;
  private int frameLength;
  private int frameCrc;
  private @Nullable RecordType type; // null until the first valid frame
  private long txid;
  private byte @Nullable [] key;
  private byte @Nullable [] payload;
  private byte @Nullable [] keyArray; // null until the first valid frame, and with NONE
  private int keyOffset;
  private int keyLength;

  /**
   * @param file the segment, open for reading
   * @param end how many bytes of the file to consider (the rest is not looked at)
   * @param content what to copy out of each frame
   */
  public SegmentScanner(FileHandle file, long end, Content content) {
    this(file, 0, end, content, MAX_WINDOW);
  }

  /**
   * @param file the segment, open for reading
   * @param start the offset of the first frame to read
   * @param end how many bytes of the file to consider (the rest is not looked at)
   * @param content what to copy out of each frame
   * @param maxWindow the largest read window to allocate
   */
  public SegmentScanner(FileHandle file, long start, long end, Content content, int maxWindow) {
    this.file = file;
    this.position = start;
    this.end = end;
    this.content = content;
    int capacity = (int) Math.max(MIN_WINDOW, Math.min(maxWindow, end - start));
    this.window = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN).limit(0);
  }

  /** Moves the end of the range further, for a file that grew; never shortens it. */
  public void extendTo(long newEnd) {
    end = Math.max(end, newEnd);
  }

  /**
   * Whether a whole, CRC-valid frame starts at {@code pos}. Moves the scanner there: after {@code
   * true} the accessors describe that frame and {@link #next()} continues after it.
   */
  public boolean validFrameAt(long pos) throws IOException {
    position = pos;
    fault = null;
    return next();
  }

  /**
   * Moves to the next valid frame.
   *
   * @return {@code true} if a valid frame was read (see the accessors); {@code false} at the end of
   *     the valid prefix, either the end of the range ({@link #fault()} is {@code null}) or a
   *     damaged frame ({@link #fault()} says why, {@link #position()} is where)
   */
  public boolean next() throws IOException {
    key = null;
    payload = null;
    if (fault != null || position >= end) {
      return false;
    }
    long pos = position;
    int at = load(pos, (int) Math.min(HEADER_SIZE, end - pos));
    // load() lowers end if the file turned out shorter, so end - pos is what is really there.
    FrameFault headerFault = FrameFormat.checkHeader(window, at, end - pos);
    if (headerFault != null && !headerFault.crcDecides()) {
      fault = headerFault;
      return false;
    }
    // A version no format has on an otherwise whole frame: its CRC, with the version read as 1,
    // settles the fault (FrameFormat). Nothing is copied out; it is not a valid frame either way.
    boolean asVersion1 = headerFault != null;
    Content copy = asVersion1 ? Content.NONE : content;
    int keyLen = FrameFormat.keyLength(window, at);
    int payloadLen = FrameFormat.payloadLength(window, at);
    int length = FrameFormat.frameLength(keyLen, payloadLen);
    RecordType frameType;
    long frameTxid;
    byte @Nullable [] frameKey = null;
    byte @Nullable [] framePayload = null;
    int stored;
    crc.reset();
    if (length <= window.capacity()) {
      // Common case: the whole frame fits in the window; one CRC call covers it, and key and
      // payload are copied out only once the CRC proved them valid.
      at = load(pos, length);
      if (availableAt(at) < length) {
        fault = headerFault != null ? headerFault.settle(false) : shrunk(length, pos);
        return false;
      }
      byte[] bytes = window.array();
      if (asVersion1) {
        FrameFormat.updateHeaderCrcAsVersion1(crc, bytes, at);
        crc.update(bytes, at + HEADER_SIZE, length - CRC_SIZE - HEADER_SIZE);
      } else {
        crc.update(bytes, at, length - CRC_SIZE);
      }
      stored = window.getInt(at + length - CRC_SIZE);
      frameType = FrameFormat.type(window, at);
      frameTxid = FrameFormat.txid(window, at);
      int keyAt = at + HEADER_SIZE;
      keyArray = bytes;
      keyOffset = keyAt;
      if (stored == (int) crc.getValue() && copy == Content.ALL) {
        frameKey = Arrays.copyOfRange(bytes, keyAt, keyAt + keyLen);
        framePayload = Arrays.copyOfRange(bytes, keyAt + keyLen, keyAt + keyLen + payloadLen);
      }
    } else {
      // A frame larger than the window streams through it (or straight into its payload).
      if (asVersion1) {
        FrameFormat.updateHeaderCrcAsVersion1(crc, window.array(), at);
      } else {
        crc.update(window.array(), at, HEADER_SIZE);
      }
      frameType = FrameFormat.type(window, at);
      frameTxid = FrameFormat.txid(window, at);
      long p = pos + HEADER_SIZE;
      frameKey = copy == Content.NONE ? null : new byte[keyLen];
      framePayload = copy == Content.ALL ? new byte[payloadLen] : null;
      int crcAt = -1;
      if (consume(p, keyLen, frameKey) && consume(p + keyLen, payloadLen, framePayload)) {
        crcAt = load(p + keyLen + payloadLen, CRC_SIZE);
      }
      if (crcAt < 0 || availableAt(crcAt) < CRC_SIZE) {
        fault = headerFault != null ? headerFault.settle(false) : shrunk(length, pos);
        return false;
      }
      stored = window.getInt(crcAt);
      keyArray = frameKey;
      keyOffset = 0;
    }
    int computed = (int) crc.getValue();
    if (headerFault != null) { // asVersion1
      fault = headerFault.settle(stored == computed);
      return false;
    }
    if (stored != computed) {
      fault = FrameFormat.crcMismatch(stored, computed);
      return false;
    }
    type = frameType;
    txid = frameTxid;
    key = frameKey;
    payload = framePayload;
    keyLength = keyLen;
    frameOffset = pos;
    frameLength = length;
    frameCrc = stored;
    position = pos + length;
    return true;
  }

  /** The fault when the file turned out shorter than its size said: a concurrent cut. */
  private FrameFault shrunk(int length, long pos) {
    return FrameFault.truncated(length, end - pos);
  }

  /** Why scanning stopped before the end, or {@code null} if it did not (yet). */
  public @Nullable FrameFault fault() {
    return fault;
  }

  /**
   * The end of the valid prefix read so far: after {@link #next()} returned {@code false} with a
   * fault, the offset of the damaged frame.
   */
  public long position() {
    return position;
  }

  /** The end of the range scanned; less than asked if the file turned out shorter. */
  public long end() {
    return end;
  }

  public long frameOffset() {
    return frameOffset;
  }

  public int frameLength() {
    return frameLength;
  }

  /** The current frame's stored (and checked) CRC-32C. */
  public int frameCrc() {
    return frameCrc;
  }

  public RecordType type() {
    return Objects.requireNonNull(type, "no valid frame read yet");
  }

  public long txid() {
    return txid;
  }

  /** The current frame's key, a fresh array, or {@code null} unless {@link Content#ALL}. */
  public byte @Nullable [] key() {
    return key;
  }

  /**
   * The array holding the current frame's key (with {@link Content#KEYS} or {@link Content#ALL}),
   * from {@link #keyOffset()} for {@link #keyLength()} bytes. May be the read window: valid until
   * the next call to {@link #next()}.
   */
  public byte[] keyArray() {
    return Objects.requireNonNull(keyArray, "no key read: no valid frame yet, or Content.NONE");
  }

  public int keyOffset() {
    return keyOffset;
  }

  public int keyLength() {
    return keyLength;
  }

  /**
   * The current frame as the marker of a record group, or {@code null} if it is an ordinary record
   * ({@link GroupMarker}). Read from the key in place: call it before the next {@link #next()}.
   */
  public @Nullable GroupMarker groupMarker() {
    byte[] keys = keyArray;
    RecordType t = type;
    // A marker (55 bytes) always fits the window (at least MIN_WINDOW), so its key is there even
    // with Content.NONE; a frame streamed past the window is never one.
    if (t != RecordType.DELETE || keys == null || frameLength != GroupMarker.FRAME_LENGTH) {
      return null;
    }
    return GroupMarker.of(t, keys, keyOffset, keyLength, 0);
  }

  /** The current frame's payload, or {@code null} unless {@link Content#ALL} was asked for. */
  public byte @Nullable [] payload() {
    return payload;
  }

  /**
   * Passes {@code len} bytes from {@code pos} through the CRC, copying them to {@code dst} if it is
   * not {@code null}.
   *
   * @return {@code false} if the file ended first
   */
  private boolean consume(long pos, int len, byte @Nullable [] dst) throws IOException {
    int done = 0;
    while (done < len) {
      int left = len - done;
      if (dst != null && left >= window.capacity() && availableFrom(pos + done) == 0) {
        // Large payload: read it straight into its array rather than through the window.
        ByteBuffer target = ByteBuffer.wrap(dst, done, left);
        while (target.hasRemaining()) {
          if (file.read(target, pos + target.position()) < 0) {
            return false;
          }
        }
        crc.update(dst, done, left);
        return true;
      }
      int at = load(pos + done, Math.min(left, window.capacity()));
      int n = Math.min(left, availableAt(at));
      if (n <= 0) {
        return false;
      }
      crc.update(window.array(), at, n);
      if (dst != null) {
        System.arraycopy(window.array(), at, dst, done, n);
      }
      done += n;
    }
    return true;
  }

  /** Bytes of the window from index {@code at} on. */
  private int availableAt(int at) {
    return window.limit() - at;
  }

  /** Bytes of the window from file offset {@code pos} on, or 0 if {@code pos} is not in it. */
  private int availableFrom(long pos) {
    long at = pos - windowStart;
    return at < 0 || at >= window.limit() ? 0 : (int) (window.limit() - at);
  }

  /**
   * Makes the window start at or before {@code pos} and hold at least {@code want} bytes from it
   * (fewer only at the end of the file), reading as much as fits, and returns the index of {@code
   * pos} in the window.
   */
  private int load(long pos, int want) throws IOException {
    if (availableFrom(pos) >= want) {
      return (int) (pos - windowStart);
    }
    if (availableFrom(pos) > 0) {
      window.position((int) (pos - windowStart)).compact();
    } else {
      window.clear();
    }
    windowStart = pos;
    window.limit((int) Math.min(window.capacity(), end - pos));
    while (window.hasRemaining()) {
      if (file.read(window, pos + window.position()) < 0) {
        // The file is shorter than the range asked for: someone cut it. Scan what is there.
        end = pos + window.position();
        break;
      }
    }
    window.flip();
    return 0;
  }
}
