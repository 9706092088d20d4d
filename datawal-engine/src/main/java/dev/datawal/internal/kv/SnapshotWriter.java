package dev.datawal.internal.kv;

import static dev.datawal.internal.kv.SnapshotFormat.CRC_SIZE;
import static dev.datawal.internal.kv.SnapshotFormat.FLAG_CLOSED;
import static dev.datawal.internal.kv.SnapshotFormat.KEY_LEN_BITS;
import static dev.datawal.internal.kv.SnapshotFormat.MAGIC;
import static dev.datawal.internal.kv.SnapshotFormat.PAGE_CRC_SIZE;
import static dev.datawal.internal.kv.SnapshotFormat.PAGE_SIZE;
import static dev.datawal.internal.kv.SnapshotFormat.SLOT_SIZE;
import static dev.datawal.internal.kv.SnapshotFormat.VERSION;

import dev.datawal.internal.format.SegmentTail;
import dev.datawal.internal.io.DurableFiles;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SortedMap;
import java.util.zip.CRC32C;

/**
 * Writes a key-directory snapshot beside the segments, laid out as {@link SnapshotFormat}
 * describes, from a {@link DirectoryCopy}: streamed into {@code keydir.snapshot.tmp} (data region
 * first, head last), forced, renamed over {@code keydir.snapshot} atomically, and the directory is
 * synced, so a crash leaves the old snapshot, the new one, or a {@code .tmp} that the next open
 * deletes.
 *
 * <p>Stateless; one write at a time per store (by its close or its compaction).
 */
public final class SnapshotWriter {
  private static final int BUFFER = 256 * 1024; // a multiple of PAGE_SIZE; holds the largest key

  private SnapshotWriter() {}

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
    long[] covered = sizes.values().stream().mapToLong(Long::longValue).toArray(); // in ids order
    long homeSlots = SnapshotFormat.homeSlots(copy.size());
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
        hash -> counts[2] = Math.max(SnapshotFormat.home(hash, homeSlots), counts[2]) + 1);
    long entries = counts[0];
    long arenaSize = counts[1];
    long slotCount = Math.max(homeSlots, counts[2]);
    long arenaOffset = SnapshotFormat.pageAligned(slotCount * SLOT_SIZE);
    long dataSize = arenaOffset + arenaSize;
    int pages = Math.toIntExact((dataSize + PAGE_SIZE - 1) / PAGE_SIZE);
    long dataOffset = SnapshotFormat.headSize(ids.length, pages);
    int[] pageCrcs = new int[pages];

    // The data region streamed, the head last, then forced, renamed and the directory synced.
    DurableFiles.replace(
        io,
        KeyDirectorySnapshot.path(dir),
        dir.resolve(KeyDirectorySnapshot.TMP_NAME),
        out -> {
          // Second pass: the slots and the arena, each streamed in order.
          PageStream slots = new PageStream(out, dataOffset, 0, pageCrcs);
          PageStream arena =
              new PageStream(
                  out, dataOffset + arenaOffset, (int) (arenaOffset / PAGE_SIZE), pageCrcs);
          long[] next = new long[2]; // next slot, next arena offset
          copy.forEachByHash(
              last,
              (hash, chunk, from, keyLen, segment, offset, length) -> {
                if (segment <= last) {
                  long slot = Math.max(SnapshotFormat.home(hash, homeSlots), next[0]);
                  slots.zeros((slot - next[0]) * SLOT_SIZE);
                  slots.room(SLOT_SIZE);
                  slots.buf.putInt(length).putInt(hash);
                  slots.buf.putLong(segment << Place.OFFSET_BITS | offset);
                  slots.buf.putLong(next[1] << KEY_LEN_BITS | keyLen);
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
            head.putLong(ids[i]).putLong(covered[i]).putLong(live[i]);
            head.putInt(SegmentTail.crc(io, dir, ids[i], covered[i]));
          }
          head.asIntBuffer().put(pageCrcs);
          head.position(head.position() + PAGE_CRC_SIZE * pageCrcs.length);
          CRC32C crc = new CRC32C();
          crc.update(head.array(), 0, head.capacity() - CRC_SIZE);
          head.putInt(head.capacity() - CRC_SIZE, (int) crc.getValue());
          head.clear();
          out.write(head, 0);
        },
        DurableFiles.Check.NONE);
  }

  private static int segmentIndex(long[] ids, long segment) {
    int s = Arrays.binarySearch(ids, segment);
    if (s < 0) {
      throw new IllegalStateException("an entry lies in segment " + segment + ", not listed");
    }
    return s;
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
      Arrays.fill(bytes, 0, n, (byte) 0);
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
}
