package dev.datawal;

import dev.datawal.internal.ActiveSegment;
import dev.datawal.internal.DirectoryLock;
import dev.datawal.internal.Errors;
import dev.datawal.internal.FileIo;
import dev.datawal.internal.FrameFormat;
import dev.datawal.internal.LogScanner;
import dev.datawal.internal.Recovery;
import dev.datawal.internal.ScanIterator;
import dev.datawal.internal.SegmentFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A durable, append-only log of records in a store directory, in the DWAL v1 format.
 *
 * <p>{@link #open(Path)} takes the directory's exclusive lock and recovers the longest valid prefix
 * of the log: a torn tail left by a crash is moved to an evidence file and cut off, so new appends
 * follow the valid records directly. Appends are readable at once and durable once {@link #fsync()}
 * returns. The writer starts a new segment file by itself before an append would take the active
 * one past {@link DatawalOptions#maxSegmentSize()}.
 *
 * <p>If a write, fsync or rotation fails, the writer is poisoned: every later change throws {@link
 * WriterPoisonedException}, reads keep working, and reopening the store recovers it.
 *
 * <p>Thread-safe: appends from many threads are serialized (txids increase in file order), an
 * {@link #fsync()} does not hold up appends while the disk works, and scans read a consistent
 * prefix without blocking writers.
 */
public final class RecordLog implements AutoCloseable {
  /** The largest key a record may have, in bytes. */
  public static final int MAX_KEY_LEN = FrameFormat.MAX_KEY_LEN;

  /** The largest payload a record may have, in bytes. */
  public static final int MAX_PAYLOAD_LEN = FrameFormat.MAX_PAYLOAD_LEN;

  private static final byte[] EMPTY = new byte[0];

  /*
   * Locking: writeLock guards the append state (active, sealed, nextTxid, dirVersion, closed).
   * syncLock serializes forces and guards durableTxid and syncedDirVersion. Order: syncLock before
   * writeLock; appends take writeLock only, so they never wait for a force in progress.
   */
  private final FileIo io;
  private final Path dir;
  private final DatawalOptions options;
  private final DirectoryLock lock;
  private final RecoveryReport recoveryReport;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ReentrantLock syncLock = new ReentrantLock();

  private final List<Long> sealed;
  private ActiveSegment active;
  private long nextTxid;
  private long dirVersion;
  private boolean closed;

  private long durableTxid;
  private long syncedDirVersion;

  private final AtomicReference<WriterPoisonedException> poison = new AtomicReference<>();

  private RecordLog(
      FileIo io, Path dir, DatawalOptions options, DirectoryLock lock, Recovery.Result recovered) {
    this.io = io;
    this.dir = dir;
    this.options = options;
    this.lock = lock;
    this.recoveryReport = recovered.report();
    this.sealed = new ArrayList<>(recovered.sealed());
    this.active = recovered.active();
    this.nextTxid = recoveryReport.lastTxidSeen() + 1;
    this.durableTxid = recoveryReport.lastTxidSeen(); // recovery forced what it found
  }

  /**
   * Opens the store in {@code dir} with default options, creating it if missing.
   *
   * @see #open(Path, DatawalOptions)
   */
  public static RecordLog open(Path dir) {
    return open(dir, DatawalOptions.defaults());
  }

  /**
   * Opens the store in {@code dir}, creating the directory and its first segment if missing, takes
   * its lock, and recovers it. The recovered state is durable when this returns.
   *
   * @throws StoreLockedException if another writer, in this process or another, has it open
   * @throws CorruptStoreException if recovery finds damage it must not discard (nothing on disk was
   *     changed)
   * @throws DatawalException if {@code dir} is not a directory or cannot be created, locked, read
   *     or written
   */
  public static RecordLog open(Path dir, DatawalOptions options) {
    return open(dir, options, FileIo.system());
  }

  /** Opens through the given file system seam; tests use it to inject faults. */
  static RecordLog open(Path dir, DatawalOptions options, FileIo io) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    prepareDirectory(io, dir);
    DirectoryLock lock = DirectoryLock.acquire(io, dir);
    try {
      return new RecordLog(io, dir, options, lock, Recovery.recover(io, dir));
    } catch (IOException | RuntimeException e) {
      try {
        lock.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof IOException io2) {
        throw new DatawalException(
            "datawal: failed to open store " + dir + ": " + Errors.describe(io2), io2);
      }
      throw (RuntimeException) e;
    }
  }

  private static void prepareDirectory(FileIo io, Path dir) {
    try {
      switch (io.kind(dir)) {
        case DIRECTORY -> {}
        case MISSING -> io.createDirectories(dir);
        default ->
            throw new DatawalException(
                "datawal: store path " + dir + " exists but is not a directory");
      }
    } catch (IOException e) {
      throw new DatawalException(
          "datawal: cannot create store directory " + dir + ": " + Errors.describe(e), e);
    }
  }

  /**
   * Appends a {@link RecordType#RAW} record with an empty key.
   *
   * @see #appendRecord(RecordType, byte[], byte[])
   */
  public RecordRef append(byte[] payload) {
    return appendRecord(RecordType.RAW, EMPTY, payload);
  }

  /**
   * Appends one record and returns where it went and its txid. The record is readable at once and
   * durable once a later {@link #fsync()} returns.
   *
   * @throws LimitExceededException if the key or payload is over its limit; nothing was written
   * @throws WriterPoisonedException if the writer is poisoned, or the write failed and poisoned it
   * @throws IllegalStateException if the log is closed
   */
  public RecordRef appendRecord(RecordType type, byte[] key, byte[] payload) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(payload, "payload");
    FrameFormat.checkLimits(key.length, payload.length);
    int frameLength = FrameFormat.frameLength(key.length, payload.length);
    writeLock.lock();
    try {
      ensureWritable();
      if (active.size() > 0 && active.size() + frameLength > options.maxSegmentSize()) {
        rotateLocked();
      }
      long txid = nextTxid;
      ByteBuffer frame = FrameFormat.encode(type, txid, key, payload);
      long offset;
      try {
        offset = active.append(frame);
      } catch (IOException e) {
        throw poison("write to " + active.path() + " failed: " + Errors.describe(e), e);
      }
      nextTxid = txid + 1;
      return new RecordRef(active.id(), offset, frameLength, txid);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Makes every record appended before this call durable: its data is forced to disk, and the
   * directory is synced too if a segment was created since the last sync. Calls that find nothing
   * new to sync cost no I/O; concurrent calls share one force.
   *
   * @throws WriterPoisonedException if the writer is poisoned, or this fsync failed and poisoned it
   *     (never retry a failed fsync: the data it covered may be lost)
   * @throws IllegalStateException if the log is closed
   */
  public void fsync() {
    syncLock.lock();
    try {
      ActiveSegment segment;
      long upTo;
      long dirChanges;
      writeLock.lock();
      try {
        ensureWritable();
        segment = active;
        upTo = nextTxid - 1;
        dirChanges = dirVersion;
      } finally {
        writeLock.unlock();
      }
      syncLocked(segment, upTo, dirChanges);
    } finally {
      syncLock.unlock();
    }
  }

  /** Forces {@code segment} and, if needed, the directory. Caller holds syncLock. */
  private void syncLocked(ActiveSegment segment, long upTo, long dirChanges) {
    if (upTo > durableTxid || dirChanges != syncedDirVersion) {
      try {
        segment.force();
      } catch (IOException e) {
        throw poison("fsync of " + segment.path() + " failed: " + Errors.describe(e), e);
      }
    }
    if (dirChanges != syncedDirVersion) {
      try {
        io.syncDirectory(dir);
      } catch (IOException e) {
        throw poison("fsync of directory " + dir + " failed: " + Errors.describe(e), e);
      }
      syncedDirVersion = dirChanges;
    }
    durableTxid = Math.max(durableTxid, upTo);
  }

  /**
   * Seals the active segment, durably, and starts the next one. Appends before this call are
   * durable when it returns; the new segment's directory entry is made durable by the next {@link
   * #fsync()}.
   *
   * @throws WriterPoisonedException if the writer is poisoned, or the rotation failed and poisoned
   *     it
   * @throws LimitExceededException if segment ids are exhausted
   * @throws IllegalStateException if the log is closed
   */
  public void rotate() {
    writeLock.lock();
    try {
      ensureWritable();
      rotateLocked();
    } finally {
      writeLock.unlock();
    }
  }

  private void rotateLocked() {
    long nextId = SegmentFiles.nextId(active.id());
    // Force the old segment before the new one exists: recovery treats damage in any segment but
    // the last as corruption, so a sealed segment must never have an unsynced tail.
    try {
      active.seal();
    } catch (IOException e) {
      throw poison(
          "fsync of " + active.path() + " while sealing it failed: " + Errors.describe(e), e);
    }
    ActiveSegment next;
    try {
      next = ActiveSegment.create(io, dir, nextId);
    } catch (IOException e) {
      throw poison(
          "creating segment " + SegmentFiles.path(dir, nextId) + " failed: " + Errors.describe(e),
          e);
    }
    sealed.add(active.id());
    active = next;
    dirVersion++; // the new entry is synced by the next fsync, before anything in it is durable
  }

  /**
   * Every valid record, in log order. Reads everything into memory; prefer {@link #scanIter()} for
   * large logs.
   *
   * @throws IllegalStateException if the log is closed
   */
  public List<Record> scan() {
    List<Record> records = new ArrayList<>();
    try (RecordIterator it = scanIter()) {
      it.forEachRemaining(records::add);
    }
    return records;
  }

  /**
   * A lazy scan of the records appended before this call, in log order, with bounded memory.
   * Appends made while it runs are not seen; close it when stopping early.
   *
   * @throws IllegalStateException if the log is closed
   */
  public RecordIterator scanIter() {
    List<LogScanner.Span> spans = new ArrayList<>();
    writeLock.lock();
    try {
      ensureOpen();
      for (long id : sealed) {
        spans.add(new LogScanner.Span(id, LogScanner.Span.TO_END));
      }
      spans.add(new LogScanner.Span(active.id(), active.size()));
    } finally {
      writeLock.unlock();
    }
    // Every byte in these spans was written by this writer or recovered as valid, so any damage
    // found now is corruption, never a torn tail.
    return new ScanIterator(io, dir, spans, false);
  }

  /** What recovery found when this log was opened. */
  public RecoveryReport recoveryReport() {
    return recoveryReport;
  }

  /** Whether a failed write, fsync or rotation poisoned the writer. */
  public boolean isPoisoned() {
    return poison.get() != null;
  }

  /** The id of the segment appends go to. */
  public long activeSegment() {
    writeLock.lock();
    try {
      return active.id();
    } finally {
      writeLock.unlock();
    }
  }

  /** The txid of the last record appended (or recovered), 0 for an empty log. */
  public long lastTxid() {
    writeLock.lock();
    try {
      return nextTxid - 1;
    } finally {
      writeLock.unlock();
    }
  }

  /** The store directory. */
  public Path dir() {
    return dir;
  }

  /** The options this log was opened with. */
  public DatawalOptions options() {
    return options;
  }

  /**
   * Makes every append durable (as {@link #fsync()}, unless the writer is poisoned), then closes
   * the files and releases the directory lock. Idempotent. The lock is released even when the final
   * fsync fails.
   *
   * @throws WriterPoisonedException if the final fsync failed
   * @throws DatawalException if closing a file failed
   */
  @Override
  public void close() {
    syncLock.lock();
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      RuntimeException failure = null;
      if (poison.get() == null) {
        try {
          syncLocked(active, nextTxid - 1, dirVersion);
        } catch (WriterPoisonedException e) {
          failure = e;
        }
      }
      try {
        active.close();
      } catch (IOException e) {
        failure = addFailure(failure, e);
      }
      try {
        lock.close();
      } catch (IOException e) {
        failure = addFailure(failure, e);
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      writeLock.unlock();
      syncLock.unlock();
    }
  }

  private RuntimeException addFailure(RuntimeException failure, IOException e) {
    if (failure != null) {
      failure.addSuppressed(e);
      return failure;
    }
    return new DatawalException(
        "datawal: failed to close store " + dir + ": " + Errors.describe(e), e);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("datawal: log " + dir + " is closed");
    }
  }

  private void ensureWritable() {
    ensureOpen();
    WriterPoisonedException p = poison.get();
    if (p != null) {
      throw new WriterPoisonedException(p.reason(), p.getCause());
    }
  }

  /** Poisons the writer (the first reason stays) and returns the exception to throw. */
  private WriterPoisonedException poison(String reason, IOException cause) {
    WriterPoisonedException e = new WriterPoisonedException(reason, cause);
    poison.compareAndSet(null, e);
    return e;
  }

  @Override
  public String toString() {
    return "RecordLog[" + dir + "]";
  }
}
