package dev.datawal.internal.log;

import dev.datawal.Entry;
import dev.datawal.RecordRef;
import dev.datawal.RecordType;
import dev.datawal.WriterPoisonedException;
import dev.datawal.internal.format.FrameDigest;
import dev.datawal.internal.format.FrameFormat;
import dev.datawal.internal.format.GroupMarker;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The append side of a log: the active segment, rotation, txids, and poisoning. Appends are
 * serialized by one lock, so txids increase in file order; forcing is {@link GroupCommit}'s job and
 * happens outside this lock.
 *
 * <p>Jobs: appending (txids, encoding, writing, and rotation with the seal's manifest record), the
 * segment table (which segments are sealed and their sizes, read by scans, retention and
 * compaction, changed by their swaps and deletions), and the poison. They stay together because
 * they share the one lock: an append or a rotation changes the txids and the table in one step, so
 * a scan's spans, or the sealed sizes with their txid bound, are taken in one step too; and every
 * change checks the poison under that lock before it writes.
 *
 * <p>Thread-safe.
 */
public final class LogWriter {
  /** Told of every record while the writer's lock is held, so it sees them in log order. */
  @FunctionalInterface
  public interface Listener {
    /** Called after {@code ref}'s frame is written, before the append returns. */
    void appended(RecordType type, byte[] key, RecordRef ref);
  }

  /**
   * What a sync must force to cover everything written so far.
   *
   * @param segment the active segment
   * @param upTo the written position (its txid is the last append)
   * @param dirVersion how often the directory has changed
   */
  public record SyncTarget(ActiveSegment segment, Position upTo, long dirVersion) {}

  /**
   * Frames are encoded into one reusable direct buffer of at most this size, then written from it.
   * It starts at {@link #FIRST_ENCODE_BUFFER} on the first append and doubles as frames or batches
   * need, so that opening a store (and a store that is only read) allocates nothing.
   */
  private static final int ENCODE_BUFFER = 1 << 20;

  private static final int FIRST_ENCODE_BUFFER = 4096;

  private static final byte[] EMPTY = new byte[0];

  private final FileIo io;
  private final Path dir;
  private final long maxSegmentSize;
  private final Watermarks marks;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicReference<WriterPoisonedException> poison = new AtomicReference<>();
  private final AtomicInteger appendsInFlight = new AtomicInteger();

  private @Nullable ByteBuffer encoded; // under lock, see encodeBuffer
  private final CRC32C crc = new CRC32C(); // under lock
  private final TreeMap<Long, Long> sealed; // id to size in bytes
  private final ManifestKeeper manifest;
  private ActiveSegment active;
  // Where scans of the active segment end: its size after the last whole append. Behind the size
  // only while a record group is written, or after a group's write failed part way (poisoned).
  private long readable;
  // The active segment's frames so far, for the manifest's record of it once sealed; records -1:
  // unknown (the digest then means nothing). Guarded by lock.
  private long activeRecords;
  private long activeFirstTxid;
  private long activeDigest;
  private long nextTxid;
  private long sealedLastTxid; // at least every sealed record's txid, below every active one's
  private long dirVersion;
  private boolean closed;

  /**
   * A writer continuing the recovered log, recording seals in {@code manifest}. A store recovered
   * read-only ({@link Recovery.Result#readOnlyReason()}) starts poisoned with that reason.
   */
  public LogWriter(
      FileIo io,
      Path dir,
      long maxSegmentSize,
      Recovery.Result recovered,
      Watermarks marks,
      ManifestKeeper manifest) {
    this.io = io;
    this.dir = dir;
    this.maxSegmentSize = maxSegmentSize;
    this.marks = marks;
    this.manifest = manifest;
    this.sealed = new TreeMap<>(recovered.sealed());
    this.active = recovered.active();
    this.readable = active.size();
    // Never below the floor: a txid that compaction or retention deleted is not handed out again.
    this.nextTxid =
        Math.max(recovered.report().lastTxidSeen(), recovered.manifest().txidFloor()) + 1;
    this.sealedLastTxid = recovered.sealedLastTxid();
    StoreManifest.Shape activeShape = recovered.manifest().active().shape();
    this.activeRecords = activeShape.records();
    this.activeDigest = activeShape.digest();
    this.activeFirstTxid = recovered.activeFirstTxid();
    if (recovered.readOnlyReason() != null) {
      poison("the store was opened read-only: " + recovered.readOnlyReason(), null);
    }
  }

  /**
   * The active segment's contents so far, as the manifest records a segment (without its tail
   * check), also after the writer closed.
   *
   * @param id the active segment's id
   * @param shape its length, records, txids and frame digest; tail check 0
   */
  public record ActiveState(long id, StoreManifest.Shape shape) {}

  /** The active segment's contents so far (see {@link ActiveState}). */
  public ActiveState activeState() {
    lock.lock();
    try {
      return new ActiveState(active.id(), activeShape(0));
    } finally {
      lock.unlock();
    }
  }

  /** The active segment as the manifest records it, with tail check {@code tailCrc}. */
  private StoreManifest.Shape activeShape(int tailCrc) {
    boolean empty = active.size() == 0;
    return new StoreManifest.Shape(
        active.size(),
        activeRecords,
        empty ? 0 : activeFirstTxid,
        empty ? 0 : nextTxid - 1,
        activeDigest,
        tailCrc);
  }

  /** Counts a frame just written to the active segment. Called under the lock. */
  private void counted(long txid, int frameCrc) {
    if (activeRecords == 0) {
      activeFirstTxid = txid;
    }
    if (activeRecords >= 0) {
      activeRecords++;
      activeDigest = FrameDigest.next(activeDigest, txid, frameCrc);
    }
  }

  /**
   * The sealed segments and a txid at least that of every record in them and below that of every
   * record after them, taken together under the lock.
   *
   * @param sizes id to size in bytes, ascending
   * @param lastTxid the txid bound
   */
  public record Sealed(TreeMap<Long, Long> sizes, long lastTxid) {}

  /** The sealed segments with their txid bound (see {@link Sealed}). */
  public Sealed sealed() {
    lock.lock();
    try {
      return new Sealed(new TreeMap<>(sealed), sealedLastTxid);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends one record.
   *
   * @throws dev.datawal.LimitExceededException if the key or payload is over its limit
   * @throws WriterPoisonedException if poisoned, or the write failed and poisoned it
   * @throws IllegalStateException if closed
   */
  public RecordRef append(RecordType type, byte[] key, byte[] payload, Listener listener) {
    checkRecord(key, payload);
    int length = FrameFormat.frameLength(key.length, payload.length);
    appendsInFlight.incrementAndGet();
    lock.lock();
    try {
      ensureWritable();
      rotateIfFull(length);
      long txid = nextTxid;
      long offset;
      int frameCrc;
      if (length <= ENCODE_BUFFER) {
        ByteBuffer buffer = encodeBuffer(length);
        FrameFormat.encodeInto(buffer, type, txid, key, payload, crc);
        frameCrc = (int) crc.getValue();
        offset = write(buffer.flip());
      } else {
        ByteBuffer frame = FrameFormat.encode(type, txid, key, payload);
        frameCrc = frame.getInt(frame.limit() - FrameFormat.CRC_SIZE);
        offset = write(frame);
      }
      counted(txid, frameCrc);
      nextTxid = txid + 1;
      readable = active.size();
      RecordRef ref = new RecordRef(active.id(), offset, length, txid);
      published(ref);
      listener.appended(type, key, ref);
      return ref;
    } finally {
      lock.unlock();
      appendsInFlight.decrementAndGet();
    }
  }

  /**
   * The cleared encode buffer, grown (by doubling, up to {@link #ENCODE_BUFFER}) to hold {@code
   * wanted} bytes if it can. Called under the lock.
   */
  private ByteBuffer encodeBuffer(long wanted) {
    long capacity = Math.min(wanted, ENCODE_BUFFER);
    if (encoded == null || encoded.capacity() < capacity) {
      int size = encoded == null ? FIRST_ENCODE_BUFFER : encoded.capacity();
      while (size < capacity) {
        size <<= 1;
      }
      encoded = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    }
    return encoded.clear();
  }

  /** How many appends are waiting for or holding the writer's lock right now. */
  public int appendsInFlight() {
    return appendsInFlight.get();
  }

  /**
   * Checks a record before anything is written: key and payload within their limits, and a key not
   * reserved for the markers of record groups.
   */
  public static void checkRecord(byte[] key, byte[] payload) {
    FrameFormat.checkLimits(key.length, payload.length);
    GroupMarker.checkNotReserved(key);
  }

  /**
   * Appends several records back to back, in as few writes as possible, with consecutive txids. All
   * limits are checked before anything is written. A batch larger than the segment size goes to a
   * segment of its own.
   */
  public List<RecordRef> append(List<Entry> entries, Listener listener) {
    return append(entries, listener, false);
  }

  /**
   * Appends several records as one record group: a {@link GroupMarker} frame, then the records, in
   * one segment, written as a batch is. Recovery keeps the group whole or drops it whole. One
   * record is written alone (a single frame is atomic already), none writes nothing. Readers see
   * the group only once all of it is written: the written mark, and so the durable one, moves past
   * it at once, and a scan's span of the active segment ends before it until then (also if a write
   * fails part way and poisons the writer).
   */
  public List<RecordRef> appendGroup(List<Entry> entries, Listener listener) {
    return append(entries, listener, entries.size() > 1);
  }

  private List<RecordRef> append(List<Entry> entries, Listener listener, boolean group) {
    long total = 0;
    for (Entry e : entries) {
      checkRecord(e.key(), e.payload());
      total += FrameFormat.frameLength(e.key().length, e.payload().length);
    }
    GroupMarker marker = group ? new GroupMarker(entries.size(), total) : null;
    if (marker != null) {
      total += GroupMarker.FRAME_LENGTH;
    }
    List<RecordRef> refs = new ArrayList<>(entries.size());
    appendsInFlight.incrementAndGet();
    lock.lock();
    try {
      ensureWritable();
      rotateIfFull(total); // a batch or group never spans two segments
      long txid = nextTxid;
      ByteBuffer buffer = encodeBuffer(total); // frames gathered for one write
      if (marker != null) {
        FrameFormat.encodeInto(buffer, RecordType.DELETE, txid, marker.key(), EMPTY, crc);
        counted(txid++, (int) crc.getValue());
      }
      for (Entry e : entries) {
        int length = FrameFormat.frameLength(e.key().length, e.payload().length);
        if (length > buffer.remaining() && buffer.position() > 0) {
          write(buffer.flip());
          buffer.clear();
          if (marker == null) {
            readable = active.size();
          }
        }
        long offset = active.size() + buffer.position();
        int frameCrc;
        if (length > buffer.capacity()) {
          ByteBuffer frame = FrameFormat.encode(e.type(), txid, e.key(), e.payload());
          frameCrc = frame.getInt(frame.limit() - FrameFormat.CRC_SIZE);
          write(frame);
          if (marker == null) {
            readable = active.size();
          }
        } else {
          FrameFormat.encodeInto(buffer, e.type(), txid, e.key(), e.payload(), crc);
          frameCrc = (int) crc.getValue();
        }
        counted(txid, frameCrc);
        refs.add(new RecordRef(active.id(), offset, length, txid++));
      }
      if (buffer.position() > 0) {
        write(buffer.flip());
      }
      nextTxid = txid;
      readable = active.size();
      for (int i = 0; i < refs.size(); i++) {
        listener.appended(entries.get(i).type(), entries.get(i).key(), refs.get(i));
      }
      if (!refs.isEmpty()) {
        published(refs.get(refs.size() - 1));
      }
      return refs;
    } finally {
      lock.unlock();
      appendsInFlight.decrementAndGet();
    }
  }

  /** Seals the active segment, durably, and starts the next one. */
  public void rotate() {
    lock.lock();
    try {
      ensureWritable();
      rotateLocked();
    } finally {
      lock.unlock();
    }
  }

  /** What a sync must force now; fails if the writer is closed or poisoned. */
  public SyncTarget syncTarget() {
    lock.lock();
    try {
      ensureWritable();
      return new SyncTarget(active, marks.written(), dirVersion);
    } finally {
      lock.unlock();
    }
  }

  /** The segments and how far each is written, for a scan of a consistent prefix. */
  public List<LogScanner.Span> spans() {
    lock.lock();
    try {
      ensureOpen();
      List<LogScanner.Span> spans = new ArrayList<>(sealed.size() + 1);
      for (long id : sealed.keySet()) {
        spans.add(new LogScanner.Span(id, LogScanner.Span.TO_END));
      }
      spans.add(new LogScanner.Span(active.id(), readable));
      return spans;
    } finally {
      lock.unlock();
    }
  }

  /** The sealed segments (every one before the active one): id to size in bytes. */
  public TreeMap<Long, Long> sealedSegments() {
    lock.lock();
    try {
      return new TreeMap<>(sealed);
    } finally {
      lock.unlock();
    }
  }

  /** Every segment, sealed and active: id to size in bytes, taken together under the lock. */
  public TreeMap<Long, Long> segmentSizes() {
    lock.lock();
    try {
      ensureOpen();
      TreeMap<Long, Long> sizes = new TreeMap<>(sealed);
      sizes.put(active.id(), active.size());
      return sizes;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Every segment, sealed and active: id to size in bytes, also after the writer closed (the sizes
   * it closed with).
   */
  public TreeMap<Long, Long> segmentSizesEvenIfClosed() {
    lock.lock();
    try {
      TreeMap<Long, Long> sizes = new TreeMap<>(sealed);
      sizes.put(active.id(), active.size());
      return sizes;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the writer is closed. */
  public boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** The bytes of the sealed segments. */
  public long sealedBytes() {
    lock.lock();
    try {
      long total = 0;
      for (long size : sealed.values()) {
        total += size;
      }
      return total;
    } finally {
      lock.unlock();
    }
  }

  /** The bytes of every segment: sealed ones and what is written to the active one. */
  public long totalBytes() {
    lock.lock();
    try {
      return sealedBytes() + active.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Records that sealed segment {@code id} was replaced by a file of {@code size} bytes, or deleted
   * ({@code size < 0}), by compaction or retention.
   */
  public void sealedSegmentChanged(long id, long size) {
    lock.lock();
    try {
      if (!sealed.containsKey(id)) {
        throw new IllegalStateException("segment " + id + " is not sealed");
      }
      if (size < 0) {
        sealed.remove(id);
      } else {
        sealed.put(id, size);
      }
    } finally {
      lock.unlock();
    }
  }

  /** The active segment's id. */
  public long activeSegment() {
    lock.lock();
    try {
      return active.id();
    } finally {
      lock.unlock();
    }
  }

  /** The txid of the last record appended or recovered, 0 if none. */
  public long lastTxid() {
    lock.lock();
    try {
      return nextTxid - 1;
    } finally {
      lock.unlock();
    }
  }

  /** Whether a failed write, force or rotation poisoned the writer. */
  public boolean isPoisoned() {
    return poison.get() != null;
  }

  /** The exception that every change throws now, or {@code null} if not poisoned. */
  public @Nullable WriterPoisonedException poisoned() {
    WriterPoisonedException p = poison.get();
    return p == null ? null : new WriterPoisonedException(p.reason(), p.getCause());
  }

  /** Poisons the writer (the first reason stays) and returns the exception to throw. */
  public WriterPoisonedException poison(String reason, @Nullable IOException cause) {
    WriterPoisonedException e = new WriterPoisonedException(reason, cause);
    poison.compareAndSet(null, e);
    return e;
  }

  /**
   * Closes the writer: runs {@code finalSync} (unless poisoned) with the lock held and appends
   * barred, then closes the active segment. Returns {@code false} if it was already closed.
   */
  public boolean close(Runnable finalSync) throws IOException {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      try {
        if (poison.get() == null) {
          finalSync.run();
          closeActiveCleanly();
        }
      } finally {
        closed = true;
        active.close();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Closes the active segment at a clean close: its preallocated zeros are cut off and the cut is
   * forced, so a cleanly closed store is plain DWAL v1. A failure poisons.
   */
  private void closeActiveCleanly() {
    try {
      active.closeCleanly();
    } catch (IOException e) {
      throw poison(
          "cutting the preallocated space off "
              + active.path()
              + " at close failed: "
              + Errors.describe(e),
          e);
    }
  }

  /** Throws if closed. */
  public void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("datawal: log " + dir + " is closed");
    }
  }

  private void ensureWritable() {
    ensureOpen();
    WriterPoisonedException p = poisoned();
    if (p != null) {
      throw p;
    }
  }

  private void rotateIfFull(long frameBytes) {
    if (active.size() > 0 && active.size() + frameBytes > maxSegmentSize) {
      rotateLocked();
    }
  }

  private long write(ByteBuffer frame) {
    try {
      return active.append(frame, maxSegmentSize);
    } catch (IOException e) {
      throw poison("write to " + active.path() + " failed: " + Errors.describe(e), e);
    }
  }

  private void published(RecordRef last) {
    marks.wrote(new Position(last.segment(), last.offset() + last.length(), last.txid()));
  }

  private void rotateLocked() {
    long nextId = SegmentFiles.nextId(active.id());
    StoreManifest.Shape sealedShape;
    // Force the old segment before the new one exists: recovery treats damage in any segment but
    // the last as corruption, so a sealed segment must never have an unsynced tail.
    try {
      sealedShape = activeShape(active.tailCrc());
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
    long sealedId = active.id();
    sealed.put(sealedId, active.size());
    sealedLastTxid = nextTxid - 1;
    active = next;
    readable = 0;
    activeRecords = 0;
    activeFirstTxid = 0;
    activeDigest = FrameDigest.EMPTY;
    dirVersion++; // the new entry is synced by the next sync, before anything in it is durable
    try {
      // The sealed segment's record, with its digest, before anything is appended to the next.
      manifest.sealed(sealedId, sealedShape, nextId);
    } catch (IOException e) {
      throw poison(
          "recording sealed segment "
              + sealedId
              + " in "
              + StoreManifest.FILE_NAME
              + " failed: "
              + Errors.describe(e),
          e);
    }
  }

  /** The store's manifest, which this writer records seals in. */
  public ManifestKeeper manifest() {
    return manifest;
  }

  FileIo io() {
    return io;
  }

  Path dir() {
    return dir;
  }

  /**
   * The txid of the first record after sealed segment {@code id}: the first frame of the next
   * non-empty segment, or the next txid to be assigned if every later segment is empty. Every txid
   * in segment {@code id} is below it. Retention and key/value compaction use it to keep what
   * readers still need.
   */
  public long firstTxidAfter(long id) throws IOException {
    for (long next : sealedSegments().tailMap(id, false).keySet()) {
      OptionalLong first = SegmentFiles.firstTxid(io, SegmentFiles.path(dir, next));
      if (first.isPresent()) {
        return first.getAsLong();
      }
    }
    OptionalLong first = SegmentFiles.firstTxid(io, SegmentFiles.path(dir, activeSegment()));
    return first.isPresent() ? first.getAsLong() : lastTxid() + 1;
  }
}
