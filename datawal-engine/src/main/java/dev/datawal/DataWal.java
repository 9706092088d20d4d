package dev.datawal;

import dev.datawal.internal.format.SegmentScanner;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.kv.JsonlExport;
import dev.datawal.internal.kv.KeyDirectory;
import dev.datawal.internal.kv.SegmentUsage;
import dev.datawal.internal.kv.SnapshotLoader;
import dev.datawal.internal.kv.ValueReader;
import dev.datawal.internal.log.LogWriter;
import dev.datawal.internal.log.ReadHandles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.BiConsumer;

/**
 * A last-write-wins key/value store projected from a {@link RecordLog}: a Put sets a key, a Delete
 * (tombstone) removes it, Raw records are ignored.
 *
 * <p>Values stay on disk; memory holds only the key directory (where each live key's latest Put
 * lies), built in the same single pass over the log as recovery, or taken from the key-directory
 * snapshot that {@link #close()} leaves: that file is mapped and used in place, with only the log
 * after it read and only the keys written since held on the heap. A {@link #get} is one read of a
 * segment (from a read-only mapping of it where the file system allows) that re-checks the frame's
 * CRC and that its key is the key asked for.
 *
 * <p>Durability follows the store's {@link FsyncPolicy} exactly as for {@link RecordLog}: under the
 * default {@link FsyncPolicy#ALWAYS}, a put or delete is durable when it returns. A write is
 * visible to gets as soon as it is written, before it is durable.
 *
 * <p>Thread-safe: writes are serialized in log order and the key directory always reflects the
 * latest of them; gets run concurrently with each other and with writes, and never wait for an
 * fsync.
 */
public final class DataWal implements AutoCloseable {
  /*
   * Jobs. This class is the key/value store's public face: gets, puts and the views, with the read
   * protocol below. Compaction is StoreCompaction's job and the snapshot's life SnapshotLifecycle's;
   * the open wiring and the close protocol stay here because they order the key directory, the
   * log, compaction and the snapshot against each other.
   *
   * Reads and compaction: a get looks up the key directory and reads the frame it names. A
   * compaction replaces a segment's file and moves the keys in it to new offsets; it does both
   * under swapLock's write lock, and reads validate against swapLock (optimistically, falling back
   * to its read lock), so a read sees either the old file with the old offsets or the new file
   * with the new ones, never a mix.
   *
   * Close and the mapped snapshot: the key directory may read a key-directory snapshot in place,
   * mapped, and close unmaps it; a read of it afterwards would crash the JVM. Close first sets
   * closing (reads that start later throw IllegalStateException; compaction stops at its next
   * segment), takes compactionLock (so no compaction is running, and none starts), closes the log
   * (writes then throw before they touch the directory) and the read handles (which waits for the
   * reads in the segments' mappings to leave, then unmaps them: see ReadHandles), and last closes the
   * directory, which waits for the operations still reading the table to leave before it unmaps it
   * and makes any later one throw (see KeyDirectory and SnapshotTable's ReaderGate). The guard is
   * the directory's, not this class's check of closing, which a read may pass just before close.
   */
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  private final FileIo io;
  private final RecordLog log;
  private final KeyDirectory directory;
  private final SegmentUsage usage;
  private final ReadHandles handles;
  private final LogWriter.Listener applyToDirectory;
  private final StampedLock swapLock = new StampedLock();
  private final ReentrantLock compactionLock = new ReentrantLock();
  private final AtomicBoolean closing = new AtomicBoolean(); // set once, as close() begins

  private final SnapshotLifecycle snapshots;
  private final StoreCompaction compaction;

  private DataWal(
      FileIo io,
      RecordLog log,
      KeyDirectory directory,
      SegmentUsage usage,
      ReadHandles handles,
      SnapshotLifecycle snapshots) {
    this.io = io;
    this.log = log;
    this.directory = directory;
    this.usage = usage;
    this.handles = handles;
    this.snapshots = snapshots;
    this.compaction =
        new StoreCompaction(io, log, directory, usage, handles, swapLock, closing, snapshots);
    this.applyToDirectory = this::apply;
  }

