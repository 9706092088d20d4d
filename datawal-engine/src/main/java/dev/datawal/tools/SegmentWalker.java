package dev.datawal.tools;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.DatawalException;
import dev.datawal.Record;
import dev.datawal.RecordType;
import dev.datawal.internal.format.FrameFault;
import dev.datawal.internal.format.FrameFormat;
import dev.datawal.internal.format.GroupCheck;
import dev.datawal.internal.format.GroupMarker;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentScanner;
import dev.datawal.internal.format.TornTailCheck;
import dev.datawal.internal.format.UnwrittenSpace;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.log.CorruptionMessages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Walks every frame of one segment file, for inspection and repair tools: each valid frame, and
 * each damaged region with where valid frames resume after it. A scan stops at the first damage; a
 * walk goes on past it, so it can show all of a segment's damage and what follows it.
 *
 * <p>A damaged region starts at a byte where a frame should start but no valid frame does, and runs
 * to the next offset where a CRC-valid frame, or a frame of {@link
 * CorruptionKind#UNSUPPORTED_VERSION}, starts (found as recovery finds it), or to the end of the
 * segment. A frame of an unsupported version (a version from 2 to 255, or a whole frame whose CRC
 * matches with its damaged version read as 1) therefore always starts a region of its own; a header
 * torn after its magic, whose version no format can have, is {@link CorruptionKind#STRUCTURAL}
 * damage like any other. {@link Damage#tornTail(boolean)} applies recovery's rule to a region: only
 * damage at the end of the last segment, with nothing after it that must be kept, is a torn tail;
 * every other region makes recovery refuse to open the store.
 *
 * <p>Record groups (atomic writes, see {@code docs/format.md}) are checked as recovery checks them:
 * a group's marker is returned as a {@link Frame} ({@link Frame#isGroupMarker()}) only if its whole
 * group follows. A group cut short is one region of {@link CorruptionKind#INCOMPLETE_GROUP} from
 * its marker to where a frame that must be kept starts after the damage that cut it (or to the end:
 * a torn tail in the last segment), so its members are never returned; a marker that disagrees with
 * the valid frames after it is a region of {@link CorruptionKind#GROUP_MISMATCH} of the marker
 * alone, and the walk goes on with those frames.
 *
 * <p>Read-only: the file is opened for reading only, no lock is taken, nothing is created or
 * changed, and a live writer may have the store open. The walk covers the file up to its size when
 * the walker was opened; a frame a writer is still appending looks like a torn tail. Zeros from the
 * last frame to a file end at a multiple of 1 MiB are the writer's preallocated space ({@link
 * UnwrittenSpace}), where the walk ends without a damaged region (recovery accepts them only in the
 * last segment; a sealed segment's length is checked against the manifest).
 *
 * <p>Jobs: the walk ({@link #next}) and reading one frame again by its offset ({@link #read}), as
 * the CLI does to read a key's value. They stay together because a read goes through the file the
 * walk opened: an offset the walk gave stays valid even after a compaction replaced the segment's
 * file.
 *
 * <p>Not thread-safe: use one walker per thread.
 */
public final class SegmentWalker implements AutoCloseable {

  /** What a walk finds at one offset: a valid {@link Frame} or a {@link Damage} region. */
  public sealed interface Item permits Frame, Damage {
    /** {@return the segment id} */
    long segment();

    /** {@return the byte offset where it starts} */
    long offset();

    /** {@return the byte offset just after it} */
    long end();
  }

  /**
   * One valid frame (header checked, whole, CRC-valid).
   *
   * @param segment the segment id
   * @param offset the frame's byte offset in the segment
   * @param length the frame's whole length (header, key, payload, CRC)
   * @param type the record type
   * @param txid the txid
   * @param key the key, a fresh array
   * @param payloadLength the payload's length in bytes
   * @param payload the payload, a fresh array, or {@code null} if the walker was opened without
   *     payloads
   * @param crc the frame's stored (and checked) CRC-32C
   */
  public record Frame(
      long segment,
      long offset,
      int length,
      RecordType type,
      long txid,
      byte[] key,
      int payloadLength,
      byte @Nullable [] payload,
      int crc)
      implements Item {

    @Override
    public long end() {
      return offset + length;
    }

    /**
     * {@return whether this frame is the marker of a record group (an atomic write) rather than a
     * record} A walk returns a marker only when its whole group follows it; the {@link
     * #groupMembers()} frames after it are the group. Readers of the log never show markers.
     */
    public boolean isGroupMarker() {
      return GroupMarker.of(type, key, 0, key.length, payloadLength) != null;
    }

    /**
     * {@return how many records follow this frame as its group, if it is a group marker; empty if
     * it is a record}
     */
    public OptionalLong groupMembers() {
      GroupMarker marker = GroupMarker.of(type, key, 0, key.length, payloadLength);
      return marker == null ? OptionalLong.empty() : OptionalLong.of(marker.members());
    }

    /**
     * This frame as a {@link Record}.
     *
     * @return the record, sharing this frame's key and payload arrays
     * @throws IllegalStateException if the payload was not read
     */
    public Record toRecord() {
      if (payload == null) {
        throw new IllegalStateException("the walker was opened without payloads");
      }
      return new Record(type, txid, key, payload, segment, offset, length);
    }
  }

  /**
   * A damaged region: bytes from {@code offset} where no valid frame starts.
   *
   * @param segment the segment id
   * @param offset where the damage starts: a frame boundary (the end of the frame before it)
   * @param length how many bytes the region spans
   * @param kind what is wrong with the bytes at {@code offset}
   * @param detail what exactly is wrong there, such as {@code stored CRC 0x1234abcd, computed
   *     0x89ef0123}
   * @param toEnd whether the region runs to the end of the walked range (no valid frame and no
   *     frame of an unsupported version starts after it)
   * @param storedCrc for {@link CorruptionKind#CRC_MISMATCH}: the CRC-32C the frame carries
   * @param computedCrc for {@link CorruptionKind#CRC_MISMATCH}: the CRC-32C of the frame's bytes
   */
  public record Damage(
      long segment,
      long offset,
      long length,
      CorruptionKind kind,
      String detail,
      boolean toEnd,
      OptionalLong storedCrc,
      OptionalLong computedCrc)
      implements Item {

    /**
     * Checks that no component is {@code null}.
     *
     * @param segment the segment id
     * @param offset where the damage starts
     * @param length how many bytes the region spans
     * @param kind what is wrong with the bytes at {@code offset}
     * @param detail what exactly is wrong there
     * @param toEnd whether the region runs to the end of the walked range
     * @param storedCrc for a CRC mismatch, the CRC-32C the frame carries; else empty
     * @param computedCrc for a CRC mismatch, the CRC-32C of the frame's bytes; else empty
     * @throws NullPointerException if {@code kind}, {@code detail} or a CRC is {@code null}
     */
    public Damage {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(detail, "detail");
      Objects.requireNonNull(storedCrc, "storedCrc");
      Objects.requireNonNull(computedCrc, "computedCrc");
    }

    @Override
    public long end() {
      return offset + length;
    }

    /**
     * Whether recovery tolerates this region as a torn tail, given whether its segment is the
     * store's last: it must be in the last segment, run to its end, and not be a frame of an
     * unsupported version. Recovery refuses to open a store with any other damage.
     *
     * @param lastSegment whether the region's segment is the store's last
     * @return whether recovery would leave the region out and go on
     */
    public boolean tornTail(boolean lastSegment) {
      return lastSegment
          && toEnd
          && kind != CorruptionKind.UNSUPPORTED_VERSION
          && kind != CorruptionKind.GROUP_MISMATCH;
    }

    /** {@return a short name of the kind, such as "CRC mismatch"} */
    public String kindPhrase() {
      return new FrameFault(kind, detail, 0).kindPhrase();
    }
  }

  private final long segment;
  private final Path file;
  private final FileHandle handle;
  private final boolean payloads;
  private final SegmentScanner scanner;
  private final long size;
  private long resumeAt = -1;
  private boolean done;

  private SegmentWalker(Path file, long segment, FileHandle handle, boolean payloads)
      throws IOException {
    this.file = file;
    this.segment = segment;
    this.handle = handle;
    this.payloads = payloads;
    this.size = handle.size();
    this.scanner =
        new SegmentScanner(
            handle, size, payloads ? SegmentScanner.Content.ALL : SegmentScanner.Content.KEYS);
  }

  /**
   * Opens segment {@code segment} of the store in {@code dir} for a walk.
   *
   * @param dir the store directory
   * @param segment the segment id ({@code 00000001.dwal} is 1)
   * @param payloads whether frames carry their payloads ({@link Frame#payload()}); without them a
   *     walk still reads and checks every byte, but allocates only keys
   * @return the walker, at the start of the segment; close it when done
   * @throws DatawalException if the file cannot be opened (with a {@link
   *     java.nio.file.NoSuchFileException} as the cause when it does not exist)
   */
  public static SegmentWalker open(Path dir, long segment, boolean payloads) {
    return open(FileIo.system(), SegmentFiles.path(dir, segment), segment, payloads);
  }

  /** Opens {@code file}, walked as segment {@code segment}, through the given file system. */
  static SegmentWalker open(FileIo io, Path file, long segment, boolean payloads) {
    Objects.requireNonNull(file, "file");
    FileHandle handle = null;
    try {
      handle = io.openRead(file);
      return new SegmentWalker(file, segment, handle, payloads);
    } catch (IOException e) {
      if (handle != null) {
        try {
          handle.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new DatawalException(
          "datawal: cannot read segment " + segment + " (" + file + "): " + Errors.describe(e), e);
    }
  }

  /** {@return the segment id} */
  public long segment() {
    return segment;
  }

  /** {@return the segment file} */
  public Path file() {
    return file;
  }

  /** {@return the bytes the walk covers: the file's size when the walker was opened} */
  public long size() {
    return size;
  }

  /**
   * {@return the next frame or damaged region, in file order; {@code null} once the whole segment
   * was walked}
   *
   * @throws DatawalException if reading fails
   */
  public @Nullable Item next() {
    try {
      if (resumeAt >= 0) {
        long at = resumeAt;
        resumeAt = -1;
        if (scanner.validFrameAt(at)) {
          return frameOrBrokenGroup();
        }
      } else if (done) {
        return null;
      } else if (scanner.next()) {
        return frameOrBrokenGroup();
      }
      FrameFault fault = scanner.fault();
      if (fault == null) { // the end (at a resume point: the file was cut under the walk)
        done = true;
        return null;
      }
      if (UnwrittenSpace.isUnwritten(handle, scanner.position(), scanner.end())) {
        done = true; // the writer's preallocated zeros: where its frames end, not damage
        return null;
      }
      return damage(fault);
    } catch (IOException e) {
      throw readFailed(e);
    }
  }

  /**
   * Reads the frame at {@code offset} again, whole, with its payload, and checks it as recovery
   * does (header, length, CRC). Reads through the file this walker opened, so the offset stays
   * valid even if a compaction has since replaced the segment's file.
   *
   * @param offset where the frame starts in the segment, as a walk gave it
   * @return the frame, with its payload
   * @throws CorruptStoreException if no valid frame starts at {@code offset}, naming the file,
   *     segment, offset, kind and, for a CRC mismatch, the stored and computed CRC in hex
   * @throws DatawalException if reading fails
   */
  public Frame read(long offset) {
    try {
      long left = Math.max(0, size - offset);
      ByteBuffer header = ByteBuffer.allocate(FrameFormat.HEADER_SIZE);
      int got = readFully(header, offset, (int) Math.min(FrameFormat.HEADER_SIZE, left));
      header.order(ByteOrder.LITTLE_ENDIAN).flip();
      // A file cut since the walker opened it has fewer bytes than its size said.
      FrameFault fault =
          FrameFormat.checkHeader(header, 0, got < FrameFormat.HEADER_SIZE ? got : left);
      if (fault == null || fault.crcDecides()) {
        int length =
            FrameFormat.frameLength(
                FrameFormat.keyLength(header, 0), FrameFormat.payloadLength(header, 0));
        byte[] bytes = new byte[length];
        fault = FrameFormat.check(bytes, readFully(ByteBuffer.wrap(bytes), offset, length));
        if (fault == null) {
          ByteBuffer frame = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
          int keyLength = FrameFormat.keyLength(frame, 0);
          int payloadLength = FrameFormat.payloadLength(frame, 0);
          int keyAt = FrameFormat.HEADER_SIZE;
          return new Frame(
              segment,
              offset,
              length,
              FrameFormat.type(frame, 0),
              FrameFormat.txid(frame, 0),
              Arrays.copyOfRange(bytes, keyAt, keyAt + keyLength),
              payloadLength,
              Arrays.copyOfRange(bytes, keyAt + keyLength, keyAt + keyLength + payloadLength),
              frame.getInt(length - FrameFormat.CRC_SIZE));
        }
      }
      throw CorruptionMessages.reading(fault, "the frame", file, segment, offset);
    } catch (IOException e) {
      throw readFailed(e);
    }
  }

  /** Closes the file. Idempotent. */
  @Override
  public void close() {
    try {
      handle.close();
    } catch (IOException e) {
      throw readFailed(e);
    }
  }

  /**
   * The frame the scanner just read; if it is a record group's marker, first checks the group as
   * recovery does ({@link GroupCheck}), and returns the damage instead if it is not whole.
   */
  private Item frameOrBrokenGroup() throws IOException {
    GroupMarker marker = scanner.groupMarker();
    if (marker == null) {
      return frame();
    }
    long at = scanner.frameOffset();
    long end = scanner.end();
    GroupCheck.Result group = GroupCheck.check(handle, at, scanner.txid(), marker, end);
    if (group instanceof GroupCheck.Mismatch mismatch) {
      // The marker alone: the frames after it are valid, and the walk goes on with them.
      return new Damage(
          segment,
          at,
          GroupMarker.FRAME_LENGTH,
          CorruptionKind.GROUP_MISMATCH,
          mismatch.detail(),
          false,
          OptionalLong.empty(),
          OptionalLong.empty());
    }
    if (!(group instanceof GroupCheck.Incomplete incomplete)) {
      return frame();
    }
    // The whole group is the region, up to where a frame that must be kept starts after the damage
    // that cut it short (a frame of an unsupported version starts a region of its own).
    FrameFault fault = incomplete.fault();
    TornTailCheck.Follower follower;
    if (fault == null) {
      follower = null;
    } else if (fault.kind() == CorruptionKind.UNSUPPORTED_VERSION) {
      follower = new TornTailCheck.Follower(incomplete.stopAt(), fault);
    } else {
      follower = TornTailCheck.findFollower(handle, incomplete.stopAt() + 1, end);
    }
    if (follower == null) {
      done = true;
    } else {
      resumeAt = follower.offset();
    }
    long regionEnd = follower == null ? end : follower.offset();
    return new Damage(
        segment,
        at,
        regionEnd - at,
        CorruptionKind.INCOMPLETE_GROUP,
        GroupCheck.describe(marker, at, incomplete),
        follower == null,
        OptionalLong.empty(),
        OptionalLong.empty());
  }

  private Frame frame() {
    byte[] key =
        payloads
            ? Objects.requireNonNull(scanner.key(), "scanned with Content.ALL")
            : Arrays.copyOfRange(
                scanner.keyArray(), scanner.keyOffset(), scanner.keyOffset() + scanner.keyLength());
    int payloadLength = scanner.frameLength() - FrameFormat.OVERHEAD - key.length;
    return new Frame(
        segment,
        scanner.frameOffset(),
        scanner.frameLength(),
        scanner.type(),
        scanner.txid(),
        key,
        payloadLength,
        payloads ? scanner.payload() : null,
        scanner.frameCrc());
  }

  /** The region that starts where the scanner stopped; finds where it ends. */
  private Damage damage(FrameFault fault) throws IOException {
    long at = scanner.position();
    long end = scanner.end(); // lower than size if the file was cut under the walk
    TornTailCheck.Follower follower = TornTailCheck.findFollower(handle, at + 1, end);
    long regionEnd = follower == null ? end : follower.offset();
    if (follower == null) {
      done = true;
    } else {
      resumeAt = follower.offset();
    }
    OptionalLong stored = OptionalLong.empty();
    OptionalLong computed = OptionalLong.empty();
    if (fault.kind() == CorruptionKind.CRC_MISMATCH) {
      long[] crcs = crcs(at, end);
      stored = OptionalLong.of(crcs[0]);
      computed = OptionalLong.of(crcs[1]);
    }
    return new Damage(
        segment,
        at,
        regionEnd - at,
        fault.kind(),
        fault.detail(),
        follower == null,
        stored,
        computed);
  }

  /**
   * The stored and the computed CRC of the whole frame at {@code at}, whose header is valid; reads
   * it in chunks, so a large frame costs no large allocation.
   */
  private long[] crcs(long at, long end) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(FrameFormat.HEADER_SIZE);
    readFully(header, at, FrameFormat.HEADER_SIZE);
    header.order(ByteOrder.LITTLE_ENDIAN).flip();
    long crcAt =
        at
            + FrameFormat.frameLength(
                FrameFormat.keyLength(header, 0), FrameFormat.payloadLength(header, 0))
            - FrameFormat.CRC_SIZE;
    CRC32C crc = new CRC32C();
    ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(64 * 1024, Math.max(1, end - at)));
    for (long pos = at; pos < crcAt; ) {
      int n = (int) Math.min(chunk.capacity(), crcAt - pos);
      chunk.clear();
      readFully(chunk, pos, n);
      crc.update(chunk.flip());
      pos += n;
    }
    ByteBuffer stored = ByteBuffer.allocate(FrameFormat.CRC_SIZE);
    readFully(stored, crcAt, FrameFormat.CRC_SIZE);
    long storedCrc = Integer.toUnsignedLong(stored.flip().order(ByteOrder.LITTLE_ENDIAN).getInt());
    return new long[] {storedCrc, crc.getValue()};
  }

  /**
   * Reads {@code n} bytes from file offset {@code pos} into {@code buf} (from its position).
   *
   * @return how many were read: {@code n}, or fewer if the file ended first
   */
  private int readFully(ByteBuffer buf, long pos, int n) throws IOException {
    int start = buf.position();
    buf.limit(start + n);
    while (buf.hasRemaining()) {
      if (handle.read(buf, pos + buf.position() - start) < 0) {
        break;
      }
    }
    return buf.position() - start;
  }

  private DatawalException readFailed(IOException e) {
    return new DatawalException(
        "datawal: failed to read segment " + segment + " (" + file + "): " + Errors.describe(e), e);
  }
}
