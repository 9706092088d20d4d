package dev.datawal.internal.log;

import dev.datawal.CorruptionKind;
import dev.datawal.internal.format.FrameDigest;
import dev.datawal.internal.format.LittleEndian;
import dev.datawal.internal.format.SegmentFacts;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentScanner;
import dev.datawal.internal.format.SegmentTail;
import dev.datawal.internal.io.DurableFiles;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The store manifest ({@code datawal.manifest}): what the writer knows must be in the store, so
 * that an open can tell a store that lost durable data from one that did not, even when every frame
 * left passes its CRC. datawal only: the name does not end in {@code .dwal}, so the reference
 * implementation ignores it, and segments stay DWAL v1 byte for byte. Immutable.
 *
 * <p>It records every sealed segment (length, records, first and last txid, frame digest ({@link
 * FrameDigest}) and tail check ({@link SegmentTail})), how much of the active segment is known
 * durable, a txid floor, and damage found while the store was open. It is replaced whole ({@link
 * DurableFiles#replace}) at every seal, compaction swap, retention, repair and clean close, and at
 * an open that finds the store grown or changed since.
 *
 * <p>Format version 1, all integers little-endian:
 *
 * <pre>
 * offset   size  field
 *      0      8  magic        ASCII "DWMANFST"
 *      8      2  version      u16 = 1
 *     10      2  flags        u16: bit 0 CLEAN = written by a clean close (the active record
 *                             covers the whole active segment); other bits 0
 *     12      4  entry_count  u32 E
 *     16      4  damage_count u32 D
 *     20      4  reserved     u32 = 0
 *     24      8  txid_floor   u64: every txid ever handed out is at most this; the next is above
 *     32     56  active       the active segment when written, as an entry (below) whose length
 *                             is the part known durable (valid frames); flags 0
 *     88 56 * E  entries      the sealed segments, ascending by id, at most two per id:
 *                             +0 id u64, +8 length u64, +16 records i64 (-1: unknown, and the
 *                             digest and first txid with it), +24 first_txid u64, +32 last_txid
 *                             u64 (both 0 if there are no records), +40 digest u64 (FrameDigest
 *                             of the frames), +48 tail_crc u32 (SegmentTail of the length),
 *                             +52 flags u32: bit 0 MAY_BE_ABSENT (a deletion in progress),
 *                             bit 1 REPLACEMENT (the second entry of an id: a rewrite in
 *                             progress; the file may match either)
 *      .. 24 * D  damage      +0 segment u64, +8 offset u64, +16 kind u32 (see KIND_CODES),
 *                             +20 reserved u32
 *      ..      4  crc         CRC-32C of every byte before it
 * </pre>
 *
 * <p>Rules an open applies ({@link ShapeCheck}): every sealed entry's file is present (unless it
 * may be absent) with exactly its length, tail check and, once scanned, records, txids and digest
 * (or those of its replacement); no other file with an id below the active id; the active segment
 * is present with at least its recorded length, whose frames are valid and end with the recorded
 * tail; ids above the active id are new segments, one after another; the next txid is above the
 * floor. Recorded damage fails the open until {@code datawal repair} accepts it.
 *
 * <p>Jobs: the manifest's contents, their file format ({@link #read}, {@link #write}), and making a
 * manifest from a scan of the segments ({@link #of}, {@link #ofStore}). The format is the contents
 * written down field by field, so the two change together; the factories stay here so that the open
 * and a repair take a segment's {@link Shape} from what a scan read in one place.
 */
public final class StoreManifest {
  /** The manifest's file name in the store directory. */
  public static final String FILE_NAME = "datawal.manifest";

  static final byte[] MAGIC = "DWMANFST".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int FLAG_CLEAN = 1;
  static final int ENTRY_MAY_BE_ABSENT = 1;
  static final int ENTRY_REPLACEMENT = 2;

  static final int VERSION_OFFSET = MAGIC.length;
  static final int FLAGS_OFFSET = VERSION_OFFSET + 2;
  static final int ENTRY_COUNT_OFFSET = FLAGS_OFFSET + 2;
  static final int DAMAGE_COUNT_OFFSET = ENTRY_COUNT_OFFSET + 4;
  static final int RESERVED_OFFSET = DAMAGE_COUNT_OFFSET + 4;
  static final int FLOOR_OFFSET = RESERVED_OFFSET + 4;
  static final int ACTIVE_OFFSET = FLOOR_OFFSET + 8;
  static final int ENTRY_SIZE = 56;
  static final int ENTRIES_OFFSET = ACTIVE_OFFSET + ENTRY_SIZE;
  static final int DAMAGE_SIZE = 24;
  static final int CRC_SIZE = 4;

  /** The largest manifest read: far more segments than a store can have (ids have 8 digits). */
  private static final long MAX_SIZE = 64L << 20;

  /** Stable codes of {@link CorruptionKind} in the damage list (never the enum's ordinal). */
  private static final CorruptionKind[] KIND_CODES = {
    null,
    CorruptionKind.TRUNCATED,
    CorruptionKind.CRC_MISMATCH,
    CorruptionKind.STRUCTURAL,
    CorruptionKind.UNSUPPORTED_VERSION,
    CorruptionKind.TXID_ORDER,
    CorruptionKind.SEGMENT_MISSING,
    CorruptionKind.SEGMENT_SHORTER,
    CorruptionKind.SEGMENT_CHANGED,
    CorruptionKind.SEGMENT_UNEXPECTED,
    CorruptionKind.MANIFEST_DAMAGED,
    CorruptionKind.INCOMPLETE_GROUP,
    CorruptionKind.GROUP_MISMATCH
  };

  /**
   * What a segment held when it was recorded.
   *
   * @param length its length in bytes
   * @param records its frames, or -1 if unknown (the digest is then unknown too)
   * @param firstTxid the txid of its first frame, 0 if it has none or if unknown
   * @param lastTxid the txid of its last frame, 0 if it has none
   * @param digest its {@link FrameDigest}
   * @param tailCrc its {@link SegmentTail} check
   */
  public record Shape(
      long length, long records, long firstTxid, long lastTxid, long digest, int tailCrc) {
    /** Whether records, first txid and digest are known. */
    public boolean complete() {
      return records >= 0;
    }
  }

  /**
   * A sealed segment's entry.
   *
   * @param id the segment id
   * @param shape what it holds
   * @param replacement what it holds instead if a rewrite in progress took effect, or null
   * @param mayBeAbsent whether a deletion in progress may have removed it
   */
  public record Sealed(long id, Shape shape, @Nullable Shape replacement, boolean mayBeAbsent) {
    /** An entry with one shape and nothing in progress. */
    public Sealed(long id, Shape shape) {
      this(id, shape, null, false);
    }

    /** Whether {@code length} and {@code tailCrc} are those of a shape of this entry. */
    public @Nullable Shape matching(long length, int tailCrc) {
      if (shape.length() == length && shape.tailCrc() == tailCrc) {
        return shape;
      }
      if (replacement != null
          && replacement.length() == length
          && replacement.tailCrc() == tailCrc) {
        return replacement;
      }
      return null;
    }
  }

  /**
   * The active segment's part known durable when the manifest was written.
   *
   * @param id the active segment's id
   * @param shape its first {@code shape.length()} bytes
   */
  public record Active(long id, Shape shape) {}

  /**
   * Damage found while the store was open (by a verification or a read), which makes every later
   * open fail until a repair.
   *
   * @param segment the segment
   * @param offset where in it
   * @param kind what is wrong
   */
  public record Damage(long segment, long offset, CorruptionKind kind) {}

  private final boolean clean;
  private final long txidFloor;
  private final Active active;
  private final SortedMap<Long, Sealed> sealed;
  private final List<Damage> damage;

  /**
   * @param clean whether a clean close wrote it
   * @param txidFloor the highest txid ever handed out
   * @param active the active segment
   * @param sealed every sealed segment, by id, all below the active id
   * @param damage damage found while open
   */
  public StoreManifest(
      boolean clean,
      long txidFloor,
      Active active,
      SortedMap<Long, Sealed> sealed,
      List<Damage> damage) {
    if (!sealed.isEmpty() && sealed.lastKey() >= active.id()) {
      throw new IllegalArgumentException(
          "sealed segment " + sealed.lastKey() + " is not below the active " + active.id());
    }
    this.clean = clean;
    this.txidFloor = txidFloor;
    this.active = active;
    this.sealed = Collections.unmodifiableSortedMap(new TreeMap<>(sealed));
    this.damage = List.copyOf(damage);
  }

  /** The manifest's path in {@code dir}. */
  public static Path path(Path dir) {
    return dir.resolve(FILE_NAME);
  }

  public boolean clean() {
    return clean;
  }

  public long txidFloor() {
    return txidFloor;
  }

  public Active active() {
    return active;
  }

  public SortedMap<Long, Sealed> sealed() {
    return sealed;
  }

  public List<Damage> damage() {
    return damage;
  }

  /** This manifest with other contents (the same otherwise). */
  public StoreManifest with(
      boolean clean, long txidFloor, Active active, SortedMap<Long, Sealed> sealed) {
    return new StoreManifest(clean, txidFloor, active, sealed, damage);
  }

  /** This manifest with another damage list. */
  public StoreManifest withDamage(List<Damage> damage) {
    return new StoreManifest(clean, txidFloor, active, sealed, damage);
  }

  /**
   * Reads the manifest of the store in {@code dir}.
   *
   * @return the manifest, or {@code null} if the store has none (written by the reference
   *     implementation or an older datawal)
   * @throws Unreadable if it exists but does not check out
   */
  public static @Nullable StoreManifest read(FileIo io, Path dir) throws IOException, Unreadable {
    ByteBuffer buf;
    try (FileHandle file = io.openRead(path(dir))) {
      long size = file.size();
      if (size < ENTRIES_OFFSET + CRC_SIZE || size > MAX_SIZE) {
        throw new Unreadable("it is " + size + " bytes long, which no manifest is");
      }
      buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
      while (buf.hasRemaining()) {
        if (file.read(buf, buf.position()) < 0) {
          throw new Unreadable("it ended while being read at byte " + buf.position());
        }
      }
    } catch (NoSuchFileException e) {
      return null;
    }
    return decode(buf.flip());
  }

  /**
   * The manifest of a store whose segments {@code ids} (ascending, the last one active, valid up to
   * {@code validEnd}) a scan has just read: each segment's shape from what the scan read of it from
   * its first byte, else from {@code known} (a segment a resume point covered, checked against the
   * manifest but not read). The floor is {@code floor} or the highest txid recorded, if higher.
   */
  public static StoreManifest of(
      SegmentFacts files,
      List<Long> ids,
      long activeId,
      long validEnd,
      Map<Long, LogScanner.SegmentSummary> read,
      Map<Long, Shape> known,
      long floor)
      throws IOException {
    SortedMap<Long, Sealed> sealed = new TreeMap<>();
    for (long id : ids) {
      if (id == activeId) {
        continue;
      }
      LogScanner.SegmentSummary summary = read.get(id);
      Shape shape;
      if (summary != null && summary.complete()) {
        Shape before = known.get(id);
        int tail =
            before != null && before.length() == summary.validEnd()
                ? before.tailCrc()
                : files.tailCrc(id, summary.validEnd());
        shape = shapeOf(summary, tail);
      } else {
        shape = known.get(id);
        if (shape == null) {
          throw new IllegalStateException("segment " + id + " was neither read nor checked");
        }
      }
      floor = Math.max(floor, shape.lastTxid());
      sealed.put(id, new Sealed(id, shape));
    }
    LogScanner.SegmentSummary summary = read.get(activeId);
    int tail = files.tailCrc(activeId, validEnd);
    Shape active =
        summary != null && summary.complete()
            ? shapeOf(summary, tail)
            : new Shape(validEnd, -1, 0, 0, 0, tail);
    floor = Math.max(floor, active.lastTxid());
    return new StoreManifest(false, floor, new Active(activeId, active), sealed, List.of());
  }

  /**
   * Reads every segment of the store in {@code dir}, which must all be valid but for a torn tail of
   * the last one, and returns its manifest, with a floor of at least {@code floor}.
   *
   * @throws dev.datawal.CorruptStoreException if a segment is damaged
   */
  public static StoreManifest ofStore(FileIo io, Path dir, long floor) throws IOException {
    List<Long> ids = SegmentFiles.list(io, dir);
    if (ids.isEmpty()) {
      return new StoreManifest(
          false,
          floor,
          new Active(1, new Shape(0, 0, 0, 0, FrameDigest.EMPTY, 0)),
          new TreeMap<>(),
          List.of());
    }
    List<LogScanner.Span> spans = new ArrayList<>();
    for (long id : ids) {
      spans.add(new LogScanner.Span(id, LogScanner.Span.TO_END));
    }
    long activeId = ids.get(ids.size() - 1);
    try (LogScanner scanner = new LogScanner(io, dir, spans, true, SegmentScanner.Content.NONE);
        SegmentFacts files = new SegmentFacts(io, dir)) {
      while (scanner.next()) {
        // counting only
      }
      LogScanner.SegmentSummary last = scanner.summaries().get(activeId);
      long validEnd = last == null ? 0 : last.validEnd();
      long highest = scanner.report(null, List.of()).lastTxidSeen();
      return of(
          files, ids, activeId, validEnd, scanner.summaries(), Map.of(), Math.max(floor, highest));
    }
  }

  private static Shape shapeOf(LogScanner.SegmentSummary read, int tailCrc) {
    return new Shape(
        read.validEnd(), read.records(), read.firstTxid(), read.lastTxid(), read.digest(), tailCrc);
  }

  /** The highest txid this manifest knows was handed out: its floor, or any recorded txid. */
  public long highestTxid() {
    long highest = Math.max(txidFloor, active.shape().lastTxid());
    for (Sealed s : sealed.values()) {
      highest = Math.max(highest, s.shape().lastTxid());
      if (s.replacement() != null) {
        highest = Math.max(highest, s.replacement().lastTxid());
      }
    }
    return highest;
  }

  /** Decodes a whole manifest file. */
  static StoreManifest decode(ByteBuffer buf) throws Unreadable {
    byte[] bytes = buf.array();
    int size = buf.limit();
    if (!Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new Unreadable("bad magic");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, size - CRC_SIZE);
    int stored = LittleEndian.getInt(bytes, size - CRC_SIZE);
    if (stored != (int) crc.getValue()) {
      throw new Unreadable(
          "CRC mismatch: stored "
              + Integer.toHexString(stored)
              + ", computed "
              + Integer.toHexString((int) crc.getValue()));
    }
    int version = LittleEndian.getUnsignedShort(bytes, VERSION_OFFSET);
    if (version != VERSION) {
      throw new Unreadable(
          "unsupported version " + version + " (this build reads " + VERSION + ")");
    }
    int flags = LittleEndian.getUnsignedShort(bytes, FLAGS_OFFSET);
    if ((flags & ~FLAG_CLEAN) != 0 || LittleEndian.getInt(bytes, RESERVED_OFFSET) != 0) {
      throw new Unreadable("unknown flags " + Integer.toHexString(flags));
    }
    long entries = Integer.toUnsignedLong(LittleEndian.getInt(bytes, ENTRY_COUNT_OFFSET));
    long damages = Integer.toUnsignedLong(LittleEndian.getInt(bytes, DAMAGE_COUNT_OFFSET));
    if (ENTRIES_OFFSET + entries * ENTRY_SIZE + damages * DAMAGE_SIZE + CRC_SIZE != size) {
      throw new Unreadable(
          "its counts ("
              + entries
              + " entries, "
              + damages
              + " damage records) do not add up to its "
              + size
              + " bytes");
    }
    long floor = LittleEndian.getLong(bytes, FLOOR_OFFSET);
    Active active =
        new Active(LittleEndian.getLong(bytes, ACTIVE_OFFSET), shapeAt(bytes, ACTIVE_OFFSET));
    checkId(active.id(), "active segment");
    if (LittleEndian.getInt(bytes, ACTIVE_OFFSET + 52) != 0
        || active.shape().length() < 0
        || active.shape().records() < -1) {
      throw new Unreadable("the active segment's record is out of range");
    }
    SortedMap<Long, Sealed> sealed = new TreeMap<>();
    for (int i = 0; i < entries; i++) {
      int at = ENTRIES_OFFSET + i * ENTRY_SIZE;
      long id = LittleEndian.getLong(bytes, at);
      if (id < 1 || id > SegmentFiles.MAX_ID) {
        checkId(id, "entry " + i); // the message built only when it is needed
      }
      Shape shape = shapeAt(bytes, at);
      int entryFlags = LittleEndian.getInt(bytes, at + 52);
      if ((entryFlags & ~(ENTRY_MAY_BE_ABSENT | ENTRY_REPLACEMENT)) != 0
          || shape.length() < 0
          || shape.records() < -1) {
        throw new Unreadable("entry " + i + " (segment " + id + ") is out of range");
      }
      Sealed before = sealed.get(id);
      if ((entryFlags & ENTRY_REPLACEMENT) != 0) {
        if (before == null || before.replacement() != null || i == 0) {
          throw new Unreadable("replacement entry " + i + " follows no entry of segment " + id);
        }
        sealed.put(id, new Sealed(id, before.shape(), shape, before.mayBeAbsent()));
      } else {
        if (!sealed.isEmpty() && id <= sealed.lastKey()) {
          throw new Unreadable("entries out of order at segment " + id);
        }
        sealed.put(id, new Sealed(id, shape, null, (entryFlags & ENTRY_MAY_BE_ABSENT) != 0));
      }
    }
    if (!sealed.isEmpty() && sealed.lastKey() >= active.id()) {
      throw new Unreadable(
          "sealed segment " + sealed.lastKey() + " is not below the active " + active.id());
    }
    List<Damage> damage = new ArrayList<>();
    for (int i = 0; i < damages; i++) {
      int at = (int) (ENTRIES_OFFSET + entries * ENTRY_SIZE + (long) i * DAMAGE_SIZE);
      int code = LittleEndian.getInt(bytes, at + 16);
      if (code <= 0 || code >= KIND_CODES.length) {
        throw new Unreadable("damage record " + i + " has an unknown kind " + code);
      }
      damage.add(
          new Damage(
              LittleEndian.getLong(bytes, at),
              LittleEndian.getLong(bytes, at + 8),
              KIND_CODES[code]));
    }
    return new StoreManifest((flags & FLAG_CLEAN) != 0, floor, active, sealed, damage);
  }

  private static Shape shapeAt(byte[] bytes, int at) {
    return new Shape(
        LittleEndian.getLong(bytes, at + 8),
        LittleEndian.getLong(bytes, at + 16),
        LittleEndian.getLong(bytes, at + 24),
        LittleEndian.getLong(bytes, at + 32),
        LittleEndian.getLong(bytes, at + 40),
        LittleEndian.getInt(bytes, at + 48));
  }

  private static void checkId(long id, String what) throws Unreadable {
    if (id < 1 || id > SegmentFiles.MAX_ID) {
      throw new Unreadable(what + " has id " + id + ", not a segment id");
    }
  }

  /** Encodes this manifest as a whole file. */
  ByteBuffer encode() {
    int entries = 0;
    for (Sealed s : sealed.values()) {
      entries += s.replacement() == null ? 1 : 2;
    }
    int size = ENTRIES_OFFSET + entries * ENTRY_SIZE + damage.size() * DAMAGE_SIZE + CRC_SIZE;
    ByteBuffer buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).putShort((short) VERSION).putShort((short) (clean ? FLAG_CLEAN : 0));
    buf.putInt(entries).putInt(damage.size()).putInt(0);
    buf.putLong(txidFloor);
    putEntry(buf, active.id(), active.shape(), 0);
    for (Sealed s : sealed.values()) {
      putEntry(buf, s.id(), s.shape(), s.mayBeAbsent() ? ENTRY_MAY_BE_ABSENT : 0);
      if (s.replacement() != null) {
        putEntry(buf, s.id(), s.replacement(), ENTRY_REPLACEMENT);
      }
    }
    for (Damage d : damage) {
      buf.putLong(d.segment()).putLong(d.offset()).putInt(kindCode(d.kind())).putInt(0);
    }
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    return buf.flip();
  }

  private static void putEntry(ByteBuffer buf, long id, Shape s, int flags) {
    buf.putLong(id).putLong(s.length()).putLong(s.records()).putLong(s.firstTxid());
    buf.putLong(s.lastTxid()).putLong(s.digest()).putInt(s.tailCrc()).putInt(flags);
  }

  private static int kindCode(CorruptionKind kind) {
    for (int i = 1; i < KIND_CODES.length; i++) {
      if (KIND_CODES[i] == kind) {
        return i;
      }
    }
    throw new IllegalArgumentException("no code for " + kind);
  }

  /** Writes this manifest into {@code dir}, replacing the one there, durably. */
  public void write(FileIo io, Path dir) throws IOException {
    DurableFiles.replace(io, dir, FILE_NAME, encode());
  }

  /**
   * Whether {@code other} records the same shape as this manifest, whoever wrote either (cleanly or
   * not): the same txid floor, active segment, sealed segments and damage. Compared field by field:
   * the records' generated {@code equals} costs several times more until the JIT has compiled it,
   * and an open compares once.
   */
  public boolean sameShape(StoreManifest other) {
    if (txidFloor != other.txidFloor
        || active.id() != other.active.id()
        || !same(active.shape(), other.active.shape())
        || sealed.size() != other.sealed.size()
        || !damage.equals(other.damage)) {
      return false;
    }
    Iterator<Map.Entry<Long, Sealed>> theirs = other.sealed.entrySet().iterator();
    for (Map.Entry<Long, Sealed> mine : sealed.entrySet()) {
      Map.Entry<Long, Sealed> their = theirs.next();
      Sealed a = mine.getValue();
      Sealed b = their.getValue();
      if (!mine.getKey().equals(their.getKey())
          || a.id() != b.id()
          || a.mayBeAbsent() != b.mayBeAbsent()
          || !same(a.shape(), b.shape())
          || !same(a.replacement(), b.replacement())) {
        return false;
      }
    }
    return true;
  }

  /** Whether two shapes (or their absence) are the same, as {@link Shape#equals} says. */
  private static boolean same(@Nullable Shape a, @Nullable Shape b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.length() == b.length()
        && a.records() == b.records()
        && a.firstTxid() == b.firstTxid()
        && a.lastTxid() == b.lastTxid()
        && a.digest() == b.digest()
        && a.tailCrc() == b.tailCrc();
  }

  /** Whether {@code other} says the same (ignoring nothing). */
  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof StoreManifest m
        && clean == m.clean
        && txidFloor == m.txidFloor
        && active.equals(m.active)
        && sealed.equals(m.sealed)
        && damage.equals(m.damage);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(txidFloor) * 31 + sealed.size();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("StoreManifest[floor=").append(txidFloor);
    s.append(clean ? ", clean" : "").append(", active=").append(active);
    for (Map.Entry<Long, Sealed> e : sealed.entrySet()) {
      s.append(", ").append(e.getValue());
    }
    return s.append(", damage=").append(damage).append(']').toString();
  }

  /** The manifest exists but cannot be trusted: the store's expected shape is unknown. */
  public static final class Unreadable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreadable(String reason) {
      super(reason, null, false, false);
    }

    /** Why it cannot be trusted: the reason it was made with, never {@code null}. */
    @Override
    public String getMessage() {
      return Objects.requireNonNull(super.getMessage(), "made with a reason");
    }
  }
}
