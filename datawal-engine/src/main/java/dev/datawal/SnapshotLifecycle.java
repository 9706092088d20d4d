package dev.datawal;

import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.kv.DirectoryCopy;
import dev.datawal.internal.kv.KeyDirectory;
import dev.datawal.internal.kv.KeyDirectorySnapshot;
import dev.datawal.internal.kv.SnapshotWriter;
import dev.datawal.internal.log.LogWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * The key-directory snapshot of a {@link DataWal} over the store's life: whether one may be on disk
 * and what it covers, deleting it before compaction changes a segment it covers, writing a new one
 * after compaction and at close. The snapshot's format and trust rules are in {@code
 * internal.kv.SnapshotFormat}.
 *
 * <p>Guarded by the store's compaction lock: compaction and close hold it; the open sets the state
 * before the store is shared.
 */
final class SnapshotLifecycle {
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  private final FileIo io;
  private final RecordLog log;
  private final KeyDirectory directory;

  /** Whether a key-directory snapshot may be on disk; compaction deletes it before a change. */
  private boolean onDisk;

  /**
   * What the snapshot on disk covers (segment id to size), if this store wrote or loaded it; a
   * close that finds the log exactly so, with the directory still reading it, need not rewrite it.
   */
  private @Nullable SortedMap<Long, Long> covers;

  SnapshotLifecycle(
      FileIo io,
      RecordLog log,
      KeyDirectory directory,
      boolean onDisk,
      @Nullable SortedMap<Long, Long> covers) {
    this.io = io;
    this.log = log;
    this.directory = directory;
    this.onDisk = onDisk;
    this.covers = covers;
  }

  boolean onDisk() {
    return onDisk;
  }

  /**
   * Deletes the snapshot, durably, if one may be on disk: it describes the segments as they are
   * now, and an open after a crash must never trust it against a changed segment.
   */
  void deleteBeforeASegmentChanges() throws IOException {
    if (onDisk) {
      KeyDirectorySnapshot.delete(io, log.dir());
      onDisk = false;
      covers = null;
    }
  }

  /**
   * Writes a key-directory snapshot covering the sealed segments, while writes go on; the caller
   * holds compactionLock, so no sealed segment changes meanwhile. The directory is copied after the
   * sealed segments are listed: an entry in a listed segment then still shows its key's state as of
   * the end of those segments (a later write would have moved it on), and keys written since are
   * left out or not, the open replaying everything after the listed segments either way. That
   * replay must find every write the copy reflects, so the log is fsynced after the copy and before
   * the snapshot is written: otherwise a write that moved a key out of the listed segments could be
   * lost in a crash while the snapshot, left without the key, survives, and the key would be gone
   * with both its old and new value. A failure only costs the next open a full scan: it is logged,
   * never thrown.
   */
  void writeOfSealedSegments() {
    if (log.isClosed()) {
      return; // the directory lock may be gone: write nothing into the store
    }
    LogWriter.Sealed sealed = log.writer().sealed();
    if (sealed.sizes().isEmpty()) {
      return;
    }
    try {
      DirectoryCopy copy = directory.copy();
      log.fsync(); // every write the copy reflects is durable before the snapshot exists
      SnapshotWriter.write(io, log.dir(), sealed.sizes(), sealed.lastTxid(), copy, false);
      onDisk = true;
      covers = sealed.sizes();
    } catch (IOException | RuntimeException e) {
      notWritten(" after compaction", e);
    }
  }

  /**
   * Writes the key-directory snapshot as the log closes: every append is barred and durable, and
   * the lock still held, so the snapshot covers every segment whole (and says so: the next open
   * need not force what it covers). The caller, close, holds compactionLock, so no segment changes
   * meanwhile. Skipped if the snapshot on disk is still the one the directory reads and the log is
   * exactly what it covers. A failure only costs the next open a full scan: it is logged, never
   * thrown.
   */
  void writeAtClose() {
    try {
      SortedMap<Long, Long> sizes = log.writer().segmentSizesEvenIfClosed();
      if (onDisk
          && sizes.equals(covers)
          && directory.readsSnapshot()
          && io.kind(KeyDirectorySnapshot.path(log.dir())) == FileIo.Kind.FILE) {
        // Nothing written or moved since the snapshot this store reads: it still says it all.
        return;
      }
      SnapshotWriter.write(io, log.dir(), sizes, log.writer().lastTxid(), directory.copy(), true);
      onDisk = true;
      covers = sizes;
    } catch (IOException | RuntimeException e) {
      notWritten("", e);
    }
  }

  /** A snapshot that could not be written only costs the next open a full scan: a warning. */
  private void notWritten(String when, Exception e) {
    LOG.log(
        System.Logger.Level.WARNING,
        "datawal: could not write the key-directory snapshot of "
            + log.dir()
            + when
            + " (the next open reads every segment): "
            + e,
        e);
  }

  /** Whether a snapshot file may be in {@code dir}: when in doubt, yes. */
  static boolean filePresent(FileIo io, Path dir) {
    try {
      return io.kind(KeyDirectorySnapshot.path(dir)) != FileIo.Kind.MISSING;
    } catch (IOException e) {
      return true; // when in doubt, compaction deletes it first
    }
  }
}
