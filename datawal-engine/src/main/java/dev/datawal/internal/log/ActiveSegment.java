package dev.datawal.internal.log;

import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentTail;
import dev.datawal.internal.format.UnwrittenSpace;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.io.MappedView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The segment a writer appends to. The writer serializes appends; {@link #force()} may run on
 * another thread at the same time as an append, and at the same time as {@link #seal()}.
 *
 * <p>Preallocation: the file is kept ahead of its data by zeros, written (not a sparse size change)
 * up to the next multiple of {@link #PREALLOCATION}, in stores whose segment size is at least that;
 * a frame larger than a step is written as before. A sync then overwrites blocks the file system
 * has already allocated and sized, and {@code fdatasync} has no file size to commit, which makes it
 * cheaper (PostgreSQL's {@code wal_init_zero}, RocksDB's recycled logs). Zeros that do not fit (a
 * full disk) are taken back and the frame is written directly: whether it fits decides, as without
 * preallocation.
 *
 * <p>While syncs are rare (the last force came at least {@link #OFTEN} bytes after the one before:
 * {@code MANUAL} and {@code INTERVAL} at any real rate, where the early write-back forces every 8
 * MiB), frames go into a shared, writable mapping of the preallocated part where the file system
 * allows one ({@link FileHandle#mapForWriting}): no system call per append, and a frame is in the
 * page cache, visible to every reader and surviving a killed process, as soon as it is copied; the
 * file's {@code force} makes it durable like a written one. Not where every append is synced: after
 * each {@code fdatasync} the kernel write-protects the mapped pages again, so the next copy takes a
 * page fault and a journal handle (ext4's {@code page_mkwrite}); measured, a synced append through
 * the mapping ran at a third of the rate of one {@code pwrite} into the same zeros. So while syncs
 * are frequent ({@code ALWAYS}, or {@code fsync()} after each append) frames are written into the
 * zeros with {@code pwrite}; both ways write the same page cache. Sealing and a clean close cut the
 * file back to its data ({@link #seal()}), so sealed segments and a cleanly closed store are plain
 * DWAL v1; after a crash, the zeros past the data are unwritten space ({@link UnwrittenSpace}),
 * which recovery cuts off without calling it damage (see {@code docs/format.md}).
 *
 * <p>Design: a concurrent fsync may still hold this segment after a rotation sealed it. Sealing
 * forces the file before closing it, so a later {@link #force()} of a sealed segment has nothing to
 * do and returns; both are synchronized so a force never meets a half-closed file. The mapping is
 * used and replaced only by appends, sealing and closing, which the writer serializes.
 */
public final class ActiveSegment {
  /** Fewer bytes than this between two forces, and appends write rather than copy (see above). */
  static final long OFTEN = 64 * 1024;

  /** How far ahead of its data the file is zero-filled, at most; its zeros end at a multiple. */
  static final int PREALLOCATION = UnwrittenSpace.STEP;

  /** A step of zeros, allocated by the first writer that preallocates. */
  private static final class Zeros {
    static final ByteBuffer STEP = ByteBuffer.allocateDirect(PREALLOCATION).asReadOnlyBuffer();
  }

  private final long id;
  private final Path path;
  private final FileHandle handle;
  private long size;
  private long allocated; // the file's length: the data, then zeros
  private @Nullable MappedView window; // of [windowStart, windowEnd), written in place
  private long windowStart;
  private long windowEnd;
  private boolean sealed;
  private long sizeAtLastForce; // guarded by this
  // Whether the last force came less than OFTEN bytes after the one before: appends then write
  // rather than copy into the mapping. Written by forces, read by appends.
  private volatile boolean syncedOften;

  /**
   * @param size the data's length, which the file's length must be (recovery cut off the rest)
   */
  ActiveSegment(long id, Path path, FileHandle handle, long size) {
    this.id = id;
    this.path = path;
    this.handle = handle;
    this.size = size;
    this.allocated = size;
  }

  /**
   * Creates segment {@code id} in {@code dir}. The new directory entry is not durable yet: the
   * caller syncs the directory before it reports anything in this segment durable.
   */
  public static ActiveSegment create(FileIo io, Path dir, long id) throws IOException {
    Path path = SegmentFiles.path(dir, id);
    return new ActiveSegment(id, path, io.openWrite(path, true), 0);
  }

  public long id() {
    return id;
  }

  public Path path() {
    return path;
  }

  /** Bytes written so far: where the next frame goes. Guarded by the writer's lock. */
  public long size() {
    return size;
  }

  /**
   * Writes {@code frame} at the end. The caller serializes appends and poisons on failure.
   *
   * @param segmentSize the segment size: segments smaller than a step are not preallocated
   */
  public long append(ByteBuffer frame, long segmentSize) throws IOException {
    long offset = size;
    int length = frame.remaining();
    if (offset + length > allocated) {
      // A frame this large fills a step by itself; segments this small are not preallocated; and
      // on a disk too full for a step of zeros, the frame may still fit.
      if (length > PREALLOCATION || segmentSize < PREALLOCATION || !preallocated(offset + length)) {
        handle.write(frame, offset);
        size = offset + length;
        allocated = size;
        return offset;
      }
    }
    MappedView view = window;
    if (view != null && !syncedOften && offset >= windowStart && offset + length <= windowEnd) {
      view.buffer().put((int) (offset - windowStart), frame, frame.position(), length);
      frame.position(frame.limit());
    } else {
      handle.write(frame, offset);
    }
    size = offset + length;
    return offset;
  }

  /** Whether {@link #preallocate} succeeded; if not, the file is as it was. */
  private boolean preallocated(long needed) {
    try {
      preallocate(needed);
      return true;
    } catch (IOException e) {
      return false; // the frame's own write says whether the disk is full
    }
  }

  /**
   * Writes zeros from the end of the file to the next multiple of {@link #PREALLOCATION} at or
   * after {@code needed} ({@link UnwrittenSpace}: recovery knows the zeros by where they end), then
   * maps the part past the data for writing. Zeros that fail to write are cut off again.
   */
  private void preallocate(long needed) throws IOException {
    long end = UnwrittenSpace.stepEnd(needed);
    releaseWindow();
    long before = allocated;
    try {
      while (allocated < end) { // one write unless the frame spans two steps
        ByteBuffer zeros = Zeros.STEP.duplicate();
        zeros.limit((int) Math.min(zeros.capacity(), end - allocated));
        int n = zeros.remaining();
        handle.write(zeros, allocated);
        allocated += n;
      }
    } catch (IOException e) {
      // A full disk: leave the file as it was, not ending in zeros that recovery would have to
      // keep as a torn tail (and need free space for).
      allocated = before;
      try {
        handle.truncate(before);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    window = handle.mapForWriting(size, allocated - size);
    windowStart = size;
    windowEnd = allocated;
  }

  private void releaseWindow() {
    MappedView view = window;
    window = null;
    if (view != null) {
      view.release();
    }
  }

  /**
   * The {@link SegmentTail} check of what is written so far. The caller holds the writer's lock.
   */
  public synchronized int tailCrc() throws IOException {
    return SegmentTail.crc(handle, size);
  }

  /** Makes every byte written so far durable; nothing to do once sealed. */
  public synchronized void force() throws IOException {
    if (!sealed) {
      // Read without the writer's lock: a heuristic only (a 64-bit JVM never tears the long).
      long at = size;
      syncedOften = at - sizeAtLastForce < OFTEN;
      sizeAtLastForce = at;
      handle.force();
    }
  }

  /**
   * A clean close after the final force: cuts the preallocated zeros off and forces the cut, if
   * there are any, then closes. Idempotent.
   */
  public synchronized void closeCleanly() throws IOException {
    if (allocated > size) {
      seal();
    } else {
      close();
    }
  }

  /**
   * Cuts the preallocated zeros off, forces the segment and closes it for good: it will never be
   * written again.
   */
  public synchronized void seal() throws IOException {
    if (sealed) {
      return;
    }
    releaseWindow();
    if (allocated > size) {
      handle.truncate(size);
      allocated = size;
    }
    handle.force();
    sealed = true;
    handle.close();
  }

  /**
   * Closes without forcing (the writer is poisoned or already forced). Idempotent. The zeros past
   * the data are cut off if the file system lets it, without a force: they are harmless either way,
   * the next open cuts what is left (unwritten space, see {@link UnwrittenSpace}), and a poisoned
   * writer must not force again.
   */
  public synchronized void close() throws IOException {
    if (!sealed) {
      sealed = true;
      releaseWindow();
      try {
        if (allocated > size) {
          handle.truncate(size);
        }
      } catch (IOException e) {
        // Left for the next open, as after a crash.
      } finally {
        handle.close();
      }
    }
  }
}
