package dev.datawal.internal.kv;

import static dev.datawal.internal.kv.SnapshotFormat.KEY_LEN_BITS;
import static dev.datawal.internal.kv.SnapshotFormat.PAGE_SIZE;
import static dev.datawal.internal.kv.SnapshotFormat.SLOT_SIZE;

import dev.datawal.internal.format.FrameFormat;
import dev.datawal.internal.format.LittleEndian;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.io.MappedView;
import dev.datawal.internal.io.ReaderGate;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The table of a key-directory snapshot, used in place: the snapshot's data region (slots and key
 * arena, laid out as {@link SnapshotFormat} describes), memory-mapped read-only and checked lazily
 * as the format's trust rules require: a page against its CRC-32C the first time anything on it is
 * read ({@link #verifyPage}), a found entry's ranges before it is used ({@link #checkSlot}), and
 * the whole table once ({@link #verifyAll}). Its head and the segment files were checked before it
 * was mapped ({@link SnapshotHead}), so opening costs nothing per key. A failed check throws {@link
 * Damaged}; the {@link KeyDirectory} owning the table then stops using it ({@link
 * SnapshotFallback}).
 *
 * <p>The mapping is never written, and a snapshot file is never written in place once it has its
 * name ({@link SnapshotFormat}), so a mapped file's pages stay.
 *
 * <p>Unmapping. The table is unmapped explicitly ({@link Mmap}) once it is shut ({@link #close}
 * when the store closes, {@link #retire} when a fallback or an abandoned open drops it) and no
 * reader is left inside its {@link ReaderGate}; a read of an unmapped table would crash the JVM. So
 * every read of the mapping, through any method here but {@link #dir}, {@link #io} and the layout
 * getters, must lie between a successful {@link #tryEnter} and its {@link #exit}: the owner enters
 * once per coarse operation (a lookup, a write, a walk), not per slot. Recovery, which loads the
 * directory before anything else can see it or close it, reads without entering.
 *
 * <p>Jobs: lookups in the mapped table ({@link #find}, the slot getters), checking it (pages,
 * slots, the whole table), and the mapping's life (map, gate, unmap). They stay together because
 * they share the mapped chunks: a lookup checks each page it reads on its way, and the gate must
 * cover every read of the chunks; a split would have to hand the raw chunks to another class and
 * guard them there as well.
 *
 * <p>Thread-safe: immutable but for the per-page "verified" marks, which racing readers may both
 * set (a page is then checked twice, never trusted unchecked), and the gate.
 */
final class SnapshotTable {
  /** The data region is mapped in chunks of {@code 1 << MAP_CHUNK_SHIFT} bytes (less in tests). */
  static final int MAP_CHUNK_SHIFT = 30;

  /** The log2 of {@link SnapshotFormat#PAGE_SIZE}. */
  static final int PAGE_SHIFT = 12;

  /** The largest key, and so how far a mapped chunk overlaps the next one. */
  private static final int OVERLAP = FrameFormat.MAX_KEY_LEN + SLOT_SIZE;

  private static final long KEY_LEN_MASK = (1L << KEY_LEN_BITS) - 1;
  private static final long LENGTH_MASK = 0xFFFF_FFFFL;
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  /** Why a table cannot be trusted: thrown by any read that finds damage. */
  static final class Damaged extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient SnapshotTable table;

    Damaged(SnapshotTable table, String reason) {
      super(reason, null, false, false);
      this.table = table;
    }

    /** What is damaged: the reason it was made with, never {@code null}. */
    @Override
    public String getMessage() {
      return Objects.requireNonNull(super.getMessage(), "made with a reason");
    }

    /** The damaged table. */
    SnapshotTable table() {
      return table;
    }
  }

  /**
   * The layout a loader read from a checked head.
   *
   * @param head the snapshot's head, whose bytes from {@code pageCrcsAt} hold the page CRCs (kept
   *     as they are: an open copies nothing per page)
   */
  record Layout(
      long seed,
      int entryCount,
      long homeSlots,
      long slotCount,
      long arenaOffset,
      long arenaSize,
      byte[] head,
      int pageCrcsAt,
      int pages,
      long[] segmentIds,
      long[] coveredSizes,
      long[] liveBytes) {
    long dataSize() {
      return arenaOffset + arenaSize;
    }

    /** The stored CRC-32C of data page {@code p}. */
    int pageCrc(int p) {
      return LittleEndian.getInt(head, pageCrcsAt + 4 * p); // once per page: never compiled
    }
  }

  private final FileIo io;
  private final Path dir;
  private final MappedView[] views; // released once the gate is shut and empty
  private final ByteBuffer[] chunks; // chunk i maps data bytes [i << shift, min(end, .. + OVERLAP))
  private final int chunkShift;
  private final Layout layout;
  private final byte[] verified; // per page: 1 once its CRC matched
  private final ReaderGate gate = new ReaderGate(this::unmap);
  private volatile boolean allVerified;
  private volatile @Nullable String damage; // why the table is damaged, once it is known

  /**
   * @param views the data region, mapped in chunks of {@code 1 << chunkShift} bytes, each extended
   *     by the largest key (or to the end), so no slot or key read ever spans two; the table owns
   *     them from now on
   */
  SnapshotTable(FileIo io, Path dir, MappedView[] views, int chunkShift, Layout layout) {
    this.io = io;
    this.dir = dir;
    this.views = views;
    this.chunks = new ByteBuffer[views.length];
    for (int i = 0; i < views.length; i++) {
      chunks[i] = views[i].buffer().order(ByteOrder.LITTLE_ENDIAN);
    }
    this.chunkShift = chunkShift;
    this.layout = layout;
    this.verified = new byte[layout.pages()];
  }

  /**
   * Maps the data region of {@code file}, which starts at {@code dataOffset}; if a chunk fails,
   * releases the chunks mapped before it.
   */
  static MappedView[] map(FileHandle file, long dataOffset, long dataSize, int chunkShift)
      throws IOException {
    long chunk = 1L << chunkShift;
    int count = (int) Math.max(1, (dataSize + chunk - 1) >>> chunkShift);
    MappedView[] views = new MappedView[count];
    for (int i = 0; i < count; i++) {
      long from = (long) i << chunkShift;
      long size = Math.min(dataSize - from, chunk + OVERLAP);
      try {
        views[i] = file.map(dataOffset + from, size);
      } catch (IOException | RuntimeException e) {
        release(Arrays.copyOf(views, i), "a key-directory snapshot mapped in part");
        throw e;
      }
    }
    return views;
  }

  /**
   * Lets the caller read the mapping until its {@link #exit}.
   *
   * @return {@code false} if the table is shut (closed or retired): the caller must not read it
   */
  boolean tryEnter() {
    return gate.tryEnter();
  }

  /** Ends a read begun by a successful {@link #tryEnter}. */
  void exit() {
    gate.exit();
  }

  /**
   * Stops letting readers in; the mapping is released as soon as the readers inside have left (at
   * once if none is). For a table nothing will look up again: one a fallback replaced, or one an
   * abandoned open dropped. Does not wait.
   */
  void retire() {
    gate.shut();
  }

  /**
   * Stops letting readers in, waits for those inside to leave and releases the mapping; a reader
   * that comes later is refused ({@link #tryEnter}). Idempotent. Never call it from inside.
   */
  void close() {
    gate.close();
  }

  /** What a read of a table closed with its store throws. */
  IllegalStateException closed() {
    return new IllegalStateException("datawal: store " + dir + " is closed");
  }

  private void unmap() {
    release(views, "the key-directory snapshot of " + dir);
  }

  private static void release(MappedView[] views, String where) {
    for (MappedView view : views) {
      try {
        view.release();
      } catch (RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "datawal: cannot unmap "
                + where
                + " (it may stay mapped until the process exits): "
                + e,
            e);
      }
    }
  }

  long seed() {
    return layout.seed();
  }

  int entryCount() {
    return layout.entryCount();
  }

  long slotCount() {
    return layout.slotCount();
  }

  /** The heap this table holds: its page CRCs and marks (the mapping is not heap). */
  long heapBytes() {
    return 16 + layout.head().length + 16 + layout.pages() + 16 * 8;
  }

  /** Where {@code key} is, or {@code null} if the table does not hold it. */
  KeyDirectory.@Nullable Location find(byte[] key, int from, int keyLen, int hash) {
    long slot = slotOf(key, from, keyLen, hash);
    if (slot < 0) {
      return null;
    }
    long at = slot * SLOT_SIZE;
    return Place.location(getLong(at + 8), (int) getLong(at));
  }

  /** The slot holding {@code key}, or -1. Every page read is verified; throws {@link Damaged}. */
  long slotOf(byte[] key, int from, int keyLen, int hash) {
    failIfDamaged();
    long target = Integer.toUnsignedLong(hash);
    long slots = layout.slotCount();
    for (long i = home(hash); i < slots; i++) {
      long at = i * SLOT_SIZE;
      verifyRange(at, SLOT_SIZE);
      long meta = getLong(at);
      if (meta == 0) {
        return -1;
      }
      long h = meta >>> 32;
      if (h > target) {
        return -1; // slots are sorted by hash: the key would have come before
      }
      if (h == target) {
        long keyRef = getLong(at + 16);
        checkSlot(i, meta, getLong(at + 8), keyRef);
        if (keyEquals(keyRef, key, from, keyLen)) {
          return i;
        }
      }
    }
    return -1;
  }

  /** The home slot of {@code hash} in this table ({@link SnapshotFormat#home}). */
  private long home(int hash) {
    return SnapshotFormat.home(hash, layout.homeSlots());
  }

  /** The first long of slot {@code i}: hash << 32 | frame length, 0 if empty. Unchecked. */
  long meta(long i) {
    return getLong(i * SLOT_SIZE);
  }

  /** The second long of slot {@code i}: segment << 37 | offset. Unchecked. */
  long place(long i) {
    return getLong(i * SLOT_SIZE + 8);
  }

  /** The key length of slot {@code i}. Unchecked. */
  int keyLength(long i) {
    return (int) (getLong(i * SLOT_SIZE + 16) & KEY_LEN_MASK);
  }

  /** Copies the key of slot {@code i} into {@code dst} at {@code at}. Unchecked. */
  void copyKey(long i, byte[] dst, int at) {
    long keyRef = getLong(i * SLOT_SIZE + 16);
    int keyLen = (int) (keyRef & KEY_LEN_MASK);
    long address = layout.arenaOffset() + (keyRef >>> KEY_LEN_BITS);
    ByteBuffer chunk = chunks[(int) (address >>> chunkShift)];
    chunk.get((int) (address - ((address >>> chunkShift) << chunkShift)), dst, at, keyLen);
  }

  /** A copy of the key of slot {@code i}. Unchecked. */
  byte[] key(long i) {
    byte[] key = new byte[keyLength(i)];
    copyKey(i, key, 0);
    return key;
  }

  /**
   * Verifies every page and the whole structure: each entry's ranges, the slots' order and
   * contiguity, the entry count, the live bytes per segment and that no key repeats. Costs one pass
   * over the file, once.
   *
   * @throws Damaged if anything does not check out
   */
  void verifyAll() {
    if (allVerified) {
      return;
    }
    failIfDamaged();
    for (int p = 0; p < verified.length; p++) {
      verifyPage(p);
    }
    long[] live = new long[layout.segmentIds().length];
    long entries = 0;
    long previousMeta = 0;
    long slots = layout.slotCount();
    for (long i = 0; i < slots; i++) {
      long meta = meta(i);
      if (meta == 0) {
        previousMeta = 0;
        continue;
      }
      long place = place(i);
      long keyRef = getLong(i * SLOT_SIZE + 16);
      int s = checkSlot(i, meta, place, keyRef);
      int hash = (int) (meta >>> 32);
      long home = home(hash);
      if (home > i || (home < i && previousMeta == 0)) {
        throw damaged("slot " + i + " is not reachable from its home slot " + home);
      }
      if (previousMeta != 0) {
        long previousHash = previousMeta >>> 32;
        if (previousHash > (meta >>> 32)) {
          throw damaged("slot " + i + " is out of hash order");
        }
        if (previousHash == (meta >>> 32)) {
          for (long j = i - 1; j >= 0 && meta(j) != 0 && meta(j) >>> 32 == meta >>> 32; j--) {
            if (Arrays.equals(key(j), key(i))) {
              throw damaged("slot " + i + " repeats the key of slot " + j);
            }
          }
        }
      }
      live[s] += meta & LENGTH_MASK;
      entries++;
      previousMeta = meta;
    }
    if (entries != layout.entryCount()) {
      throw damaged("it holds " + entries + " entries, its header says " + layout.entryCount());
    }
    for (int s = 0; s < live.length; s++) {
      if (live[s] != layout.liveBytes()[s]) {
        throw damaged("the live bytes of segment " + layout.segmentIds()[s] + " do not add up");
      }
    }
    allVerified = true;
  }

  /** The directory of the store this table belongs to. */
  Path dir() {
    return dir;
  }

  /** How the store this table belongs to reads its files. */
  FileIo io() {
    return io;
  }

  /** The layout its head describes. */
  Layout layout() {
    return layout;
  }

  private void failIfDamaged() {
    String found = damage;
    if (found != null) {
      throw new Damaged(this, found);
    }
  }

  private Damaged damaged(String reason) {
    if (damage == null) {
      damage = reason;
    }
    return new Damaged(this, reason);
  }

  /**
   * Checks a used slot's fields against the table's ranges.
   *
   * @return the index of its segment in the segment table
   */
  private int checkSlot(long i, long meta, long place, long keyRef) {
    int length = (int) (meta & LENGTH_MASK);
    long segment = Place.segment(place);
    long offset = Place.offset(place);
    int keyLen = (int) (keyRef & KEY_LEN_MASK);
    long keyAt = keyRef >>> KEY_LEN_BITS;
    int s = Arrays.binarySearch(layout.segmentIds(), segment);
    if (s < 0
        || keyLen > FrameFormat.MAX_KEY_LEN
        || length < FrameFormat.frameLength(keyLen, 0)
        || length > KeyDirectory.MAX_FRAME_LENGTH
        || offset > layout.coveredSizes()[s] - length
        || keyAt > layout.arenaSize() - keyLen) {
      throw damaged("slot " + i + " is out of range");
    }
    return s;
  }

  private boolean keyEquals(long keyRef, byte[] key, int from, int keyLen) {
    if ((int) (keyRef & KEY_LEN_MASK) != keyLen) {
      return false;
    }
    long address = layout.arenaOffset() + (keyRef >>> KEY_LEN_BITS);
    verifyRange(address, keyLen);
    ByteBuffer chunk = chunks[(int) (address >>> chunkShift)];
    int at = (int) (address - ((address >>> chunkShift) << chunkShift));
    int i = 0;
    for (; i + 8 <= keyLen; i += 8) {
      if (chunk.getLong(at + i) != (long) LONGS.get(key, from + i)) {
        return false;
      }
    }
    for (; i < keyLen; i++) {
      if (chunk.get(at + i) != key[from + i]) {
        return false;
      }
    }
    return true;
  }

  private void verifyRange(long at, int length) {
    if (length == 0) {
      return;
    }
    long first = at >>> PAGE_SHIFT;
    long last = (at + length - 1) >>> PAGE_SHIFT;
    if (last >= verified.length) {
      throw damaged("a read at " + at + " runs past the end of the table");
    }
    for (long p = first; p <= last; p++) {
      if (verified[(int) p] == 0) {
        verifyPage((int) p);
      }
    }
  }

  /** Checks page {@code p}'s CRC-32C; marks it verified or throws {@link Damaged}. */
  private void verifyPage(int p) {
    if (verified[p] != 0) {
      return;
    }
    long from = (long) p << PAGE_SHIFT;
    int length = (int) Math.min(PAGE_SIZE, layout.dataSize() - from);
    ByteBuffer chunk = chunks[(int) (from >>> chunkShift)];
    int at = (int) (from - ((from >>> chunkShift) << chunkShift));
    CRC32C crc = new CRC32C();
    crc.update(chunk.duplicate().limit(at + length).position(at));
    int stored = layout.pageCrc(p);
    if ((int) crc.getValue() != stored) {
      throw damaged(
          "page "
              + p
              + " (data bytes "
              + from
              + ".."
              + (from + length)
              + ") fails its CRC: stored "
              + Integer.toHexString(stored)
              + ", computed "
              + Integer.toHexString((int) crc.getValue()));
    }
    verified[p] = 1;
  }

  private long getLong(long at) {
    ByteBuffer chunk = chunks[(int) (at >>> chunkShift)];
    return chunk.getLong((int) (at - ((at >>> chunkShift) << chunkShift)));
  }
}