  /**
   * Opens the store in {@code dir} with default options, creating it if missing.
   *
   * @param dir the store directory
   * @return the open store, which holds the directory's lock until closed
   * @see #open(Path, DatawalOptions)
   */
  public static DataWal open(Path dir) {
    return open(dir, DatawalOptions.defaults());
  }

  /**
   * Opens the store in {@code dir}, creating it if missing: takes its lock, recovers the log and
   * builds the key directory in one pass. If the store holds a key-directory snapshot that still
   * matches its segments (see {@code docs/format.md}), the directory reads it in place (mapped,
   * each page checked when first read) and only the log written after it is read; otherwise the
   * snapshot is ignored (and left in place: it may be evidence; the next close replaces it).
   *
   * @param dir the store directory
   * @param options how to open it
   * @return the open store, which holds the directory's lock until closed
   * @throws StoreLockedException if another writer has it open
   * @throws CorruptStoreException if recovery finds damage it must not discard
   * @throws DatawalException if {@code dir} cannot be created, locked, read or written
   */
  public static DataWal open(Path dir, DatawalOptions options) {
    return open(dir, options, FileIo.system());
  }

  static DataWal open(Path dir, DatawalOptions options, FileIo io) {
    // The directory and usage start from the snapshot if it checks out, else empty; the loader
    // swaps in empty ones if the scan refutes the snapshot, so the visitor asks it each time.
    SnapshotLoader loader = new SnapshotLoader(io, dir);
    RecordLog log;
    try {
      log =
          RecordLog.open(
              dir, options, io, (segment, frame) -> load(loader, segment, frame), loader);
    } catch (RuntimeException | Error e) {
      loader.directory().close(); // unmaps the snapshot the failed open may have mapped
      throw e;
    }
    // Whether used or not: a snapshot left on disk must go before compaction changes a segment.
    boolean snapshotOnDisk =
        loader.lookedForFile() ? loader.fileFound() : SnapshotLifecycle.filePresent(io, dir);
    SnapshotLifecycle snapshots =
        new SnapshotLifecycle(io, log, loader.directory(), snapshotOnDisk, loader.covered());
    DataWal store =
        new DataWal(
            io,
            log,
            loader.directory(),
            loader.usage(),
            new ReadHandles(io, dir, options.maxReadHandles()),
            snapshots);
    log.routeWritesTo(store.applyToDirectory); // writes through log() keep the directory right
    return store;
  }

  /**
   * Applies a recovered record to the directory and usage the loader holds now (the snapshot's, or
   * fresh ones after it was refuted). Lock-free loading (the directory is not shared yet), the key
   * read in place from the scan window: no copy unless the key is new.
   */
  private static void load(SnapshotLoader loader, long segment, SegmentScanner frame) {
    if (frame.type() != RecordType.RAW) {
      boolean put = frame.type() == RecordType.PUT;
      SegmentUsage usage = loader.usage();
      usage.replaced(
          loader
              .directory()
              .load(
                  put,
                  frame.keyArray(),
                  frame.keyOffset(),
                  frame.keyLength(),
                  segment,
                  frame.frameOffset(),
                  frame.frameLength()));
      if (put) {
        usage.added(segment, frame.frameLength());
      }
    }
  }

  /**
   * Applies a written record to the key directory and the usage; called under the writer's lock.
   *
   * @return the Put it replaced or removed, or {@link KeyDirectory#NONE}
   */
  private long apply(RecordType type, byte[] key, RecordRef ref) {
    long previous =
        switch (type) {
          case PUT -> directory.put(key, ref.segment(), ref.offset(), ref.length());
          case DELETE -> directory.remove(key);
          case RAW -> KeyDirectory.NONE;
        };
    if (type == RecordType.PUT) {
      usage.put(previous, ref.segment(), ref.length());
    } else {
      usage.replaced(previous);
    }
    return previous;
  }

  /**
   * Throws if {@link #close()} has begun. Reads check this first; the key directory's own guard
   * covers a read that passes just before close begins.
   */
  private void ensureOpen() {
    if (closing.get()) {
      throw new IllegalStateException("datawal: store " + log.dir() + " is closed");
    }
  }

