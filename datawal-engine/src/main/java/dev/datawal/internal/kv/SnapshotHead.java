package dev.datawal.internal.kv;

import static dev.datawal.internal.kv.SnapshotFormat.ARENA_SIZE_OFFSET;
import static dev.datawal.internal.kv.SnapshotFormat.CRC_SIZE;
import static dev.datawal.internal.kv.SnapshotFormat.ENTRY_COUNT_OFFSET;
import static dev.datawal.internal.kv.SnapshotFormat.FLAGS_OFFSET;
import static dev.datawal.internal.kv.SnapshotFormat.FLAG_CLOSED;
import static dev.datawal.internal.kv.SnapshotFormat.HASH_SEED_OFFSET;
import static dev.datawal.internal.kv.SnapshotFormat.HEADER_SIZE;
import static dev.datawal.internal.kv.SnapshotFormat.HOME_SLOTS_OFFSET;
import static dev.datawal.internal.kv.SnapshotFormat.LAST_TXID_OFFSET;
import static dev.datawal.internal.kv.SnapshotFormat.MAGIC;
import static dev.datawal.internal.kv.SnapshotFormat.PAGE_SIZE;
import static dev.datawal.internal.kv.SnapshotFormat.PAGE_SIZE_OFFSET;
import static dev.datawal.internal.kv.SnapshotFormat.RESERVED_OFFSET;
import static dev.datawal.internal.kv.SnapshotFormat.SEGMENT_COUNT_OFFSET;
import static dev.datawal.internal.kv.SnapshotFormat.SEGMENT_SIZE;
import static dev.datawal.internal.kv.SnapshotFormat.SLOT_COUNT_OFFSET;
import static dev.datawal.internal.kv.SnapshotFormat.SLOT_SIZE;
import static dev.datawal.internal.kv.SnapshotFormat.VERSION;
import static dev.datawal.internal.kv.SnapshotFormat.VERSION_OFFSET;
import static dev.datawal.internal.kv.SnapshotFormat.headSize;
import static dev.datawal.internal.kv.SnapshotFormat.pageAligned;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.internal.format.LittleEndian;
import dev.datawal.internal.format.SegmentFacts;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentTail;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.log.CorruptionMessages;
import dev.datawal.internal.log.StoreManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * A key-directory snapshot's head, read and checked: in itself ({@link #read}), against the store's
 * manifest ({@link #checkAgainst}) and against the segment files ({@link #checkFiles}), as {@link
 * SnapshotFormat}'s trust rules require. A check that fails throws {@link Rejected}. It also maps
 * the table it describes ({@link #table}), since it holds the layout that mapping needs.
 *
 * <p>Not thread-safe; used by one open or one repair at a time.
 */
final class SnapshotHead {
  private boolean closed;
  private long lastTxid;
  private long entryCount;
  private long seed;
  private long homeSlots;
  private long slotCount;
  private long arenaSize;
  private long arenaOffset;
  private long dataSize;
  private long pages;
  private long dataOffset;
  private byte[] bytes;
  private long[] listed;
  private long[] coveredSizes;
  private long[] liveListed;
  private int[] tailCrcs;
  private final SortedMap<Long, Long> sizes = new TreeMap<>();

  // read(), the only caller, sets every field before the head escapes it.
  @SuppressWarnings("NullAway.Init")
  private SnapshotHead() {}

  /** Whether the CLOSED flag is set. */
  boolean closed() {
    return closed;
  }

  long lastTxid() {
    return lastTxid;
  }

  long entryCount() {
    return entryCount;
  }

  /** The covered segments and how far each is covered, by id. */
  SortedMap<Long, Long> sizes() {
    return sizes;
  }

  /** Adds the live bytes of every listed segment to {@code usage}. */
  void addLiveBytes(SegmentUsage usage) {
    for (int i = 0; i < listed.length; i++) {
      if (liveListed[i] > 0) {
        usage.addedAll(listed[i], liveListed[i]);
      }
    }
  }

  /** Maps the table this head describes from {@code file}. */
  SnapshotTable table(FileIo io, Path dir, FileHandle file, int mapChunkShift) throws IOException {
    return new SnapshotTable(
        io,
        dir,
        SnapshotTable.map(file, dataOffset, dataSize, mapChunkShift),
        mapChunkShift,
        new SnapshotTable.Layout(
            seed,
            (int) entryCount,
            homeSlots,
            slotCount,
            arenaOffset,
            arenaSize,
            bytes,
            HEADER_SIZE + listed.length * SEGMENT_SIZE,
            (int) pages,
            listed,
            coveredSizes,
            liveListed));
  }

  /** Reads the head of {@code file} and checks it in itself (magic, version, flags, sizes, CRC). */
  static SnapshotHead read(FileHandle file) throws IOException, Rejected {
    SnapshotHead h = new SnapshotHead();
    long fileSize = file.size();
    byte[] headerBytes = read(file, 0, HEADER_SIZE, fileSize).array();
    if (!Arrays.equals(headerBytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new Rejected("bad magic");
    }
    int version = LittleEndian.getUnsignedShort(headerBytes, VERSION_OFFSET);
    if (version != VERSION) {
      throw new Rejected(
          "unsupported version "
              + version
              + (version == 1 ? " (the layout before 2; a new snapshot is written at close)" : ""));
    }
    int flags = LittleEndian.getUnsignedShort(headerBytes, FLAGS_OFFSET);
    if ((flags & ~FLAG_CLOSED) != 0 || LittleEndian.getInt(headerBytes, RESERVED_OFFSET) != 0) {
      throw new Rejected("unknown flags");
    }
    h.closed = (flags & FLAG_CLOSED) != 0;
    long segmentCount =
        Integer.toUnsignedLong(LittleEndian.getInt(headerBytes, SEGMENT_COUNT_OFFSET));
    h.lastTxid = LittleEndian.getLong(headerBytes, LAST_TXID_OFFSET);
    h.entryCount = LittleEndian.getLong(headerBytes, ENTRY_COUNT_OFFSET);
    h.seed = LittleEndian.getLong(headerBytes, HASH_SEED_OFFSET);
    h.homeSlots = LittleEndian.getLong(headerBytes, HOME_SLOTS_OFFSET);
    h.slotCount = LittleEndian.getLong(headerBytes, SLOT_COUNT_OFFSET);
    h.arenaSize = LittleEndian.getLong(headerBytes, ARENA_SIZE_OFFSET);
    int pageSize = LittleEndian.getInt(headerBytes, PAGE_SIZE_OFFSET);
    if (pageSize != PAGE_SIZE) {
      throw new Rejected("unsupported page size " + Integer.toUnsignedString(pageSize));
    }
    if (segmentCount == 0
        || segmentCount > fileSize / SEGMENT_SIZE
        || h.lastTxid < 0
        || h.entryCount < 0
        || h.entryCount > Integer.MAX_VALUE
        || h.homeSlots < 1
        || h.homeSlots > 0xFFFF_FFFFL
        || h.slotCount < Math.max(h.homeSlots, h.entryCount)
        || h.slotCount > fileSize / SLOT_SIZE
        || h.arenaSize < 0
        || h.arenaSize > fileSize) {
      throw new Rejected("counts do not fit the file's size of " + fileSize + " bytes");
    }
    h.arenaOffset = pageAligned(h.slotCount * SLOT_SIZE);
    h.dataSize = h.arenaOffset + h.arenaSize;
    h.pages = (h.dataSize + PAGE_SIZE - 1) / PAGE_SIZE;
    h.dataOffset = headSize(segmentCount, h.pages);
    if (h.dataOffset > Integer.MAX_VALUE || h.dataOffset + h.dataSize != fileSize) {
      throw new Rejected(
          "it should be "
              + (h.dataOffset + h.dataSize)
              + " bytes long by its header, but is "
              + fileSize);
    }
    byte[] bytes = read(file, 0, (int) h.dataOffset, fileSize).array();
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - CRC_SIZE);
    int stored = LittleEndian.getInt(bytes, bytes.length - CRC_SIZE);
    if (stored != (int) crc.getValue()) {
      throw new Rejected(
          "head CRC mismatch: stored "
              + Integer.toHexString(stored)
              + ", computed "
              + Integer.toHexString((int) crc.getValue()));
    }
    h.bytes = bytes;
    int n = (int) segmentCount;
    h.listed = new long[n];
    h.coveredSizes = new long[n];
    h.liveListed = new long[n];
    h.tailCrcs = new int[n];
    for (int i = 0; i < n; i++) {
      int at = HEADER_SIZE + i * SEGMENT_SIZE;
      h.listed[i] = LittleEndian.getLong(bytes, at);
      h.coveredSizes[i] = LittleEndian.getLong(bytes, at + 8);
      h.liveListed[i] = LittleEndian.getLong(bytes, at + 16);
      h.tailCrcs[i] = LittleEndian.getInt(bytes, at + 24);
      if (h.listed[i] < 1
          || h.listed[i] > SegmentFiles.MAX_ID
          || h.coveredSizes[i] < 0
          || h.liveListed[i] < 0
          || h.liveListed[i] > h.coveredSizes[i]
          || (i > 0 && h.listed[i] <= h.listed[i - 1])) {
        throw new Rejected("segment table out of order or out of range at segment " + h.listed[i]);
      }
      h.sizes.put(h.listed[i], h.coveredSizes[i]);
    }
    return h;
  }

  private static ByteBuffer read(FileHandle file, long position, int length, long fileSize)
      throws IOException, Rejected {
    if (fileSize < position + length) {
      throw new Rejected("truncated: " + fileSize + " bytes");
    }
    ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buf.hasRemaining()) {
      if (file.read(buf, position + buf.position()) < 0) {
        throw new Rejected("truncated at byte " + (position + buf.position()));
      }
    }
    return buf;
  }

  /**
   * Checks the covered segments against the files (read through {@code files}): ids, sizes, tail
   * CRCs. What differs is described in a {@link Rejected} that can become the error for a store
   * that lost them.
   */
  void checkFiles(SegmentFacts files, List<Long> ids) throws IOException, Rejected {
    long last = sizes.lastKey();
    for (long id : ids) {
      if (id < last && !sizes.containsKey(id)) {
        throw new Rejected(
            CorruptionKind.SEGMENT_UNEXPECTED,
            id,
            0,
            "it covers segments "
                + sizes.keySet()
                + ", which do not include segment "
                + id
                + ": a segment that compaction deleted, copied or moved back into its place");
      }
    }
    int i = 0;
    for (Map.Entry<Long, Long> segment : sizes.entrySet()) {
      long id = segment.getKey();
      long size = segment.getValue();
      if (!ids.contains(id)) {
        throw new Rejected(
            CorruptionKind.SEGMENT_MISSING,
            id,
            0,
            "it covers " + size + " bytes of segment " + id + ", which is gone");
      }
      long actual = files.size(id);
      if (actual < size) {
        throw new Rejected(
            CorruptionKind.SEGMENT_SHORTER,
            id,
            actual,
            "segment "
                + id
                + " has "
                + actual
                + " bytes, the snapshot covers "
                + size
                + ": "
                + (size - actual)
                + " durable bytes are gone");
      }
      if (id != last && actual != size) {
        throw new Rejected(
            CorruptionKind.SEGMENT_CHANGED,
            id,
            size,
            "sealed segment " + id + " has " + actual + " bytes, the snapshot covers " + size);
      }
      if (files.tailCrc(id, size) != tailCrcs[i]) {
        throw new Rejected(
            CorruptionKind.SEGMENT_CHANGED,
            id,
            Math.max(0, size - SegmentTail.BYTES),
            "segment " + id + " does not end as it did when the snapshot was written");
      }
      i++;
    }
  }

  /**
   * Checks that the snapshot covers only what the manifest records, as {@link SnapshotFormat}'s
   * trust rules say. A snapshot older than the manifest passes (a crash after an open or a seal
   * that recorded more leaves one): the open reads the rest.
   *
   * @throws Rejected if it covers a segment, or bytes of one, that the manifest does not record
   */
  void checkAgainst(StoreManifest manifest) throws Rejected {
    if (lastTxid > manifest.txidFloor()) {
      // The manifest is written first at a close, so its floor is never below a snapshot's.
      throw new Rejected(
          "its last txid "
              + lastTxid
              + " is above the highest txid "
              + StoreManifest.FILE_NAME
              + " records ("
              + manifest.txidFloor()
              + ")");
    }
    long last = sizes.lastKey();
    for (Map.Entry<Long, Long> segment : sizes.entrySet()) {
      long id = segment.getKey();
      long size = segment.getValue();
      StoreManifest.Sealed sealed = manifest.sealed().get(id);
      long recorded =
          sealed != null && sealed.replacement() == null && !sealed.mayBeAbsent()
              ? sealed.shape().length()
              : id == manifest.active().id() ? manifest.active().shape().length() : -1;
      if (id == manifest.active().id() && id == last) {
        recorded = Math.max(recorded, size); // the active segment may have grown since
      }
      if (recorded < 0 || size > recorded || (id != last && size != recorded)) {
        throw new Rejected(
            "it covers "
                + size
                + " bytes of segment "
                + id
                + ", which "
                + StoreManifest.FILE_NAME
                + (recorded < 0 ? " does not record" : " records with " + recorded + " bytes"));
      }
    }
  }

  /**
   * A reason not to use the snapshot; for a covered segment that is gone or changed, also what is
   * wrong with it.
   */
  static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    private final @Nullable CorruptionKind kind; // null: a reason that says nothing of segments
    private final long segment;
    private final long offset;

    Rejected(String reason) {
      this(null, -1, -1, reason);
    }

    Rejected(@Nullable CorruptionKind kind, long segment, long offset, String reason) {
      super(reason, null, false, false);
      this.kind = kind;
      this.segment = segment;
      this.offset = offset;
    }

    /** Why the snapshot is not used: the reason it was made with, never {@code null}. */
    @Override
    public String getMessage() {
      return Objects.requireNonNull(super.getMessage(), "made with a reason");
    }

    /** The error for a store without a manifest that lost what this says is gone. */
    CorruptStoreException loss(Path dir) {
      if (kind == null) {
        throw new IllegalStateException("not a loss: " + getMessage());
      }
      return CorruptionMessages.segment(
          kind,
          dir,
          segment,
          offset,
          "the key-directory snapshot ("
              + KeyDirectorySnapshot.FILE_NAME
              + ", the only record of this store's shape: it has no "
              + StoreManifest.FILE_NAME
              + ") says so: "
              + getMessage()
              + "; the snapshot is kept as evidence, `datawal repair --yes` accepts the loss");
    }
  }
}
