package dev.datawal.powerloss;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A log written by the kernel's {@code dm-log-writes} target: every write, flush, FUA, discard and
 * mark that reached the data device, in the order the device completed them (a write is logged once
 * a flush has made it stable, so the log is the order in which data could survive a power cut).
 *
 * <p>Layout (Linux {@code drivers/md/dm-log-writes.c} and {@code
 * Documentation/admin-guide/device-mapper/log-writes.rst}), little-endian, {@code S} the data
 * device's logical block size:
 *
 * <ul>
 *   <li>bytes {@code [0, S)}: the super: {@code magic} u64 (0x6a736677736872), {@code version} u64
 *       (1), {@code nr_entries} u64, {@code sectorsize} u32 (= {@code S}). The kernel rewrites it
 *       after each FUA or mark entry and when the target is removed, so entries after the last such
 *       one are not counted.
 *   <li>then {@code nr_entries} entries, each a block of {@code S} bytes: {@code sector} u64 and
 *       {@code nr_sectors} u64 (in units of {@code S}), {@code flags} u64 (FLUSH 1, FUA 2, DISCARD
 *       4, MARK 8, METADATA 16), {@code data_len} u64; a mark's label ({@code data_len} bytes)
 *       follows in the same block;
 *   <li>each entry but a discard is followed by its {@code nr_sectors * S} bytes of data, written
 *       at byte {@code sector * S} of the data device.
 * </ul>
 *
 * <p>Not thread-safe.
 */
final class WriteLog implements Closeable {
  static final long MAGIC = 0x6a736677736872L;
  static final long VERSION = 1;
  static final long FLUSH = 1;
  static final long FUA = 1 << 1;
  static final long DISCARD = 1 << 2;
  static final long MARK = 1 << 3;
  static final long METADATA = 1 << 4;
  static final int HEADER_BYTES = 32;
  private static final int CHUNK = 1 << 20;

  /**
   * One logged operation.
   *
   * @param index its place in the log, from 0: replaying entries {@code 0..index} gives the device
   *     as it was just after this operation completed
   * @param sector where it wrote, in blocks of the log's sector size
   * @param sectors how many blocks it wrote (or discarded)
   * @param flags FLUSH, FUA, DISCARD, MARK, METADATA
   * @param mark a mark's label; empty for any other entry
   * @param dataAt where its data starts in the log, in bytes
   */
  record Entry(long index, long sector, long sectors, long flags, String mark, long dataAt) {
    boolean is(long flag) {
      return (flags & flag) != 0;
    }

    /** Whether this entry made earlier writes stable: a power cut after it keeps them. */
    boolean durabilityPoint() {
      return is(FLUSH) || is(FUA);
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder().append(index);
      s.append(is(FLUSH) ? " flush" : "").append(is(FUA) ? " fua" : "");
      s.append(is(DISCARD) ? " discard" : "").append(is(METADATA) ? " metadata" : "");
      if (is(MARK)) {
        return s.append(" mark ").append(mark).toString();
      }
      if (sectors > 0) {
        s.append(is(DISCARD) ? " " : " write ").append(sector).append('+').append(sectors);
      }
      return s.toString();
    }
  }

  private final Path path;
  private final FileChannel channel;
  private final int sectorSize;
  private final long entryCount;

  private WriteLog(Path path, FileChannel channel, int sectorSize, long entryCount) {
    this.path = path;
    this.channel = channel;
    this.sectorSize = sectorSize;
    this.entryCount = entryCount;
  }

