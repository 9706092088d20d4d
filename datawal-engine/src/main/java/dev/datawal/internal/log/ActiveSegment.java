package dev.datawal.internal.log;

import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentTail;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The segment a writer appends to. The writer serializes appends; {@link #force()} may run on
 * another thread at the same time as an append, and at the same time as {@link #seal()}.
 *
 * <p>Design: a concurrent fsync may still hold this segment after a rotation sealed it. Sealing
 * forces the file before closing it, so a later {@link #force()} of a sealed segment has nothing to
 * do and returns; both are synchronized so a force never meets a half-closed file.
 */
public final class ActiveSegment {
  private final long id;
  private final Path path;
  private final FileHandle handle;
  private long size;
  private boolean sealed;

  ActiveSegment(long id, Path path, FileHandle handle, long size) {
    this.id = id;
    this.path = path;
    this.handle = handle;
    this.size = size;
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

  /** Writes {@code frame} at the end. The caller serializes appends and poisons on failure. */
  public long append(ByteBuffer frame) throws IOException {
    long offset = size;
    int length = frame.remaining();
    handle.write(frame, offset);
    size = offset + length;
    return offset;
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
      handle.force();
    }
  }

  /** Forces the segment and closes it for good: it will never be written again. */
  public synchronized void seal() throws IOException {
    if (sealed) {
      return;
    }
    handle.force();
    sealed = true;
    handle.close();
  }

  /** Closes without forcing (the writer is poisoned or already forced). Idempotent. */
  public synchronized void close() throws IOException {
    if (!sealed) {
      sealed = true;
      handle.close();
    }
  }
}
