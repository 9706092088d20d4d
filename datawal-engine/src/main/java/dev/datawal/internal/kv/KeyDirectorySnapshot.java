package dev.datawal.internal.kv;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentTail;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.log.CorruptionMessages;
import dev.datawal.internal.log.Recovery;
import dev.datawal.internal.log.StoreManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The key-directory snapshot ({@code keydir.snapshot}): the key directory of a {@code DataWal} as
 * of a known position in the log, laid out as a hash table that an open uses in place ({@link
 * SnapshotTable}: memory-mapped, checked page by page as it is read), so that an open costs nothing
 * per key and reads only the segments after that position. datawal only and optional: the name does
 * not match the segment pattern, so the reference implementation ignores it, and a missing, damaged
 * or stale snapshot only costs a scan of the segments.
 *
 * <p>Format version 2, all integers little-endian. A file is a head (checked whole at open) and a
 * data region (checked page by page when read):
 *
 * <pre>
 * offset            size  field
 *      0               8  magic          ASCII "DWKEYDIR" (44 57 4B 45 59 44 49 52)
 *      8               2  version        u16 = 2 (1 was a list of entries; it is ignored, rebuilt)
 *     10               2  flags          u16: bit 0 (CLOSED) = written by a clean close after its
 *                                        final fsync, so every covered byte and segment name was
 *                                        durable before this file was; other bits 0
 *     12               4  segment_count  u32 N, at least 1
 *     16               8  last_txid      u64: at least the txid of every record in the covered
 *                                        part, below that of every record after it
 *     24               8  entry_count    u64 E, at most 2^31 - 1
 *     32               8  hash_seed      u64: the seed of the key hash (below)
 *     40               8  home_slots     u64 C, 1 &lt;= C &lt; 2^32
 *     48               8  slot_count     u64 T &gt;= max(C, E)
 *     56               8  arena_size     u64 A
 *     64               4  page_size      u32 = 4096
 *     68               4  reserved       u32 = 0
 *     72          28 * N  segments, ascending by id, exactly the segments up to and including the
 *                         last one (S), the covered part being all of them, S up to its size:
 *                         +0  8  id          u64
 *                         +8  8  size        u64: bytes covered (the whole file for all but S)
 *                         +16 8  live_bytes  u64: the sum of frame_length of the entries in it
 *                         +24 4  tail_crc    u32: CRC-32 (IEEE, not Castagnoli) of the
 *                                            segment's bytes [max(0, size - 4096), size)
 * 72 + 28N         4 * P  page_crc       u32 each: CRC-32C of data page p, bytes
 *                                        [p * 4096, min((p + 1) * 4096, data_size)) of the data
 *                                        region; P = ceil(data_size / 4096)
 *     ...                 zero padding
 * D - 4            4      head_crc       CRC-32C of bytes [0, D - 4); D = the multiple of 4096
 *                                        at or above 72 + 28N + 4P + 4
 * D                       data region, data_size = arena_offset + A bytes; file size = D + data_size
 *   +0        24 * T      slots, T of them:
 *                         +0  4  frame_length  u32: 0 = empty slot; else the frame length of the
 *                                              key's latest Put, 28 + key_len or more, with
 *                                              offset + frame_length within the covered size
 *                         +4  4  hash          u32: the key's hash
 *                         +8  8  place         u64: segment id (one of the above) &lt;&lt; 37 | frame
 *                                              offset (below 2^37)
 *                         +16 8  key           u64: arena offset &lt;&lt; 17 | key_len (at most
 *                                              65,536); the key is arena[offset, offset + key_len)
 *   +24T                  zero padding to arena_offset, the multiple of 4096 at or above 24T
 *   +arena_offset  A      arena: the keys' bytes
 * </pre>
 *
 * <p>The table: one entry per live key of the covered part (no value and no txid, which a get reads
 * from the frame itself). Entries are sorted by the unsigned hash; an entry's home slot is {@code
 * (hash * C) >>> 32} (hash unsigned, so homes rise with the hash) and it lies in the first slot at
 * or after its home that is after the previous entry's (linear probing in hash order). A lookup
 * starts at the home slot and stops at its key, at a larger hash, or at an empty slot or T.
 *
 * <p>The hash ({@link KeyHash}): {@code h = seed ^ (key_len * 0x9E3779B97F4A7C15)}; for each whole
 * 8 bytes of the key, read as a little-endian u64 {@code w}, {@code h = mix(h ^ w)}; the 0 to 7
 * bytes left, little-endian into a u64 {@code t} (0 if none), {@code h = mix(h ^ t)}; the hash is
 * the u32 {@code h ^ (h >>> 32)}; {@code mix(h)} is {@code h *= 0xBF58476D1CE4E5B9; h ^= h >>> 31;
 * h *= 0x94D049BB133111EB; h ^= h >>> 29}, all mod 2^64.
 *
 * <p>The tail check is CRC-32, not the frames' CRC-32C, on purpose: every frame ends with the
 * CRC-32C of its own bytes, so the CRC-32C of a run of whole frames is the same for any contents of
 * the same frame lengths, and would not tell two segments apart. The live bytes per segment are
 * what {@link SegmentUsage} holds.
 *
 * <p>Written beside the segments by {@link #write}: streamed into {@code keydir.snapshot.tmp} (data
 * region first, head last), forced, renamed over {@code keydir.snapshot} atomically, and the
 * directory is synced, so a crash leaves the old snapshot, the new one, or a {@code .tmp} that the
 * next open deletes. A snapshot file is never written in place once it has its name, since an open
 * store may have it mapped: replacing it by a rename, or unlinking it, leaves the mapped pages.
 *
 * <p>Trusted at open ({@link Loader}) only if: the head checks out (magic, version, flags, sizes
 * that add up to the file's size exactly, head CRC); the store's segment ids up to S are exactly
 * the listed ones; every listed segment but S has exactly its listed size and S at least its listed
 * size; the tail CRC of each matches the file; and every record the scan then reads after the
 * covered part has a txid above last_txid (checked by {@link Recovery}). Otherwise it is ignored
 * (and deleted) and the whole log is read. The data region is checked as it is used: a page's CRC
 * before anything on it is read, an entry's ranges before it is used, and the whole table ({@link
 * SnapshotTable#verifyAll}: every page, order, count, live bytes) before anything walks it or
 * compaction changes a segment. Damage found there makes the key directory read the covered
 * segments instead (see {@link KeyDirectory}).
 *
 * <p>Not thread-safe; used by one open or one close at a time.
 */
public final class KeyDirectorySnapshot {
  /** The snapshot's file name in the store directory. */
  public static final String FILE_NAME = "keydir.snapshot";

  static final String TMP_NAME = FILE_NAME + ".tmp";
  static final byte[] MAGIC = "DWKEYDIR".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 2;

  /**
   * Flag: written by a clean close after its final fsync, so every covered byte and segment name
   * was durable before the snapshot was written.
   */
  static final int FLAG_CLOSED = 1;

  static final int VERSION_OFFSET = MAGIC.length;
  static final int FLAGS_OFFSET = VERSION_OFFSET + 2;
  static final int SEGMENT_COUNT_OFFSET = FLAGS_OFFSET + 2;
  static final int LAST_TXID_OFFSET = SEGMENT_COUNT_OFFSET + 4;
  static final int ENTRY_COUNT_OFFSET = LAST_TXID_OFFSET + 8;
  static final int HASH_SEED_OFFSET = ENTRY_COUNT_OFFSET + 8;
  static final int HOME_SLOTS_OFFSET = HASH_SEED_OFFSET + 8;
  static final int SLOT_COUNT_OFFSET = HOME_SLOTS_OFFSET + 8;
  static final int ARENA_SIZE_OFFSET = SLOT_COUNT_OFFSET + 8;
  static final int PAGE_SIZE_OFFSET = ARENA_SIZE_OFFSET + 8;
  static final int RESERVED_OFFSET = PAGE_SIZE_OFFSET + 4;
  static final int HEADER_SIZE = RESERVED_OFFSET + 4;
  static final int SEGMENT_SIZE = 8 + 8 + 8 + 4;
  static final int PAGE_CRC_SIZE = 4;
  static final int CRC_SIZE = 4;
  static final int SLOT_SIZE = SnapshotTable.SLOT_SIZE;
  static final int PAGE_SIZE = SnapshotTable.PAGE_SIZE;

  /** The data region is mapped in chunks of this many bytes (each overlapping the next). */
  static final int MAP_CHUNK_SHIFT = 30;

  private static final int BUFFER = 256 * 1024; // a multiple of PAGE_SIZE; holds the largest key
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  private KeyDirectorySnapshot() {}

  /** The snapshot file of the store in {@code dir}. */
  public static Path path(Path dir) {
    return dir.resolve(FILE_NAME);
  }

  /** Home slots for {@code keys} keys: a load of at most 4/5, at least 16 slots. */
  static long homeSlots(long keys) {
    return Math.max(16, keys + (keys + 3) / 4);
  }

  /** The multiple of the page size at or above {@code n}. */
  static long pageAligned(long n) {
    return (n + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
  }

  /** The head's size for {@code segments} segments and {@code pages} data pages. */
  static long headSize(long segments, long pages) {
    return pageAligned(HEADER_SIZE + SEGMENT_SIZE * segments + PAGE_CRC_SIZE * pages + CRC_SIZE);
  }

  /**
   * Writes a snapshot covering {@code sizes} (every segment up to the last covered one, with the
   * bytes covered), holding the entries of {@code copy} that lie in a covered segment, and makes it
   * durable.
   *
   * <p>The caller guarantees that the covered bytes are durable and will not change while this
   * runs, and that every entry of {@code copy} in a covered segment is the key's state as of the
   * end of the covered part (a key written after it may be left out or not: the scan at open
   * replays whatever follows). With {@code closed}, the caller also guarantees that the log is
   * closed and every segment name and byte it covers is durable (a clean close), and the snapshot
   * says so: an open that finds nothing after it need not force anything.
   */
  public static void write(
      FileIo io,
      Path dir,
      SortedMap<Long, Long> sizes,
      long lastTxid,
      DirectoryCopy copy,
      boolean closed)
      throws IOException {
    long last = sizes.lastKey();
    long[] ids = sizes.keySet().stream().mapToLong(Long::longValue).toArray();
    long homeSlots = homeSlots(copy.size());
    // First pass: what the layout needs (counts, sizes, where the last entry lands), read in order.
    long[] live = new long[ids.length];
    long[] counts = new long[3]; // entries, arena bytes, next free slot
    copy.summarize(
        last,
        (segment, length, keyLen) -> {
          live[segmentIndex(ids, segment)] += length;
          counts[0]++;
          counts[1] += keyLen;
        },
        hash -> counts[2] = Math.max(SnapshotTable.home(hash, homeSlots), counts[2]) + 1);
    long entries = counts[0];
    long arenaSize = counts[1];
    long slotCount = Math.max(homeSlots, counts[2]);
    long arenaOffset = pageAligned(slotCount * SLOT_SIZE);
    long dataSize = arenaOffset + arenaSize;
    int pages = Math.toIntExact((dataSize + PAGE_SIZE - 1) / PAGE_SIZE);
    long dataOffset = headSize(ids.length, pages);
    int[] pageCrcs = new int[pages];

    Path tmp = dir.resolve(TMP_NAME);
    io.deleteIfExists(tmp);
    try (FileHandle out = io.openWrite(tmp, true)) {
      // Second pass: the slots and the arena, each streamed in order.
      PageStream slots = new PageStream(out, dataOffset, 0, pageCrcs);
      PageStream arena =
          new PageStream(out, dataOffset + arenaOffset, (int) (arenaOffset / PAGE_SIZE), pageCrcs);
      long[] next = new long[2]; // next slot, next arena offset
      copy.forEachByHash(
          last,
          (hash, chunk, from, keyLen, segment, offset, length) -> {
            if (segment <= last) {
              long slot = Math.max(SnapshotTable.home(hash, homeSlots), next[0]);
              slots.zeros((slot - next[0]) * SLOT_SIZE);
              slots.room(SLOT_SIZE);
              slots.buf.putInt(length).putInt(hash);
              slots.buf.putLong(segment << Place.OFFSET_BITS | offset);
              slots.buf.putLong(next[1] << 17 | keyLen);
              arena.room(keyLen);
              arena.buf.put(chunk, from, keyLen);
              next[0] = slot + 1;
              next[1] += keyLen;
            }
          });
      if (next[1] != arenaSize) {
        throw new IllegalStateException("the directory changed while it was written");
      }
      slots.zeros(arenaOffset - next[0] * SLOT_SIZE); // empty slots, then padding
      slots.finish();
      arena.finish();

      ByteBuffer head = ByteBuffer.allocate((int) dataOffset).order(ByteOrder.LITTLE_ENDIAN);
      head.put(MAGIC).putShort((short) VERSION).putShort((short) (closed ? FLAG_CLOSED : 0));
      head.putInt(ids.length);
      head.putLong(lastTxid).putLong(entries).putLong(copy.seed());
      head.putLong(homeSlots).putLong(slotCount).putLong(arenaSize);
      head.putInt(PAGE_SIZE).putInt(0);
      for (int i = 0; i < ids.length; i++) {
        head.putLong(ids[i]).putLong(sizes.get(ids[i])).putLong(live[i]);
        head.putInt(SegmentTail.crc(io, dir, ids[i], sizes.get(ids[i])));
      }
      head.asIntBuffer().put(pageCrcs);
      head.position(head.position() + PAGE_CRC_SIZE * pageCrcs.length);
      CRC32C crc = new CRC32C();
      crc.update(head.array(), 0, head.capacity() - CRC_SIZE);
      head.putInt(head.capacity() - CRC_SIZE, (int) crc.getValue());
      head.clear();
      out.write(head, 0);
      out.force(); // the whole snapshot is on disk before its name is
    } catch (IOException | RuntimeException e) {
      io.deleteIfExists(tmp);
      throw e;
    }
    try {
      io.atomicMove(tmp, path(dir));
    } catch (IOException | RuntimeException e) {
      io.deleteIfExists(tmp);
      throw e;
    }
    io.syncDirectory(dir); // the new name survives a power cut
  }

  private static int segmentIndex(long[] ids, long segment) {
    int s = java.util.Arrays.binarySearch(ids, segment);
    if (s < 0) {
      throw new IllegalStateException("an entry lies in segment " + segment + ", not listed");
    }
    return s;
  }

  /**
   * Deletes the snapshot, durably, before something changes the bytes it covers (compaction).
   *
   * @return whether there was one
   */
  public static boolean delete(FileIo io, Path dir) throws IOException {
    if (io.kind(path(dir)) == FileIo.Kind.MISSING) {
      return false;
    }
    io.deleteIfExists(path(dir));
    io.syncDirectory(dir); // a power cut must not bring it back next to the changed segments
    return true;
  }

  /**
   * Streams one part of the data region to the file through one buffer, keeping the CRC-32C of each
   * page it completes.
   */
  private static final class PageStream {
    final ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private final FileHandle out;
    private final int[] pageCrcs;
    private final CRC32C crc = new CRC32C();
    private long position; // where buf's contents go in the file
    private int page; // the page being summed
    private int inPage; // bytes of it summed so far

    PageStream(FileHandle out, long position, int firstPage, int[] pageCrcs) {
      this.out = out;
      this.position = position;
      this.page = firstPage;
      this.pageCrcs = pageCrcs;
    }

    /** Makes room for {@code n} more bytes in the buffer. */
    void room(int n) throws IOException {
      if (buf.remaining() < n) {
        flush();
      }
    }

    void zeros(long n) throws IOException {
      for (long left = n; left > 0; ) {
        if (!buf.hasRemaining()) {
          flush();
        }
        int chunk = (int) Math.min(left, buf.remaining());
        buf.position(buf.position() + chunk); // the buffer is zeroed after each flush
        left -= chunk;
      }
    }

    void flush() throws IOException {
      byte[] bytes = buf.array();
      for (int at = 0; at < buf.position(); ) {
        int n = Math.min(buf.position() - at, PAGE_SIZE - inPage);
        crc.update(bytes, at, n);
        at += n;
        inPage += n;
        if (inPage == PAGE_SIZE) {
          pageCrcs[page++] = (int) crc.getValue();
          crc.reset();
          inPage = 0;
        }
      }
      buf.flip();
      int n = buf.remaining();
      out.write(buf, position);
      position += n;
      java.util.Arrays.fill(bytes, 0, n, (byte) 0);
      buf.clear();
    }

    /** Writes what is buffered and sums the last, partial page. */
    void finish() throws IOException {
      flush();
      if (inPage > 0) {
        pageCrcs[page++] = (int) crc.getValue();
        inPage = 0;
      }
    }
  }

  /**
   * Loads a snapshot at open, as recovery's {@link Recovery.Resumer}: checks its head against the
   * store's files, maps its table into a key directory and fills the usage from it, and starts both
   * over empty if the snapshot is missing, fails a check, or the scan after it refutes it. {@link
   * #directory()} and {@link #usage()} are what recovery must fill from then on.
   */
  public static final class Loader implements Recovery.Resumer {
    private final FileIo io;
    private final Path dir;
    private final int mapChunkShift;
    private KeyDirectory directory = new KeyDirectory();
    private SegmentUsage usage = new SegmentUsage();
    private SortedMap<Long, Long> covered;
    private boolean used;

    public Loader(FileIo io, Path dir) {
      this(io, dir, MAP_CHUNK_SHIFT);
    }

    /** A loader mapping the data region in chunks of {@code 1 << mapChunkShift} bytes (tests). */
    Loader(FileIo io, Path dir, int mapChunkShift) {
      if (mapChunkShift < SnapshotTable.PAGE_SHIFT || mapChunkShift > 30) {
        throw new IllegalArgumentException("chunk shift out of range: " + mapChunkShift);
      }
      this.io = io;
      this.dir = dir;
      this.mapChunkShift = mapChunkShift;
    }

    /** The directory recovery fills: the snapshot's, or a fresh one. */
    public KeyDirectory directory() {
      return directory;
    }

    /** The usage recovery fills: the snapshot's, or a fresh one. */
    public SegmentUsage usage() {
      return usage;
    }

    /** Whether the open is going on from the snapshot (false once abandoned). */
    public boolean used() {
      return used;
    }

    /** The segments and sizes the snapshot in use covers, or {@code null} if none is used. */
    public SortedMap<Long, Long> covered() {
      return used ? covered : null;
    }

    @Override
    public Recovery.Resume resume(List<Long> ids, StoreManifest manifest) throws IOException {
      io.deleteIfExists(dir.resolve(TMP_NAME)); // a write the last close did not finish
      Head head = readHead();
      if (head == null) {
        return null;
      }
      try {
        head.checkAgainst(manifest);
        head.checkFiles(io, dir, ids);
        Recovery.Resume resume = map(head);
        used = true;
        return resume;
      } catch (Rejected e) {
        ignore(System.Logger.Level.WARNING, e.getMessage());
        return null;
      } catch (IOException e) {
        ignore(System.Logger.Level.WARNING, "it cannot be read: " + Errors.describe(e));
        return null;
      } catch (RuntimeException e) {
        ignore(System.Logger.Level.WARNING, "it cannot be loaded: " + e); // never fail an open
        return null;
      }
    }

    /**
     * Without a manifest, the snapshot is the only record of what the store held: if its head is
     * intact, every segment it covers must still be there as it describes (the store is then read
     * whole, not from the snapshot, so that it gets a manifest from a full read).
     */
    @Override
    public long checkWithoutManifest(List<Long> ids) throws IOException {
      io.deleteIfExists(dir.resolve(TMP_NAME)); // a write the last close did not finish
      Head head = readHead();
      if (head == null) {
        return 0;
      }
      try {
        head.checkFiles(io, dir, ids);
      } catch (Rejected e) {
        throw e.loss(dir);
      } catch (IOException e) {
        ignore(System.Logger.Level.WARNING, "it cannot be read: " + Errors.describe(e));
        return 0;
      }
      return head.lastTxid;
    }

    /**
     * What {@link #checkWithoutManifest} would fail with, or {@code null}; changes nothing (a
     * repair's plan).
     */
    public CorruptStoreException lossWithoutManifest(List<Long> ids) throws IOException {
      Head head = readHead();
      if (head == null) {
        return null;
      }
      try {
        head.checkFiles(io, dir, ids);
        return null;
      } catch (Rejected e) {
        return e.loss(dir);
      }
    }

    @Override
    public void abandon(String reason) {
      ignore(System.Logger.Level.WARNING, reason);
    }

    /**
     * The snapshot's head if it is there and checks out; {@code null} (after logging why) if the
     * store has none or it is damaged.
     */
    private Head readHead() {
      try (FileHandle handle = io.openRead(path(dir))) {
        return Head.read(handle);
      } catch (NoSuchFileException e) {
        LOG.log(System.Logger.Level.DEBUG, "datawal: no key-directory snapshot in {0}", dir);
        return null;
      } catch (Rejected e) {
        ignore(System.Logger.Level.WARNING, "it is damaged (" + e.getMessage() + ")");
        return null;
      } catch (IOException e) {
        ignore(System.Logger.Level.WARNING, "it cannot be read (" + Errors.describe(e) + ")");
        return null;
      }
    }

    /**
     * Goes on without the snapshot: the open reads every segment. The file is left as it is (a
     * close replaces it; compaction deletes it before it changes a segment); it is a cache of what
     * the segments hold, and the manifest, not the snapshot, says what they must hold.
     */
    private void ignore(System.Logger.Level level, String reason) {
      LOG.log(
          level,
          "datawal: not using the key-directory snapshot of {0}, reading every segment instead: {1}",
          dir,
          reason);
      directory.close(); // nothing reads the dropped table any more (recovery is one thread)
      directory = new KeyDirectory();
      usage = new SegmentUsage();
      covered = null;
      used = false;
    }

    /** Maps the table and starts the directory and usage from it. */
    private Recovery.Resume map(Head head) throws IOException {
      try (FileHandle file = io.openRead(path(dir))) {
        if (file.size() != head.fileSize) {
          throw new IOException("it changed while it was read");
        }
        SnapshotTable table = head.table(io, dir, file, mapChunkShift);
        // Nothing else sees these until the open ends.
        directory = new KeyDirectory(table);
        for (int i = 0; i < head.listed.length; i++) {
          if (head.liveListed[i] > 0) {
            usage.addedAll(head.listed[i], head.liveListed[i]);
          }
        }
        covered = head.sizes;
        return new Recovery.Resume(head.sizes, head.lastTxid, head.entryCount, head.closed);
      }
    }
  }

  /**
   * What a snapshot says the store held, for a repair that names the keys a loss changed.
   *
   * @param covered the segments it covers and how far, by id
   * @param lastTxid its last txid
   * @param items every live key it holds and where its latest Put was, in key order
   */
  public record Evidence(
      SortedMap<Long, Long> covered, long lastTxid, List<KeyDirectory.Item> items) {}

  /**
   * Reads the snapshot of the store in {@code dir} whole, without checking it against the segments,
   * or returns {@code null} if there is none or it is damaged (its own checks fail).
   */
  public static Evidence readEvidence(FileIo io, Path dir) {
    try (FileHandle file = io.openRead(path(dir))) {
      Head head = Head.read(file);
      SnapshotTable table = head.table(io, dir, file, MAP_CHUNK_SHIFT);
      KeyDirectory directory = new KeyDirectory(table);
      try {
        table.verifyAll(); // every page and entry, before anything of it is believed
        return new Evidence(head.sizes, head.lastTxid, directory.itemsSorted());
      } finally {
        directory.close(); // unmaps the table: the items are copies
      }
    } catch (IOException | Rejected | RuntimeException e) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "datawal: the key-directory snapshot of {0} is no evidence: {1}",
          dir,
          e.toString());
      return null;
    }
  }

  /** A snapshot's head, checked in itself (magic, version, sizes, CRC). */
  private static final class Head {
    long fileSize;
    boolean closed;
    long lastTxid;
    long entryCount;
    long seed;
    long homeSlots;
    long slotCount;
    long arenaSize;
    long arenaOffset;
    long dataSize;
    long pages;
    long dataOffset;
    byte[] bytes;
    long[] listed;
    long[] coveredSizes;
    long[] liveListed;
    int[] tailCrcs;
    final SortedMap<Long, Long> sizes = new TreeMap<>();

    /** Maps the table this head describes from {@code file}. */
    SnapshotTable table(FileIo io, Path dir, FileHandle file, int mapChunkShift)
        throws IOException {
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

    static Head read(FileHandle file) throws IOException, Rejected {
      Head h = new Head();
      h.fileSize = file.size();
      long fileSize = h.fileSize;
      ByteBuffer header = read(file, 0, HEADER_SIZE, fileSize);
      if (!java.util.Arrays.equals(header.array(), 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
        throw new Rejected("bad magic");
      }
      int version = Short.toUnsignedInt(header.getShort(VERSION_OFFSET));
      if (version != VERSION) {
        throw new Rejected(
            "unsupported version "
                + version
                + (version == 1
                    ? " (the layout before 2; a new snapshot is written at close)"
                    : ""));
      }
      int flags = Short.toUnsignedInt(header.getShort(FLAGS_OFFSET));
      if ((flags & ~FLAG_CLOSED) != 0 || header.getInt(RESERVED_OFFSET) != 0) {
        throw new Rejected("unknown flags");
      }
      h.closed = (flags & FLAG_CLOSED) != 0;
      long segmentCount = Integer.toUnsignedLong(header.getInt(SEGMENT_COUNT_OFFSET));
      h.lastTxid = header.getLong(LAST_TXID_OFFSET);
      h.entryCount = header.getLong(ENTRY_COUNT_OFFSET);
      h.seed = header.getLong(HASH_SEED_OFFSET);
      h.homeSlots = header.getLong(HOME_SLOTS_OFFSET);
      h.slotCount = header.getLong(SLOT_COUNT_OFFSET);
      h.arenaSize = header.getLong(ARENA_SIZE_OFFSET);
      int pageSize = header.getInt(PAGE_SIZE_OFFSET);
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
      ByteBuffer head = read(file, 0, (int) h.dataOffset, fileSize);
      CRC32C crc = new CRC32C();
      crc.update(head.array(), 0, head.capacity() - CRC_SIZE);
      int stored = head.getInt(head.capacity() - CRC_SIZE);
      if (stored != (int) crc.getValue()) {
        throw new Rejected(
            "head CRC mismatch: stored "
                + Integer.toHexString(stored)
                + ", computed "
                + Integer.toHexString((int) crc.getValue()));
      }
      h.bytes = head.array();
      int n = (int) segmentCount;
      h.listed = new long[n];
      h.coveredSizes = new long[n];
      h.liveListed = new long[n];
      h.tailCrcs = new int[n];
      for (int i = 0; i < n; i++) {
        int at = HEADER_SIZE + i * SEGMENT_SIZE;
        h.listed[i] = head.getLong(at);
        h.coveredSizes[i] = head.getLong(at + 8);
        h.liveListed[i] = head.getLong(at + 16);
        h.tailCrcs[i] = head.getInt(at + 24);
        if (h.listed[i] < 1
            || h.listed[i] > SegmentFiles.MAX_ID
            || h.coveredSizes[i] < 0
            || h.liveListed[i] < 0
            || h.liveListed[i] > h.coveredSizes[i]
            || (i > 0 && h.listed[i] <= h.listed[i - 1])) {
          throw new Rejected(
              "segment table out of order or out of range at segment " + h.listed[i]);
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
     * Checks the covered segments against the files: ids, sizes, tail CRCs. What differs is
     * described in a {@link Rejected} that can become the error for a store that lost them.
     */
    void checkFiles(FileIo io, Path dir, List<Long> ids) throws IOException, Rejected {
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
        try (FileHandle file = io.openRead(SegmentFiles.path(dir, id))) {
          long actual = file.size();
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
          if (SegmentTail.crc(file, size) != tailCrcs[i]) {
            throw new Rejected(
                CorruptionKind.SEGMENT_CHANGED,
                id,
                Math.max(0, size - SegmentTail.BYTES),
                "segment " + id + " does not end as it did when the snapshot was written");
          }
        }
        i++;
      }
    }

    /**
     * Checks that the snapshot covers only what the manifest records, with no txid above the
     * manifest's floor: every covered segment but the last as the manifest records it, and the last
     * up to at most its recorded length (a snapshot older than the manifest: a crash after an open
     * or a seal that recorded more; the open then reads the rest).
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
  }

  /**
   * A reason not to use the snapshot; for a covered segment that is gone or changed, also what is
   * wrong with it.
   */
  private static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    private final CorruptionKind kind; // null: a reason that says nothing about the segments
    private final long segment;
    private final long offset;

    Rejected(String reason) {
      this(null, -1, -1, reason);
    }

    Rejected(CorruptionKind kind, long segment, long offset, String reason) {
      super(reason, null, false, false);
      this.kind = kind;
      this.segment = segment;
      this.offset = offset;
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
              + FILE_NAME
              + ", the only record of this store's shape: it has no "
              + StoreManifest.FILE_NAME
              + ") says so: "
              + getMessage()
              + "; the snapshot is kept as evidence, `datawal repair --yes` accepts the loss");
    }
  }
}