  /**
   * Sets {@code key} to {@code value}.
   *
   * @param key the key, at most {@link RecordLog#MAX_KEY_LEN} bytes
   * @param value the value, at most {@link RecordLog#MAX_PAYLOAD_LEN} bytes
   * @return where the Put went, and its txid
   * @throws LimitExceededException if the key or value is over its limit; nothing was written
   * @throws IllegalArgumentException if the key starts with the prefix reserved for the markers of
   *     record groups ({@code 0x00 "datawal.group" 0x00}); nothing was written
   * @throws WriterPoisonedException if the writer is poisoned, or this write poisoned it
   * @throws IllegalStateException if the store is closed
   */
  public RecordRef put(byte[] key, byte[] value) {
    return log.append(RecordType.PUT, key, value, applyToDirectory);
  }

  /**
   * Removes {@code key} by writing a tombstone, even when the key is not live (as the reference
   * does, so the delete is on record).
   *
   * @param key the key to remove
   * @return whether the key was live
   * @throws IllegalArgumentException if the key starts with the reserved prefix (see {@link #put});
   *     nothing was written
   * @throws WriterPoisonedException if the writer is poisoned, or this write poisoned it
   * @throws IllegalStateException if the store is closed
   */
  public boolean delete(byte[] key) {
    Objects.requireNonNull(key, "key");
    boolean[] wasLive = new boolean[1];
    log.append(
        RecordType.DELETE,
        key,
        new byte[0],
        (type, k, ref) -> wasLive[0] = apply(type, k, ref) != KeyDirectory.NONE);
    return wasLive[0];
  }

  /**
   * Applies several Puts and Deletes (Raw entries are logged and otherwise ignored) in order, with
   * consecutive txids and, under {@link FsyncPolicy#ALWAYS}, one fsync.
   *
   * @param entries the writes, in order; an empty list writes nothing
   * @return where each record went, in the order given
   * @throws LimitExceededException if any key or value is over its limit; nothing was written
   * @throws IllegalArgumentException if any key starts with the reserved prefix (see {@link #put});
   *     nothing was written
   * @see RecordLog#appendBatch(List)
   */
  public List<RecordRef> writeBatch(List<Entry> entries) {
    return log.appendBatch(entries, applyToDirectory);
  }

  /**
   * Applies several Puts, Deletes and Raw records as one atomic group: after a crash, recovery
   * applies all of them or none. Durable on return under {@link FsyncPolicy#ALWAYS}, like {@link
   * #writeBatch}. Gets see the writes once all of them are written; a get running meanwhile sees
   * the state before the group or, key by key, after it. Two or more writes take one txid more than
   * they are (their group's marker, see {@link RecordLog#appendAtomically(List)}).
   *
   * @param entries the writes, in order; an empty list writes nothing
   * @return where each record went, in the order given
   * @throws LimitExceededException if any key or value is over its limit; nothing was written
   * @throws IllegalArgumentException if any key starts with the reserved prefix (see {@link #put});
   *     nothing was written
   * @throws WriterPoisonedException if the writer is poisoned, or this write poisoned it (the group
   *     then survives a crash whole or not at all)
   * @throws IllegalStateException if the store is closed
   * @see RecordLog#appendAtomically(List)
   */
  public List<RecordRef> writeAtomically(List<Entry> entries) {
    return log.appendAtomically(entries, applyToDirectory);
  }

  /**
   * {@return the value of {@code key}, read from disk, or empty if the key is not live} The array
   * is fresh: the caller may keep or change it.
   *
   * @param key the key to look up
   * @throws CorruptStoreException if the frame on disk no longer checks out (CRC, type or key)
   * @throws IllegalStateException if the store is closed
   */
  public Optional<byte[]> get(byte[] key) {
    Objects.requireNonNull(key, "key");
    ensureOpen();
    if (!log.observers().any()) {
      return getUnobserved(key);
    }
    long started = System.nanoTime();
    Optional<byte[]> value = getUnobserved(key);
    long nanos = System.nanoTime() - started;
    log.observers().tell(o -> o.read(value.isPresent(), nanos));
    return value;
  }

