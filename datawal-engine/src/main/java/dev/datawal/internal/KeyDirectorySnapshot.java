package dev.datawal.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The key-directory snapshot ({@code keydir.snapshot}): the key directory of a {@code DataWal} as
 * of a known position in the log, so that an open reads it and the segments after that position
 * instead of every segment. datawal only and optional: the name does not match the segment pattern,
 * so the reference implementation ignores it, and a missing, damaged or stale snapshot only costs a
 * full scan.
 *
 * <p>Format, all integers little-endian:
 *
 * <pre>
 * offset          size  field
 *      0             8  magic          ASCII "DWKEYDIR" (44 57 4B 45 59 44 49 52)
 *      8             2  version        u16 = 1
 *     10             2  flags          u16 = 0
 *     12             4  segment_count  u32 N, at least 1
 *     16             8  last_txid      u64: at least the txid of every record in the covered
 *                                      part, below that of every record after it
 *     24             8  entry_count    u64 E
 *     32         28 * N segments, ascending by id, exactly the segments up to and including the
 *                       last one (S), the covered part being all of them, S up to its size:
 *                       +0  8  id          u64
 *                       +8  8  size        u64: bytes covered (the whole file for all but S)
 *                       +16 8  live_bytes  u64: the sum of frame_length of the entries in it
 *                       +24 4  tail_crc    u32: CRC-32 (IEEE, not Castagnoli) of the
 *                                          segment's bytes [max(0, size - 4096), size)
 * 32 + 28N  E entries, in no particular order, one per live key:
 *                       +0  4  key_len       u32, at most 65,536
 *                       +4  4  segment       u32, one of the ids above
 *                       +8  8  offset        u64: the frame of the key's latest Put
 *                       +16 4  frame_length  u32: at least 28 + key_len, offset + frame_length
 *                                            within the segment's covered size
 *                       +20 K  key
 * end - 4        4  crc            CRC-32C of every byte before it
 * </pre>
 *
 * The tail check is CRC-32, not the frames' CRC-32C, on purpose: every frame ends with the CRC-32C
 * of its own bytes, so the CRC-32C of a run of whole frames is the same for any contents of the
 * same frame lengths, and would not tell two segments apart.
 *
 * <p>An entry carries what the key directory holds and no more: no txid, which a get reads from the
 * frame itself. The live bytes per segment are what {@link SegmentUsage} holds; they are rebuilt
 * from the entries and the stored column is checked against them.
 *
 * <p>Written beside the segments by {@link #write}: streamed into {@code keydir.snapshot.tmp},
 * forced, renamed over {@code keydir.snapshot} atomically, and the directory is synced, so a crash
 * leaves the old snapshot, the new one, or a {@code .tmp} that the next open deletes.
 *
 * <p>Trusted at open ({@link Loader}) only if: the CRC, magic, version and structure check out; the
 * store's segment ids up to S are exactly the listed ones; every listed segment but S has exactly
 * its listed size and S at least its listed size; the tail CRC of each matches the file; and every
 * record the scan then reads after the covered part has a txid above last_txid (checked by {@link
 * Recovery}). Otherwise it is ignored (and deleted) and the whole log is read.
 *
 * <p>Not thread-safe; used by one open or one close at a time.
 */
public final class KeyDirectorySnapshot {
  /** The snapshot's file name in the store directory. */
  public static final String FILE_NAME = "keydir.snapshot";

  static final String TMP_NAME = FILE_NAME + ".tmp";
  static final byte[] MAGIC = "DWKEYDIR".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;

  static final int VERSION_OFFSET = MAGIC.length;
  static final int FLAGS_OFFSET = VERSION_OFFSET + 2;
  static final int SEGMENT_COUNT_OFFSET = FLAGS_OFFSET + 2;
  static final int LAST_TXID_OFFSET = SEGMENT_COUNT_OFFSET + 4;
  static final int ENTRY_COUNT_OFFSET = LAST_TXID_OFFSET + 8;
  static final int HEADER_SIZE = ENTRY_COUNT_OFFSET + 8;
  static final int SEGMENT_SIZE = 8 + 8 + 8 + 4;
  static final int ENTRY_HEADER_SIZE = 4 + 4 + 8 + 4;
  static final int CRC_SIZE = 4;

  /** How many bytes at the end of each covered segment the tail CRC covers. */
  static final int TAIL_CHECK = 4096;

  private static final int BUFFER = 256 * 1024; // holds the largest entry, 20 + 65,536 bytes
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  private KeyDirectorySnapshot() {}

  /** The snapshot file of the store in {@code dir}. */
  public static Path path(Path dir) {
    return dir.resolve(FILE_NAME);
  }

  /**
   * Writes a snapshot covering {@code sizes} (every segment up to the last covered one, with the
   * bytes covered), holding the entries of {@code copy} that lie in a covered segment, and makes it
   * durable.
   *
   * <p>The caller guarantees that the covered bytes are durable and will not change while this
   * runs, and that every entry of {@code copy} in a covered segment is the key's state as of the
   * end of the covered part (a key written after it may be left out or not: the scan at open
   * replays whatever follows).
   */
  public static void write(
      FileIo io, Path dir, SortedMap<Long, Long> sizes, long lastTxid, KeyDirectory.Copy copy)
      throws IOException {
    long last = sizes.lastKey();
    Map<Long, Long> live = new HashMap<>();
    long[] count = new long[1];
    copy.forEach(
        (chunk, from, keyLen, segment, offset, length) -> {
          if (segment <= last) {
            live.merge(segment, (long) length, Long::sum);
            count[0]++;
          }
        });
    Path tmp = dir.resolve(TMP_NAME);
    io.deleteIfExists(tmp);
    try (FileHandle out = io.openWrite(tmp, true)) {
      Output o = new Output(out);
      o.room(HEADER_SIZE);
      o.buf.put(MAGIC).putShort((short) VERSION).putShort((short) 0).putInt(sizes.size());
      o.buf.putLong(lastTxid).putLong(count[0]);
      for (Map.Entry<Long, Long> segment : sizes.entrySet()) {
        o.room(SEGMENT_SIZE);
        o.buf.putLong(segment.getKey()).putLong(segment.getValue());
        o.buf.putLong(live.getOrDefault(segment.getKey(), 0L));
        o.buf.putInt(tailCrc(io, dir, segment.getKey(), segment.getValue()));
      }
      copy.forEach(
          (chunk, from, keyLen, segment, offset, length) -> {
            if (segment <= last) {
              o.room(ENTRY_HEADER_SIZE + keyLen);
              o.buf.putInt(keyLen).putInt((int) segment).putLong(offset).putInt(length);
              o.buf.put(chunk, from, keyLen);
            }
          });
      o.finish();
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

  /** CRC-32 of the last {@link #TAIL_CHECK} bytes of the first {@code size} of a segment. */
  static int tailCrc(FileIo io, Path dir, long id, long size) throws IOException {
    try (FileHandle file = io.openRead(SegmentFiles.path(dir, id))) {
      return tailCrc(file, size);
    }
  }

  private static int tailCrc(FileHandle file, long size) throws IOException {
    long from = Math.max(0, size - TAIL_CHECK);
    ByteBuffer buf = ByteBuffer.allocate((int) (size - from));
    while (buf.hasRemaining()) {
      if (file.read(buf, from + buf.position()) < 0) {
        throw new EOFException("segment ends before " + size);
      }
    }
    CRC32 crc = new CRC32(); // not CRC32C: see the class comment
    crc.update(buf.flip());
    return (int) crc.getValue();
  }

  /** Streams bytes to the file through one buffer, keeping the CRC of everything written. */
  private static final class Output {
    final ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    final CRC32C crc = new CRC32C();
    final FileHandle out;
    long written;

    Output(FileHandle out) {
      this.out = out;
    }

    /** Makes room for {@code n} more bytes in the buffer. */
    void room(int n) throws IOException {
      if (buf.remaining() < n) {
        flush();
      }
    }

    void flush() throws IOException {
      buf.flip();
      crc.update(buf.duplicate());
      int n = buf.remaining();
      out.write(buf, written);
      written += n;
      buf.clear();
    }

    void finish() throws IOException {
      flush();
      buf.putInt((int) crc.getValue()).flip();
      out.write(buf, written);
      written += CRC_SIZE;
      buf.clear();
    }
  }

  /**
   * Loads a snapshot at open, as recovery's {@link Recovery.Resumer}: checks it against the store's
   * files, fills a key directory and usage from it, and starts both over empty if the snapshot is
   * missing, fails a check, or the scan after it refutes it. {@link #directory()} and {@link
   * #usage()} are what recovery must fill from then on.
   */
  public static final class Loader implements Recovery.Resumer {
    private final FileIo io;
    private final Path dir;
    private KeyDirectory directory = new KeyDirectory();
    private SegmentUsage usage = new SegmentUsage();
    private boolean used;

    public Loader(FileIo io, Path dir) {
      this.io = io;
      this.dir = dir;
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

    @Override
    public Recovery.Resume resume(List<Long> ids) throws IOException {
      io.deleteIfExists(dir.resolve(TMP_NAME)); // a write the last close did not finish
      Path file = path(dir);
      FileHandle handle;
      try {
        handle = io.openRead(file);
      } catch (NoSuchFileException e) {
        LOG.log(System.Logger.Level.DEBUG, "datawal: no key-directory snapshot in {0}", dir);
        return null;
      }
      try (handle) {
        Recovery.Resume resume = load(handle, ids);
        used = true;
        return resume;
      } catch (Rejected e) {
        reject(e.getMessage());
        return null;
      } catch (IOException e) {
        reject("it cannot be read: " + Errors.describe(e));
        return null;
      } catch (RuntimeException e) {
        reject("it cannot be loaded: " + e); // never let the snapshot fail an open
        return null;
      }
    }

    @Override
    public void abandon(String reason) {
      reject(reason);
    }

    private void reject(String reason) {
      LOG.log(
          System.Logger.Level.INFO,
          "datawal: ignoring the key-directory snapshot of {0} and reading every segment: {1}",
          dir,
          reason);
      directory = new KeyDirectory();
      usage = new SegmentUsage();
      used = false;
      try {
        io.deleteIfExists(path(dir)); // stale or damaged: the next close writes a new one
      } catch (IOException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "datawal: cannot delete the stale snapshot in " + dir + ": " + Errors.describe(e),
            e);
      }
    }

    private Recovery.Resume load(FileHandle file, List<Long> ids) throws IOException, Rejected {
      long fileSize = file.size();
      Input in = new Input(file, fileSize);
      int h = in.next(HEADER_SIZE);
      ByteBuffer header = in.buf;
      if (!java.util.Arrays.equals(header.array(), h, h + MAGIC.length, MAGIC, 0, MAGIC.length)) {
        throw new Rejected("bad magic");
      }
      int version = Short.toUnsignedInt(header.getShort(h + VERSION_OFFSET));
      if (version != VERSION) {
        throw new Rejected("unsupported version " + version);
      }
      if (header.getShort(h + FLAGS_OFFSET) != 0) {
        throw new Rejected("non-zero flags");
      }
      long segmentCount = Integer.toUnsignedLong(header.getInt(h + SEGMENT_COUNT_OFFSET));
      long lastTxid = header.getLong(h + LAST_TXID_OFFSET);
      long entryCount = header.getLong(h + ENTRY_COUNT_OFFSET);
      if (segmentCount == 0
          || segmentCount > (fileSize - HEADER_SIZE - CRC_SIZE) / SEGMENT_SIZE
          || entryCount < 0
          || entryCount > (fileSize - HEADER_SIZE - CRC_SIZE) / ENTRY_HEADER_SIZE
          || lastTxid < 0) {
        throw new Rejected("counts do not fit the file's size of " + fileSize + " bytes");
      }
      SortedMap<Long, Long> sizes = new TreeMap<>();
      long[] listed = new long[(int) segmentCount];
      long[] coveredSizes = new long[listed.length];
      long[] liveListed = new long[listed.length];
      int[] tailCrcs = new int[listed.length];
      for (int i = 0; i < listed.length; i++) {
        int at = in.next(SEGMENT_SIZE);
        ByteBuffer b = in.buf;
        listed[i] = b.getLong(at);
        coveredSizes[i] = b.getLong(at + 8);
        liveListed[i] = b.getLong(at + 16);
        tailCrcs[i] = b.getInt(at + 24);
        if (listed[i] < 1
            || listed[i] > SegmentFiles.MAX_ID
            || coveredSizes[i] < 0
            || (i > 0 && listed[i] <= listed[i - 1])) {
          throw new Rejected("segment table out of order or out of range at segment " + listed[i]);
        }
        sizes.put(listed[i], coveredSizes[i]);
      }
      // Loaded straight into a directory sized for it; nothing else sees it until the open ends.
      directory = new KeyDirectory((int) Math.min(entryCount, Integer.MAX_VALUE));
      long[] liveFound = new long[listed.length];
      for (long i = 0; i < entryCount; i++) {
        int at = in.next(ENTRY_HEADER_SIZE);
        ByteBuffer b = in.buf;
        int keyLen = b.getInt(at);
        long segment = Integer.toUnsignedLong(b.getInt(at + 4));
        long offset = b.getLong(at + 8);
        int length = b.getInt(at + 16);
        int s = java.util.Arrays.binarySearch(listed, segment);
        if (keyLen < 0
            || keyLen > FrameFormat.MAX_KEY_LEN
            || s < 0
            || length < FrameFormat.frameLength(keyLen, 0)
            || offset < 0
            || offset > coveredSizes[s] - length) {
          throw new Rejected("entry " + i + " is out of range");
        }
        int key = in.next(keyLen);
        if (directory.load(true, in.buf.array(), key, keyLen, segment, offset, length)
            != KeyDirectory.NONE) {
          throw new Rejected("entry " + i + " repeats a key");
        }
        liveFound[s] += length;
      }
      int expected = in.crc();
      int actual = in.buf.getInt(in.next(CRC_SIZE));
      if (in.position() != fileSize) {
        throw new Rejected((fileSize - in.position()) + " bytes follow the CRC");
      }
      if (actual != expected) {
        throw new Rejected(
            "CRC mismatch: stored "
                + Integer.toHexString(actual)
                + ", computed "
                + Integer.toHexString(expected));
      }
      for (int i = 0; i < listed.length; i++) {
        if (liveListed[i] != liveFound[i]) {
          throw new Rejected("live bytes of segment " + listed[i] + " do not add up");
        }
        if (liveFound[i] > 0) {
          usage.addedAll(listed[i], liveFound[i]);
        }
      }
      checkFiles(ids, sizes, tailCrcs);
      return new Recovery.Resume(sizes, lastTxid, directory.size());
    }

    /** Checks the covered segments against the files: ids, sizes, tail CRCs. */
    private void checkFiles(List<Long> ids, SortedMap<Long, Long> sizes, int[] tailCrcs)
        throws IOException, Rejected {
      long last = sizes.lastKey();
      List<Long> present = ids.stream().filter(id -> id <= last).toList();
      if (!present.equals(List.copyOf(sizes.keySet()))) {
        throw new Rejected(
            "it covers segments " + sizes.keySet() + " but the store holds " + present);
      }
      int i = 0;
      for (Map.Entry<Long, Long> segment : sizes.entrySet()) {
        long id = segment.getKey();
        long size = segment.getValue();
        try (FileHandle file = io.openRead(SegmentFiles.path(dir, id))) {
          long actual = file.size();
          if (id == last ? actual < size : actual != size) {
            throw new Rejected(
                "segment " + id + " has " + actual + " bytes, the snapshot covers " + size);
          }
          if (tailCrc(file, size) != tailCrcs[i]) {
            throw new Rejected("segment " + id + " does not end as it did (tail CRC)");
          }
        }
        i++;
      }
    }
  }

  /** A reason to ignore the snapshot. */
  private static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    Rejected(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Reads the file front to back through one buffer, keeping the CRC of what was consumed. */
  private static final class Input {
    private final FileHandle file;
    private final long size;
    final ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long filePos; // where buf's contents end in the file
    private int crcMark; // bytes of buf before this are in the CRC

    Input(FileHandle file, long size) {
      this.file = file;
      this.size = size;
      buf.limit(0);
    }

    /** Makes the next {@code n} bytes available in {@link #buf}, consumes them, returns where. */
    int next(int n) throws IOException, Rejected {
      if (buf.remaining() < n) {
        crc.update(buf.array(), crcMark, buf.position() - crcMark);
        buf.compact();
        crcMark = 0;
        while (buf.position() < n) {
          int read = filePos >= size ? -1 : file.read(buf, filePos);
          if (read < 0) {
            throw new Rejected("truncated at byte " + (filePos - buf.position()));
          }
          filePos += read;
        }
        buf.flip();
      }
      int at = buf.position();
      buf.position(at + n);
      return at;
    }

    /** The CRC of every byte consumed so far. */
    int crc() {
      crc.update(buf.array(), crcMark, buf.position() - crcMark);
      crcMark = buf.position();
      return (int) crc.getValue();
    }

    /** How many bytes were consumed. */
    long position() {
      return filePos - buf.remaining();
    }
  }
}