  /**
   * Opens the log at {@code path} (a log device or a copy of one) and checks its super.
   *
   * @throws IOException if it is not a dm-log-writes log of version 1, saying what was found
   */
  static WriteLog open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      ByteBuffer superBlock = read(channel, path, 0, HEADER_BYTES, "the super");
      long magic = superBlock.getLong(0);
      long version = superBlock.getLong(8);
      long entries = superBlock.getLong(16);
      int sectorSize = superBlock.getInt(24);
      if (magic != MAGIC) {
        throw new IOException(
            path
                + ": not a dm-log-writes log (magic 0x"
                + Long.toHexString(magic)
                + " at byte 0, expected 0x"
                + Long.toHexString(MAGIC)
                + ")");
      }
      if (version != VERSION) {
        throw new IOException(path + ": log version " + version + " at byte 8, only 1 is known");
      }
      if (sectorSize < 512 || sectorSize > 65536 || Integer.bitCount(sectorSize) != 1) {
        throw new IOException(
            path + ": sector size " + sectorSize + " at byte 24 is not a power of 2 in [512, 64K]");
      }
      if (entries < 0) {
        throw new IOException(path + ": negative entry count " + entries + " at byte 16");
      }
      return new WriteLog(path, channel, sectorSize, entries);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The data device's logical block size, the unit of every entry's sector and length. */
  int sectorSize() {
    return sectorSize;
  }

  /** How many entries the super counts. */
  long entryCount() {
    return entryCount;
  }

  /**
   * Every entry the super counts, without their data.
   *
   * @throws IOException if an entry is cut short or has flags this reader does not know, naming it
   *     and its byte offset
   */
  List<Entry> entries() throws IOException {
    List<Entry> entries = new ArrayList<>();
    long at = sectorSize;
    for (long i = 0; i < entryCount; i++) {
      ByteBuffer block = read(channel, path, at, sectorSize, "entry " + i);
      long sector = block.getLong(0);
      long sectors = block.getLong(8);
      long flags = block.getLong(16);
      long dataLength = block.getLong(24);
      String where = path + ": entry " + i + " at byte " + at;
      if ((flags & ~(FLUSH | FUA | DISCARD | MARK | METADATA)) != 0) {
        throw new IOException(where + ": unknown flags 0x" + Long.toHexString(flags));
      }
      if (sector < 0 || sectors < 0 || sectors > Long.MAX_VALUE / sectorSize) {
        throw new IOException(where + ": impossible range " + sector + "+" + sectors);
      }
      String mark = "";
      if ((flags & MARK) != 0) {
        if (dataLength < 0 || dataLength > sectorSize - HEADER_BYTES) {
          throw new IOException(where + ": mark of " + dataLength + " bytes does not fit a block");
        }
        byte[] label = new byte[(int) dataLength];
        block.get(HEADER_BYTES, label);
        mark = new String(label, StandardCharsets.US_ASCII);
      } else if (dataLength != 0) {
        // Inline data (a DAX device's writes), which file systems on a block device never log.
        throw new IOException(where + ": inline data (" + dataLength + " bytes) is not supported");
      }
      at += sectorSize;
      entries.add(new Entry(i, sector, sectors, flags, mark, at));
      if ((flags & DISCARD) == 0) {
        at += sectors * sectorSize;
      }
    }
    return entries;
  }

  /**
   * Does to {@code target} (the data device, or a copy of it) what {@code entry} did: writes its
   * data at its sector, or zeros over a discarded range (what a discarded block reads as is not
   * defined; zeros are what replay tools write where the device cannot discard). Flushes and marks
   * change nothing.
   */
  void apply(Entry entry, FileChannel target) throws IOException {
    long length = entry.sectors() * sectorSize;
    long to = entry.sector() * sectorSize;
    if (entry.is(MARK) || length == 0) {
      return;
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(length, CHUNK));
    for (long done = 0; done < length; ) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), length - done));
      if (!entry.is(DISCARD)) {
        readFully(
            channel, buffer, entry.dataAt() + done, path + ": the data of entry " + entry.index());
        buffer.flip();
      }
      int n = buffer.remaining();
      while (buffer.hasRemaining()) {
        target.write(buffer, to + done + n - buffer.remaining());
      }
      done += n;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private static ByteBuffer read(FileChannel channel, Path path, long at, int length, String what)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, buffer, at, path + ": " + what + " at byte " + at);
    return buffer;
  }

  /**
   * Fills {@code buffer} from byte {@code at}; a short log is an error: {@code what} runs past it.
   */
  private static void readFully(FileChannel channel, ByteBuffer buffer, long at, String what)
      throws IOException {
    int start = buffer.position();
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, at + buffer.position() - start) < 0) {
        throw new EOFException(what + " runs past the end of the log");
      }
    }
  }
}
