package dev.datawal;

import dev.datawal.internal.format.FrameFormat;
import dev.datawal.internal.format.SegmentTail;
import dev.datawal.internal.io.DirectoryLock;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.log.AppendDurability;
import dev.datawal.internal.log.Follower;
import dev.datawal.internal.log.GroupCommit;
import dev.datawal.internal.log.IntegrityMonitor;
import dev.datawal.internal.log.LogWriter;
import dev.datawal.internal.log.ManifestKeeper;
import dev.datawal.internal.log.Observers;
import dev.datawal.internal.log.Position;
import dev.datawal.internal.log.Recovery;
import dev.datawal.internal.log.Retention;
import dev.datawal.internal.log.ScanIterator;
import dev.datawal.internal.log.StoreManifest;
import dev.datawal.internal.log.Watermarks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A durable, append-only log of records in a store directory, in the DWAL v1 format.
 *
 * <p>{@link #open(Path)} takes the directory's exclusive lock and recovers the longest valid prefix
 * of the log: a torn tail left by a crash is moved to an evidence file and cut off, so new appends
 * follow the valid records directly (the rules: {@code docs/format.md}, "Recovery"). Appends are
 * readable at once; when they become durable depends on the {@link FsyncPolicy} (default {@link
 * FsyncPolicy#ALWAYS}: before the append returns). {@link #fsync()} makes everything appended
 * before it durable under any policy. The writer starts a new segment file by itself before an
 * append would take the active one past {@link DatawalOptions#maxSegmentSize()}.
 *
 * <p>If a write, fsync or rotation fails, the writer is poisoned: every later change throws {@link
 * WriterPoisonedException}, reads keep working, and reopening the store recovers it.
 *
 * <p>Thread-safe: appends from many threads are serialized (txids increase in file order);
 * concurrent durable appends share fsyncs (group commit), and a force in progress does not hold up
 * appends or reads; scans and followers read a consistent prefix without blocking writers.
 */
public final class RecordLog implements AutoCloseable {
  /*
   * This class is the log's public face: its methods check their arguments and hand the work to the
   * parts in internal.log (LogWriter appends and seals, GroupCommit and AppendDurability make
   * appends durable, Retention deletes segments, IntegrityMonitor verifies, ManifestKeeper keeps the
   * manifest). Two jobs stay here because they order those parts against each other: the open
   * (lock, recovery, then the parts, in that order) and the close protocol (bar appends, force,
   * record the clean close, close the parts, release the lock).
   */

  /** The largest key a record may have, in bytes. */
  public static final int MAX_KEY_LEN = FrameFormat.MAX_KEY_LEN;

  /** The largest payload a record may have, in bytes. */
  public static final int MAX_PAYLOAD_LEN = FrameFormat.MAX_PAYLOAD_LEN;

  private static final byte[] EMPTY = new byte[0];
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  private static final LogWriter.Listener NO_LISTENER = (type, key, ref) -> {};

  private final FileIo io;
  private final Path dir;
  private final DatawalOptions options;
  private final DirectoryLock lock;
  private final RecoveryReport recoveryReport;
  private final Watermarks marks;
  private final LogWriter writer;
  private final ManifestKeeper manifest;
  private final GroupCommit commit;
  private final IntegrityMonitor integrity;
  private final AppendDurability appendDurability;
  private final Retention retention;
  private final boolean keyValue;
  private final Observers observers = new Observers();

  /** Told of every record appended through the public methods: a key/value store's directory. */
  private volatile LogWriter.Listener publicListener = NO_LISTENER;

  private RecordLog(
      FileIo io,
      Path dir,
      DatawalOptions options,
      DirectoryLock lock,
      Recovery.Result recovered,
      boolean keyValue) {
    this.io = io;
    this.keyValue = keyValue;
    this.dir = dir;
    this.options = options;
    this.lock = lock;
    this.recoveryReport = recovered.report();
    Position end =
        new Position(
            recovered.active().id(), recovered.active().size(), recoveryReport.lastTxidSeen());
    this.marks = new Watermarks(end); // recovery forced what it found
    this.manifest = new ManifestKeeper(io, dir, recovered.manifest());
    this.writer = new LogWriter(io, dir, options.maxSegmentSize(), recovered, marks, manifest);
    this.commit =
        new GroupCommit(
            writer,
            marks,
            options.fsyncPolicy() == FsyncPolicy.INTERVAL ? options.fsyncInterval() : null,
            observers);
    this.appendDurability = new AppendDurability(options.fsyncPolicy(), marks, commit);
    this.retention = new Retention(io, dir, options, writer, manifest, observers);
    this.integrity = new IntegrityMonitor(io, dir, writer, manifest, manifest::damageFound);
    // An open from the key-directory snapshot did not read the sealed segments it covers, if any.
    integrity.startBackground(
        options.verifyAfterOpen()
            && recoveryReport.snapshotUsed()
            && !recovered.sealed().isEmpty()
            && writer.poisoned() == null,
        options.verifyInterval());
  }

  /**
   * Checks a record as every write does before anything is written: its key and payload within
   * their limits, and its key not one reserved for the markers of record groups. For code that
   * collects records to write later, such as a transaction, so that a bad record fails where it is
   * made.
   *
   * @param key the record's key
   * @param payload the record's payload
   * @throws LimitExceededException if the key or payload is over its limit
   * @throws IllegalArgumentException if the key starts with the prefix reserved for group markers
   */
  public static void checkRecord(byte[] key, byte[] payload) {
    LogWriter.checkRecord(key, payload);
  }

  /**
   * Opens the store in {@code dir} with default options, creating it if missing.
   *
   * @param dir the store directory
   * @return the open log, which holds the directory's lock until closed
   * @see #open(Path, DatawalOptions)
   */
  public static RecordLog open(Path dir) {
    return open(dir, DatawalOptions.defaults());
  }

  /**
   * Opens the store in {@code dir}, creating the directory and its first segment if missing, takes
   * its lock, and recovers it. The recovered state is durable when this returns.
   *
   * @param dir the store directory
   * @param options how to open it
   * @return the open log, which holds the directory's lock until closed
   * @throws StoreLockedException if another writer, in this process or another, has it open
   * @throws CorruptStoreException if recovery finds damage it must not discard (nothing on disk was
   *     changed)
   * @throws DatawalException if {@code dir} is not a directory or cannot be created, locked, read
   *     or written
   */
  public static RecordLog open(Path dir, DatawalOptions options) {
    return open(dir, options, FileIo.system(), null);
  }

  /** Opens through the given file system seam; tests use it to inject faults. */
  static RecordLog open(Path dir, DatawalOptions options, FileIo io) {
    return open(dir, options, io, null);
  }

  /** Opens, showing every recovered record to {@code visitor} in recovery's single pass. */
  static RecordLog open(
      Path dir, DatawalOptions options, FileIo io, Recovery.@Nullable Visitor visitor) {
    return open(dir, options, io, visitor, null);
  }

  /**
   * Opens, showing every recovered record to {@code visitor}, and resuming after the state {@code
   * resumer} offers once the lock is held (see {@link Recovery#recover(FileIo, Path,
   * Recovery.Visitor, Recovery.Resumer)}).
   */
  static RecordLog open(
      Path dir,
      DatawalOptions options,
      FileIo io,
      Recovery.@Nullable Visitor visitor,
      Recovery.@Nullable Resumer resumer) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    prepareDirectory(io, dir);
    DirectoryLock lock = DirectoryLock.acquire(io, dir);
    try {
      return new RecordLog(
          io, dir, options, lock, Recovery.recover(io, dir, visitor, resumer), visitor != null);
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
   * @param payload the bytes to log, at most {@link #MAX_PAYLOAD_LEN}
   * @return where the record went, and its txid
   * @see #appendRecord(RecordType, byte[], byte[])
   */
  public RecordRef append(byte[] payload) {
    return appendRecord(RecordType.RAW, EMPTY, payload);
  }

  /**
   * Appends one record and returns where it went and its txid. The record is readable at once.
   * Under {@link FsyncPolicy#ALWAYS} it is durable when this returns; under the other policies see
   * {@link FsyncPolicy}.
   *
   * @param type what the record means to the key/value projection
   * @param key its key, at most {@link #MAX_KEY_LEN} bytes, usually empty for {@link
   *     RecordType#RAW}
   * @param payload its payload, at most {@link #MAX_PAYLOAD_LEN} bytes, empty for {@link
   *     RecordType#DELETE}
   * @return where the record went, and its txid
   * @throws LimitExceededException if the key or payload is over its limit; nothing was written
   * @throws IllegalArgumentException if the key starts with the prefix reserved for the markers of
   *     record groups ({@code 0x00 "datawal.group" 0x00}, see {@link #appendAtomically}); nothing
   *     was written
   * @throws WriterPoisonedException if the writer is poisoned, or the write or its fsync failed and
   *     poisoned it (the record may then survive a crash or not)
   * @throws IllegalStateException if the log is closed
   */
  public RecordRef appendRecord(RecordType type, byte[] key, byte[] payload) {
    return append(type, key, payload, publicListener);
  }

  /**
   * Makes every append through the public methods tell {@code listener}, as the key/value store's
   * own writes do, so that a Put or Delete appended to a {@link DataWal}'s log cannot bypass its
   * key directory.
   */
  void routeWritesTo(LogWriter.Listener listener) {
    publicListener = Objects.requireNonNull(listener, "listener");
  }

  /** Appends, telling {@code listener} under the writer's lock; applies the fsync policy. */
  RecordRef append(RecordType type, byte[] key, byte[] payload, LogWriter.Listener listener) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(payload, "payload");
    RecordRef ref = writer.append(type, key, payload, listener);
    appended(ref);
    appendDurability.afterAppend(ref);
    return ref;
  }

  private void appended(RecordRef ref) {
    if (observers.any()) {
      observers.tell(o -> o.appended(1, ref.length()));
    }
  }

  /**
   * Appends several records back to back, with consecutive txids, in as few writes as possible;
   * under {@link FsyncPolicy#ALWAYS} one fsync makes them all durable before this returns. Every
   * limit is checked before anything is written. A crash during the call may keep any prefix of the
   * batch.
   *
   * @param entries the records, in order; an empty list appends nothing
   * @return where each record went, in the order given
   * @throws LimitExceededException if any key or payload is over its limit; nothing was written
   * @throws IllegalArgumentException if any key starts with the reserved prefix (see {@link
   *     #appendRecord}); nothing was written
   * @throws WriterPoisonedException as for {@link #appendRecord}
   * @throws IllegalStateException if the log is closed
   */
  public List<RecordRef> appendBatch(List<Entry> entries) {
    return appendBatch(entries, publicListener);
  }

  /**
   * Appends several records as one atomic group: after a crash, recovery keeps all of them or none.
   * Otherwise as {@link #appendBatch(List)}: consecutive txids, one segment, and under {@link
   * FsyncPolicy#ALWAYS} durable on return.
   *
   * <p>Two or more records are written after a group marker, a frame that takes the next txid; the
   * records take the txids after it. Scans, followers and key/value views never show the marker, so
   * each group leaves a gap of one in the txids they show (after txid 1, a group of two records
   * gets txids 3 and 4). Scans and followers see the group only once all of it is written, and a
   * follower of durable records only once all of it is durable. One record is written alone (a
   * single record is atomic by itself, no marker, no gap); an empty list writes nothing. The
   * format, and what the reference implementation makes of a group, are in {@code docs/format.md}
   * ("Record groups (datawal extension)").
   *
   * @param entries the records, in order; an empty list appends nothing
   * @return where each record went, in the order given (the marker is not among them)
   * @throws LimitExceededException if any key or payload is over its limit; nothing was written
   * @throws IllegalArgumentException if any key starts with the reserved prefix (see {@link
   *     #appendRecord}); nothing was written
   * @throws WriterPoisonedException as for {@link #appendRecord}; if the write failed part way, the
   *     group is a torn tail the next open drops whole
   * @throws IllegalStateException if the log is closed
   */
  public List<RecordRef> appendAtomically(List<Entry> entries) {
    return appendAtomically(entries, publicListener);
  }

  List<RecordRef> appendAtomically(List<Entry> entries, LogWriter.Listener listener) {
    return batchAppended(writer.appendGroup(List.copyOf(entries), listener));
  }

  List<RecordRef> appendBatch(List<Entry> entries, LogWriter.Listener listener) {
    return batchAppended(writer.append(List.copyOf(entries), listener));
  }

  /** Tells the observers of a batch or group just written and applies the fsync policy. */
  private List<RecordRef> batchAppended(List<RecordRef> refs) {
    if (!refs.isEmpty()) {
      if (observers.any()) {
        long bytes = refs.stream().mapToLong(RecordRef::length).sum();
        observers.tell(o -> o.appended(refs.size(), bytes));
      }
      appendDurability.afterAppend(refs.get(refs.size() - 1));
    }
    return refs;
  }

  /**
   * Appends a {@link RecordType#RAW} record at once and returns a future that completes when it is
   * durable, under every policy: a background thread syncs for it, sharing the force with every
   * other waiting record. The future fails with {@link WriterPoisonedException} if a sync fails, or
   * {@link IllegalStateException} if the log closes first after a failure.
   *
   * @param payload the bytes to log, at most {@link #MAX_PAYLOAD_LEN}
   * @return a future of where the record went and its txid, completed once it is durable
   * @throws LimitExceededException if the payload is over its limit
   * @throws WriterPoisonedException if the writer is poisoned, or the write failed
   */
  public CompletableFuture<RecordRef> appendAsync(byte[] payload) {
    return appendRecordAsync(RecordType.RAW, EMPTY, payload);
  }

  /**
   * As {@link #appendAsync(byte[])}, for any record.
   *
   * @param type what the record means to the key/value projection
   * @param key its key, at most {@link #MAX_KEY_LEN} bytes
   * @param payload its payload, at most {@link #MAX_PAYLOAD_LEN} bytes
   * @return a future of where the record went and its txid, completed once it is durable
   * @throws LimitExceededException if the key or payload is over its limit
   * @throws IllegalArgumentException if the key starts with the reserved prefix (see {@link
   *     #appendRecord})
   * @throws WriterPoisonedException if the writer is poisoned, or the write failed
   */
  public CompletableFuture<RecordRef> appendRecordAsync(
      RecordType type, byte[] key, byte[] payload) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(payload, "payload");
    RecordRef ref = writer.append(type, key, payload, publicListener);
    appended(ref);
    return commit.whenDurable(ref);
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
    commit.sync();
  }

  /**
   * Seals the active segment, durably, and starts the next one. Appends before this call are
   * durable when it returns, under every policy.
   *
   * @throws WriterPoisonedException if the writer is poisoned, or the rotation failed and poisoned
   *     it
   * @throws LimitExceededException if segment ids are exhausted
   * @throws IllegalStateException if the log is closed
   */
  public void rotate() {
    writer.rotate();
    // The sealed segment is forced, but its name may be as new as its data: sync the directory
    // (and the new, empty segment) too, so every append before this call is durable on return.
    commit.sync();
  }

  /**
   * {@return every valid record, in log order} Reads everything into memory; prefer {@link
   * #scanIter()} for large logs.
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
   * @return the scan, not started yet
   * @throws IllegalStateException if the log is closed
   */
  public RecordIterator scanIter() {
    // Every byte in these spans was written by this writer or recovered as valid, so any damage
    // found now is corruption, never a torn tail.
    return new ScanIterator(io, dir, writer.spans(), false, this::damageFound);
  }

  /**
   * Follows the log from {@code fromTxid} on, returning only durable records: a record a crash
   * could still take back is never returned.
   *
   * @param fromTxid the first txid to return; records before it are skipped
   * @return the follower, which holds at most one segment file open until closed
   * @see #follow(long, boolean)
   */
  public LogFollower follow(long fromTxid) {
    return follow(fromTxid, false);
  }

  /**
   * Follows the log from the first record whose txid is at least {@code fromTxid}, in order,
   * waiting for new records without polling.
   *
   * @param fromTxid the first txid to return; records before it are skipped
   * @param includeUnsynced also return records as soon as they are written, before they are durable
   *     (under {@link FsyncPolicy#MANUAL} or {@link FsyncPolicy#INTERVAL} a crash may then take
   *     back a record already returned)
   * @return the follower, which holds at most one segment file open until closed
   * @throws IllegalStateException if the log is closed
   */
  public LogFollower follow(long fromTxid, boolean includeUnsynced) {
    writer.ensureOpen();
    return new Follower(io, dir, writer, marks, fromTxid, !includeUnsynced);
  }

  /** {@return what recovery found when this log was opened} */
  public RecoveryReport recoveryReport() {
    return recoveryReport;
  }

  /**
   * Verifies every sealed segment now, as a scrub: reads each whole, checks every frame's CRC, that
   * txids go up, and that it holds what the store's manifest records (length, records, txids, frame
   * digest). Runs beside appends, gets and compaction; a segment that compaction or retention
   * changes while it runs is skipped until the next time. Damage found is in the report, in {@link
   * #integrity()}, and recorded in the manifest, so the next open fails with a {@link
   * CorruptStoreException} until {@code datawal repair} accepts it; nothing is changed or deleted.
   * Waits for a verification already running (the background one, see {@link
   * DatawalOptions#verifyAfterOpen()} and {@link DatawalOptions#verifyInterval()}) to end first.
   *
   * @return what the verification found
   * @throws IllegalStateException if the log is closed
   * @throws DatawalException if a segment cannot be read
   */
  public VerificationReport verify() {
    writer.ensureOpen();
    return integrity.verify();
  }

  /**
   * {@return what is known of the store's integrity since it was opened} That is damage found by
   * verifications and reads, the verification running now and the last one finished.
   */
  public IntegrityStatus integrity() {
    return integrity.status();
  }

  /** Notes damage a read met (a get, a scan): reported by {@link #integrity()}, recorded. */
  CorruptStoreException damageFound(CorruptStoreException e) {
    integrity.found(e, IntegrityProblem.FoundBy.READ);
    return e;
  }

  /** {@return whether a failed write, fsync or rotation poisoned the writer} */
  public boolean isPoisoned() {
    return writer.isPoisoned();
  }

  /**
   * {@return why the writer refuses changes, empty if it does not} The reason is the failure that
   * poisoned it, or why the store was opened read-only.
   */
  public Optional<String> poisonReason() {
    WriterPoisonedException p = writer.poisoned();
    return p == null ? Optional.empty() : Optional.of(p.reason());
  }

  /** {@return the id of the segment appends go to} */
  public long activeSegment() {
    return writer.activeSegment();
  }

  /** {@return the txid of the last record appended (or recovered), 0 for an empty log} */
  public long lastTxid() {
    return writer.lastTxid();
  }

  /** {@return the txid up to which every record is known durable} */
  public long durableTxid() {
    return commit.durableTxid();
  }

  /**
   * Deletes whole sealed segments, oldest first, while the oldest was last written longer ago than
   * {@link DatawalOptions#retentionMaxAge()} or the log is larger than {@link
   * DatawalOptions#retentionMaxBytes()}. Never deletes the active segment; what remains is always a
   * suffix of the log. Each deletion is durable (directory fsync) when this returns. Scans and
   * followers in progress skip segments deleted under them.
   *
   * @throws IllegalStateException if the log is closed, or belongs to a {@link DataWal} (a
   *     key/value store compacts instead: deleting segments would lose live keys)
   * @return what was deleted
   * @throws DatawalException if a segment cannot be deleted
   */
  public RetentionStats applyRetention() {
    return applyRetention(Long.MAX_VALUE);
  }

  /**
   * As {@link #applyRetention()}, but never deletes a segment that holds a record with a txid of
   * {@code keepFromTxid} or more: readers that still need those records (subscribers, relays) pass
   * the first txid they have not processed. Deletion stops at the first segment kept, so the log
   * stays a suffix.
   *
   * @param keepFromTxid the lowest txid that must survive; {@link Long#MAX_VALUE} keeps nothing
   *     extra
   * @return what was deleted
   * @throws IllegalStateException as for {@link #applyRetention()}
   * @throws DatawalException if a segment cannot be deleted or read
   */
  public RetentionStats applyRetention(long keepFromTxid) {
    writer.ensureOpen();
    if (keyValue) {
      throw new IllegalStateException(
          "datawal: retention deletes whole segments and applies to plain logs only; "
              + "a DataWal reclaims space with compact()");
    }
    return retention.apply(keepFromTxid);
  }

  /**
   * Registers {@code observer} to be told about appends, fsyncs and retention (for metrics).
   *
   * @param observer quick, thread-safe and non-blocking: it is called on the writing thread
   * @see DatawalObserver
   */
  public void addObserver(DatawalObserver observer) {
    observers.add(Objects.requireNonNull(observer, "observer"));
  }

  /**
   * Removes an observer added with {@link #addObserver}; does nothing if it is not registered.
   *
   * @param observer the observer to remove
   */
  public void removeObserver(DatawalObserver observer) {
    observers.remove(observer);
  }

  /** The observers, for the key/value store built on this log. */
  Observers observers() {
    return observers;
  }

  /**
   * {@return every segment file of the log, sealed and active, in order: id to size in bytes} For
   * the active segment, the size is what is written so far, durable or not.
   *
   * @throws IllegalStateException if the log is closed
   */
  public SortedMap<Long, Long> segmentSizes() {
    return Collections.unmodifiableSortedMap(writer.segmentSizes());
  }

  /** {@return the bytes of every segment file of the log} */
  public long diskBytes() {
    return writer.totalBytes();
  }

  /** {@return whether {@link #close()} was called} */
  public boolean isClosed() {
    return writer.isClosed();
  }

  /** The writer, for the key/value store built on this log. */
  LogWriter writer() {
    return writer;
  }

  /** {@return the store directory} */
  public Path dir() {
    return dir;
  }

  /** {@return the options this log was opened with} */
  public DatawalOptions options() {
    return options;
  }

  /**
   * Makes every append durable (as {@link #fsync()}, unless the writer is poisoned), stops the
   * background sync thread, then closes the files and releases the directory lock. Idempotent. The
   * lock is released even when the final fsync fails.
   *
   * @throws WriterPoisonedException if the final fsync failed
   * @throws DatawalException if closing a file failed
   */
  @Override
  public void close() {
    close(null);
  }

  /**
   * Closes as {@link #close()}, running {@code whileLocked} (if not null) after a successful final
   * fsync and before the directory lock is released, with every append barred: the store is then
   * quiescent and every byte written is durable. Not run when the writer is poisoned, the final
   * fsync failed, or the log was already closed.
   */
  void close(@Nullable Runnable whileLocked) {
    integrity.close(); // stops a background verification before the files close
    RuntimeException failure = null;
    boolean closedNow = !writer.isClosed();
    try {
      commit.close();
    } catch (WriterPoisonedException e) {
      failure = e;
    } catch (IOException e) {
      failure = closeFailed(e);
    }
    if (failure == null && closedNow && !writer.isPoisoned()) {
      recordCleanClose();
      if (whileLocked != null) {
        whileLocked.run();
      }
    }
    manifest.close(); // the lock goes next: nothing may write into the store after it
    try {
      lock.close();
    } catch (IOException e) {
      if (failure == null) {
        failure = closeFailed(e);
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Records the whole active segment in the manifest after the final fsync, so that the next open
   * knows every record in it was durable. A failure only leaves the manifest of the last seal or
   * open, which the store still matches: it is logged, never thrown.
   */
  private void recordCleanClose() {
    LogWriter.ActiveState state = writer.activeState();
    try {
      StoreManifest.Shape shape = state.shape();
      int tail = SegmentTail.crc(io, dir, state.id(), shape.length());
      manifest.closed(
          state.id(),
          new StoreManifest.Shape(
              shape.length(),
              shape.records(),
              shape.firstTxid(),
              shape.lastTxid(),
              shape.digest(),
              tail));
    } catch (IOException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "datawal: could not record the clean close of "
              + dir
              + " in "
              + StoreManifest.FILE_NAME
              + " (the next open reads the active segment as after a crash): "
              + e,
          e);
    }
  }

  /** The store's manifest keeper, for the key/value store built on this log. */
  ManifestKeeper manifest() {
    return manifest;
  }

  private DatawalException closeFailed(IOException e) {
    return new DatawalException(
        "datawal: failed to close store " + dir + ": " + Errors.describe(e), e);
  }

  @Override
  public String toString() {
    return "RecordLog[" + dir + "]";
  }
}