  private Optional<byte[]> getUnobserved(byte[] key) {
    long stamp = swapLock.tryOptimisticRead();
    if (stamp != 0) {
      try {
        Optional<byte[]> value = read(key);
        if (swapLock.validate(stamp)) {
          return value;
        }
      } catch (CorruptStoreException e) {
        if (swapLock.validate(stamp)) {
          throw log.damageFound(e);
        }
        // a compaction swapped the segment under the read: read again, below
      } catch (RuntimeException e) {
        if (swapLock.validate(stamp)) {
          throw e;
        }
        // a compaction swapped the segment under the read: read again, below
      }
    }
    stamp = swapLock.readLock();
    try {
      return read(key);
    } catch (CorruptStoreException e) {
      throw log.damageFound(e);
    } finally {
      swapLock.unlockRead(stamp);
    }
  }

  private Optional<byte[]> read(byte[] key) {
    KeyDirectory.Location location = directory.get(key);
    if (location == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ValueReader.read(handles, log.dir(), location, key));
    } catch (IOException e) {
      throw Errors.readFailed(log.dir(), e);
    }
  }

  /**
   * {@return whether {@code key} is live} Costs no I/O.
   *
   * @param key the key to look up
   * @throws IllegalStateException if the store is closed
   */
  public boolean containsKey(byte[] key) {
    Objects.requireNonNull(key, "key");
    ensureOpen();
    return directory.get(key) != null;
  }

  /** {@return the number of live keys} Kept as writes happen; after close, the last count. */
  public int size() {
    return directory.size();
  }

  /**
   * {@return copies of every live key, in unsigned byte order}
   *
   * @throws IllegalStateException if the store is closed
   */
  public List<byte[]> keys() {
    return keys(new byte[0]);
  }

  /**
   * {@return the live keys that start with {@code prefix}, sorted by unsigned byte order} Only
   * those keys are copied: a store's other keys cost one comparison each, no memory.
   *
   * @param prefix the bytes every key returned starts with; empty for every key
   * @throws IllegalStateException if the store is closed
   */
  public List<byte[]> keys(byte[] prefix) {
    Objects.requireNonNull(prefix, "prefix");
    ensureOpen();
    List<KeyDirectory.Item> items = directory.itemsSorted(prefix.clone());
    List<byte[]> keys = new ArrayList<>(items.size());
    for (KeyDirectory.Item item : items) {
      keys.add(item.key()); // itemsSorted copies the keys
    }
    return keys;
  }

  /**
   * {@return where {@code key}'s latest Put lies, with its txid, or empty if the key is not live}
   * The txid is read from the frame, which is checked.
   *
   * @param key the key to look up
   * @throws IllegalStateException if the store is closed
   */
  public Optional<RecordRef> refOf(byte[] key) {
    Objects.requireNonNull(key, "key");
    ensureOpen();
    long stamp = swapLock.readLock();
    try {
      return refOfLocked(key);
    } catch (CorruptStoreException e) {
      throw log.damageFound(e);
    } finally {
      swapLock.unlockRead(stamp);
    }
  }

  private Optional<RecordRef> refOfLocked(byte[] key) {
    KeyDirectory.Location location = directory.get(key);
    if (location == null) {
      return Optional.empty();
    }
    try {
      long txid = ValueReader.txid(handles, log.dir(), location, key);
      return Optional.of(
          new RecordRef(location.segment(), location.offset(), location.length(), txid));
    } catch (IOException e) {
      throw Errors.readFailed(log.dir(), e);
    }
  }

  /**
   * Calls {@code action} with every live key and its value, in unsigned byte order of the key,
   * reading one value at a time.
   *
   * @param action called with a copy of each key and a fresh array of its value
   * @throws IllegalStateException if the store is closed
   */
  public void forEach(BiConsumer<byte[], byte[]> action) {
    ensureOpen();
    long stamp = swapLock.readLock();
    try {
      forEachLocked(action);
    } catch (CorruptStoreException e) {
      throw log.damageFound(e);
    } finally {
      swapLock.unlockRead(stamp);
    }
  }

  private void forEachLocked(BiConsumer<byte[], byte[]> action) {
    for (KeyDirectory.Item item : directory.itemsSorted()) {
      byte[] value;
      try {
        value = ValueReader.read(handles, log.dir(), item.location(), item.key());
      } catch (IOException e) {
        throw Errors.readFailed(log.dir(), e);
      }
      action.accept(item.key(), value); // itemsSorted copies the keys
    }
  }

  /**
   * Makes every write before this call durable.
   *
   * @see RecordLog#fsync()
   */
  public void fsync() {
    log.fsync();
  }

  /**
   * Writes the live state into {@code target}, a new or empty directory: one Put per live key in
   * unsigned byte order of the key, txids from 1, then fsyncs and closes it. Never changes this
   * store; writes may go on meanwhile (the output holds the state when the call began, read from
   * the unchanged log).
   *
   * @param target the directory of the new store: missing, or empty
   * @return what was written into {@code target}
   * @throws DatawalException if {@code target} is not empty or cannot be written
   * @throws IllegalStateException if the store is closed (checked before {@code target} is made)
   */
  public CompactionStats compactTo(Path target) {
    Objects.requireNonNull(target, "target");
    ensureOpen();
    return compaction.compactTo(target);
  }

  /**
   * Compacts the store in place, while reads and writes go on: every sealed segment that holds
   * garbage is rewritten with only the records still needed (the latest Put of each live key in it,
   * and tombstones that may still hide a Put in an older segment), then swapped in with an atomic
   * rename and a directory fsync, or deleted when nothing in it is needed. Segments are done oldest
   * first, one at a time. The active segment is never touched.
   *
   * <p>Surviving records keep their bytes, txids and order, so the log stays a subsequence of the
   * original and stays DWAL v1. Records never move to another segment, so a log follower or scan in
   * progress sees each record at most once. A crash at any point leaves each segment either old or
   * new, both with the same key/value state; a half-written output is deleted (and reported) at the
   * next open. Gets never see a wrong or missing value: a segment's file and its keys' offsets
   * change together. Raw records in the log are not part of the key/value state and are dropped.
   *
   * <p>Before it changes the first segment, compaction deletes the key-directory snapshot
   * (durably), since it would no longer describe the files; when it is done it writes a new one
   * covering the sealed segments (a failure there is logged, not thrown).
   *
   * <p>Only one compaction runs at a time; a second caller waits. A {@link #close()} called
   * meanwhile stops it between segments: it returns what it did up to there, and the close writes
   * the snapshot.
   *
   * @return what it did
   * @throws CorruptStoreException if a sealed segment does not decode cleanly (it is left as is)
   * @throws DatawalException if a file cannot be read or written
   * @throws IllegalStateException if the store is closed
   */
  public CompactionStats compact() {
    return compact(Long.MAX_VALUE);
  }

  /**
   * As {@link #compact()}, but never rewrites or deletes a sealed segment that holds a record with
   * a txid of {@code keepFromTxid} or more: readers of the log that still need those records (a
   * relay, a subscriber) pass the first txid they have not processed, and every record from it on
   * stays exactly as written. Segments are compacted oldest first, so compaction stops at the first
   * segment kept.
   *
   * @param keepFromTxid the lowest txid that must survive; {@link Long#MAX_VALUE} keeps nothing
   *     extra
   * @return what it did
   * @throws CorruptStoreException as for {@link #compact()}
   * @throws DatawalException as for {@link #compact()}
   * @throws IllegalStateException as for {@link #compact()}
   */
  public CompactionStats compact(long keepFromTxid) {
    compactionLock.lock();
    try {
      ensureOpen(); // close holds compactionLock while it runs: a compaction after it finds closing
      return compaction.inPlace(keepFromTxid);
    } finally {
      compactionLock.unlock();
    }
  }

  /**
   * {@return the store's garbage: how many of its bytes the key/value view no longer needs}
   * Measured as writes happen; {@link #compact()} pays when {@link GarbageStats#reclaimableBytes()}
   * is large.
   */
  public GarbageStats garbage() {
    long reclaimable = 0;
    for (Map.Entry<Long, Long> segment : log.writer().sealedSegments().entrySet()) {
      reclaimable += segment.getValue() - usage.live(segment.getKey());
    }
    return new GarbageStats(usage.total(), log.writer().totalBytes(), reclaimable);
  }

  /**
   * Writes every live pair to {@code file} as JSON lines, {@code {"key_b64":"…","value_b64":"…"}},
   * sorted by unsigned byte order of the key, atomically: values are streamed into a temporary file
   * beside it, which is forced and renamed over {@code file}, and the directory is synced. Readers
   * see no file or the whole file.
   *
   * @param file the file to write; replaced if it exists
   * @return the number of lines written
   * @throws DatawalException if the file cannot be written
   * @throws IllegalStateException if the store is closed
   */
  public long exportJsonl(Path file) {
    Objects.requireNonNull(file, "file");
    ensureOpen();
    long stamp = swapLock.readLock(); // the places read below stay valid
    try {
      return JsonlExport.write(
          io,
          file,
          directory.itemsSorted(),
          item -> ValueReader.read(handles, log.dir(), item.location(), item.key()));
    } catch (CorruptStoreException e) {
      throw log.damageFound(e);
    } catch (IOException e) {
      throw new DatawalException(
          "datawal: export to " + file + " failed: " + Errors.describe(e), e);
    } finally {
      swapLock.unlockRead(stamp);
    }
  }

  /** {@return what recovery found when this store was opened} */
  public RecoveryReport recoveryReport() {
    return log.recoveryReport();
  }

  /**
   * Verifies every sealed segment now.
   *
   * @return what the verification found
   * @see RecordLog#verify()
   */
  public VerificationReport verify() {
    return log.verify();
  }

  /**
   * {@return what is known of the store's integrity since it was opened}
   *
   * @see RecordLog#integrity()
   */
  public IntegrityStatus integrity() {
    return log.integrity();
  }

  /**
   * {@return the log under this store, for reading it as a log (scans, followers)} Records appended
   * through it go through this store too: a Put or Delete appended there changes the key/value view
   * exactly as {@link #put} or {@link #delete} would, and Raw records are logged and otherwise
   * ignored. Retention is refused on it ({@link RecordLog#applyRetention()}): this store reclaims
   * space with {@link #compact()}.
   */
  public RecordLog log() {
    return log;
  }

  /**
   * Registers {@code observer} to be told about writes, fsyncs, gets and compactions (for metrics).
   *
   * @param observer quick, thread-safe and non-blocking: it is called on the working thread
   * @see DatawalObserver
   */
  public void addObserver(DatawalObserver observer) {
    log.addObserver(observer);
  }

  /**
   * Removes an observer added with {@link #addObserver}; does nothing if it is not registered.
   *
   * @param observer the observer to remove
   */
  public void removeObserver(DatawalObserver observer) {
    log.removeObserver(observer);
  }

  /** {@return an estimate of the key directory's heap footprint in bytes} */
  public long keyDirectoryBytes() {
    return directory.estimatedBytes();
  }

  /** Whether the key directory still reads a key-directory snapshot in place (tests). */
  boolean keyDirectoryReadsSnapshot() {
    return directory.readsSnapshot();
  }

  /** The number of segment files open for reads now. */
  int openReadHandles() {
    return handles.openCount();
  }

  /**
   * Stops a running compaction at its next segment and waits for it, makes every write durable,
   * then writes the key-directory snapshot (unless the writer is poisoned, or the snapshot on disk
   * is the one this store reads and still covers the whole log; a failure there is logged, not
   * thrown), then closes the log and its read handles, releases the lock, and unmaps the snapshot
   * the key directory read (once the reads still in it have left), so nothing of the store stays
   * open or mapped. Reads that start after close began, and writes after the log closed, throw
   * {@link IllegalStateException}. Idempotent; a second caller returns when the first is done.
   *
   * @see RecordLog#close()
   */
  @Override
  public void close() {
    boolean first = closing.compareAndSet(false, true);
    compactionLock.lock(); // held to the end: no compaction runs or starts until the unmap
    try {
      log.close(first ? snapshots::writeAtClose : null);
    } finally {
      try {
        handles.close();
      } finally {
        directory.close();
        compactionLock.unlock();
      }
    }
  }

  @Override
  public String toString() {
    return "DataWal[" + log.dir() + "]";
  }
}
