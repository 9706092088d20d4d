package dev.datawal;

import dev.datawal.internal.DirectoryLock;
import dev.datawal.internal.Errors;
import dev.datawal.internal.FileHandle;
import dev.datawal.internal.FileIo;
import dev.datawal.internal.KeyDirectorySnapshot;
import dev.datawal.internal.SegmentFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Repairs a store that {@link RecordLog#open} refuses because of damage, by moving each damaged
 * region out of its segment into a quarantine file, so that the store opens again with every valid
 * frame it had, before and after the damage.
 *
 * <p>What it repairs is exactly what makes recovery refuse a store (see {@link
 * SegmentWalker.Damage#tornTail(boolean)}): any damage in a sealed segment; damage in the last
 * segment that a valid frame follows (mid-stream corruption, such as a store the reference
 * implementation appended to after a torn tail); and frames of an unsupported (newer) version
 * anywhere. A torn tail of the last segment is left alone: the writer's open already keeps it as
 * evidence and cuts it.
 *
 * <p>Quarantine files: {@code <segment file>.quarantine-at-<offset>} (with {@code .2}, {@code .3}
 * ... if that name is taken) holds exactly the bytes of the region, as they were at {@code
 * <offset>} of the segment. The name never matches the segment pattern, so recovery ignores it;
 * nothing is ever deleted but the segment bytes that a quarantine file already holds durably.
 *
 * <p>Usage: {@link #plan(Path)} shows what a repair would do without a lock and without changing
 * anything. {@link #lock(Path)} takes the store's exclusive writer lock (failing at once if a
 * writer has it open); {@link #plan()} then plans under the lock, and {@link #apply(Plan)} carries
 * out that plan.
 *
 * <p>Thread-safety: not thread-safe; use an instance from one thread.
 */
public final class StoreRepair implements AutoCloseable {
  /*
   * Durable steps of apply(), each finished before the next begins:
   *
   *   1. keydir.snapshot, if present, is deleted and the directory synced: it describes segment
   *      bytes that are about to move (as compaction does).
   *   2. For each damaged segment, ascending, each region is copied into <quarantine>.tmp, which is
   *      forced, renamed to its quarantine name, and the directory synced: the bytes now survive a
   *      power cut outside the segment.
   *   3. The segment's kept bytes (everything but its regions, in order) are copied into
   *      <segment>.repairing, which is forced, walked to check that it now decodes as recovery
   *      requires, renamed over the segment, and the directory synced.
   *
   * A crash leaves each segment either as it was or repaired, and each removed byte in a
   * quarantine file; at worst a region is quarantined twice (a rerun picks a new name). A leftover
   * <quarantine>.tmp or <segment>.repairing was never renamed, so its segment still holds those
   * bytes: the next apply() deletes them (and reports them).
   */

  static final String QUARANTINE_MARKER = ".quarantine-at-";
  static final String TMP = ".tmp";
  static final String REPAIRING = ".repairing";
  private static final int CHUNK = 1 << 20;

  /**
   * One damaged region to move out of its segment.
   *
   * @param segment the segment id
   * @param offset where the region starts in the segment
   * @param length how many bytes it spans
   * @param kind what is wrong at {@code offset}
   * @param detail what exactly is wrong there
   * @param file the quarantine file that gets exactly these bytes
   */
  public record Quarantine(
      long segment, long offset, long length, CorruptionKind kind, String detail, Path file) {}

  /**
   * What a repair does.
   *
   * @param dir the store directory
   * @param sizes every segment's size when planned, by id; {@link #apply} refuses a segment that
   *     changed since
   * @param quarantines the regions to move out, in log order
   * @param tornTails damage at the end of the last segment that is left for the writer's open,
   *     which keeps it as evidence and cuts it
   * @param snapshotPresent whether a key-directory snapshot is present; a repair deletes it
   */
  public record Plan(
      Path dir,
      SortedMap<Long, Long> sizes,
      List<Quarantine> quarantines,
      List<SegmentWalker.Damage> tornTails,
      boolean snapshotPresent) {

    /** Copies the collections so the plan is immutable. */
    public Plan {
      sizes = Collections.unmodifiableSortedMap(new TreeMap<>(sizes));
      quarantines = List.copyOf(quarantines);
      tornTails = List.copyOf(tornTails);
    }

    /** Whether anything blocks opening the store, so that a repair has something to do. */
    public boolean needed() {
      return !quarantines.isEmpty();
    }

    /** The bytes the repair moves into quarantine files. */
    public long quarantinedBytes() {
      return quarantines.stream().mapToLong(Quarantine::length).sum();
    }
  }

  /**
   * What {@link #apply} did.
   *
   * @param plan the plan it carried out
   * @param leftoversRemoved files an interrupted earlier repair left, which it deleted first
   * @param snapshotDeleted whether it deleted the key-directory snapshot
   */
  public record Result(Plan plan, List<Path> leftoversRemoved, boolean snapshotDeleted) {
    /** Copies the list so the result is immutable. */
    public Result {
      leftoversRemoved = List.copyOf(leftoversRemoved);
    }
  }

  private final FileIo io;
  private final Path dir;
  private final DirectoryLock lock;
  private Plan planned;
  private boolean closed;

  private StoreRepair(FileIo io, Path dir, DirectoryLock lock) {
    this.io = io;
    this.dir = dir;
    this.lock = lock;
  }

  /**
   * What a repair of the store in {@code dir} would do now. Takes no lock and changes nothing; with
   * a live writer, a frame it is appending may show as a torn tail.
   *
   * @throws DatawalException if {@code dir} is not a store directory or cannot be read
   */
  public static Plan plan(Path dir) {
    return plan(FileIo.system(), dir);
  }

  static Plan plan(FileIo io, Path dir) {
    requireStore(io, dir);
    try {
      return compute(io, dir);
    } catch (IOException e) {
      throw Errors.readFailed(dir, e);
    }
  }

  /**
   * Takes the exclusive writer lock of the store in {@code dir} for a repair. Never creates the
   * directory.
   *
   * @throws StoreLockedException if a writer, in this process or another, has the store open
   * @throws DatawalException if {@code dir} is not a directory, or the lock cannot be taken
   */
  public static StoreRepair lock(Path dir) {
    return lock(FileIo.system(), dir);
  }

  static StoreRepair lock(FileIo io, Path dir) {
    Objects.requireNonNull(dir, "dir");
    requireStore(io, dir);
    return new StoreRepair(io, dir, DirectoryLock.acquire(io, dir));
  }

  /**
   * Plans the repair under the lock: nothing can change the store until {@link #apply} or {@link
   * #close}. Changes nothing.
   *
   * @throws IllegalStateException if closed
   * @throws DatawalException if the store cannot be read
   */
  public Plan plan() {
    ensureOpen();
    try {
      planned = compute(io, dir);
      return planned;
    } catch (IOException e) {
      throw Errors.readFailed(dir, e);
    }
  }

  /**
   * Carries out {@code plan}, durably (see the class comment), and returns what it did. Does
   * nothing to the segments if the plan is not {@linkplain Plan#needed() needed}.
   *
   * @param plan the plan the last {@link #plan()} call of this instance returned; it can be applied
   *     once
   * @throws IllegalArgumentException if {@code plan} is not that plan, or was applied already
   * @throws IllegalStateException if closed
   * @throws DatawalException if a damaged segment changed since it was planned (nothing of that
   *     segment was changed then), if a repaired segment would still not decode (it is left as it
   *     was; quarantine files already written are kept), or if a file cannot be written
   */
  public Result apply(Plan plan) {
    ensureOpen();
    if (plan == null || plan != planned) {
      throw new IllegalArgumentException(
          "apply the plan this repair made under its lock (call plan() first)");
    }
    planned = null; // used up, even if this fails part way: anything more needs a new plan
    try {
      List<Path> leftovers = deleteLeftovers();
      if (!plan.needed()) {
        return new Result(plan, leftovers, false);
      }
      Map<Long, List<Quarantine>> bySegment = new TreeMap<>();
      for (Quarantine q : plan.quarantines()) {
        bySegment.computeIfAbsent(q.segment(), id -> new ArrayList<>()).add(q);
      }
      boolean snapshotDeleted = KeyDirectorySnapshot.delete(io, dir); // step 1
      long lastSegment = plan.sizes().lastKey();
      for (Map.Entry<Long, List<Quarantine>> segment : bySegment.entrySet()) {
        long id = segment.getKey();
        repairSegment(id, plan.sizes().get(id), segment.getValue(), id == lastSegment);
      }
      return new Result(plan, leftovers, snapshotDeleted);
    } catch (IOException e) {
      throw new DatawalException(
          "datawal: repair of store " + dir + " failed: " + Errors.describe(e), e);
    }
  }

  /** Releases the lock. Idempotent. */
  @Override
  public void close() {
    closed = true;
    try {
      lock.close();
    } catch (IOException e) {
      throw new DatawalException(
          "datawal: failed to release the lock of " + dir + ": " + Errors.describe(e), e);
    }
  }

  private void repairSegment(long id, long plannedSize, List<Quarantine> regions, boolean last)
      throws IOException {
    Path path = SegmentFiles.path(dir, id);
    try (FileHandle source = io.openRead(path)) {
      long size = source.size();
      if (size != plannedSize) {
        throw new DatawalException(
            "datawal: segment "
                + id
                + " ("
                + path
                + ") is "
                + size
                + " bytes, not the "
                + plannedSize
                + " planned: it changed since the plan; plan again");
      }
      for (Quarantine q : regions) {
        quarantine(source, q); // step 2
      }
      replace(source, id, path, size, regions, last); // step 3
    }
  }

  /** Copies one region into its quarantine file, durably. */
  private void quarantine(FileHandle source, Quarantine q) throws IOException {
    Path tmp = q.file().resolveSibling(q.file().getFileName() + TMP);
    io.deleteIfExists(tmp);
    try (FileHandle out = io.openWrite(tmp, true)) {
      copy(source, q.offset(), q.length(), out, 0);
      out.force(); // the copy's bytes are on disk before its name is
    }
    io.atomicMove(tmp, q.file());
    io.syncDirectory(dir); // and now its name is: the bytes survive outside the segment
  }

  /** Writes the segment without its regions beside it, checks it, and renames it into place. */
  private void replace(
      FileHandle source, long id, Path path, long size, List<Quarantine> regions, boolean last)
      throws IOException {
    Path tmp = dir.resolve(path.getFileName() + REPAIRING);
    io.deleteIfExists(tmp);
    try (FileHandle out = io.openWrite(tmp, true)) {
      long from = 0;
      long written = 0;
      for (Quarantine q : regions) { // in offset order
        written += copy(source, from, q.offset() - from, out, written);
        from = q.offset() + q.length();
      }
      copy(source, from, size - from, out, written);
      out.force(); // the new contents are on disk before they take the segment's name
    }
    String problem = stillDamaged(tmp, id, last);
    if (problem != null) {
      io.deleteIfExists(tmp);
      throw new DatawalException(
          "datawal: repair of segment "
              + id
              + " ("
              + path
              + ") stopped: without its damaged regions it would still not open ("
              + problem
              + "); the segment is unchanged, the quarantine files written are kept");
    }
    io.atomicMove(tmp, path);
    io.syncDirectory(dir); // the repaired segment replaces the damaged one across a power cut
  }

  /** Why {@code file} would still make recovery refuse the store, or {@code null}. */
  private String stillDamaged(Path file, long id, boolean last) {
    try (SegmentWalker walker = SegmentWalker.open(io, file, id, false)) {
      for (SegmentWalker.Item item = walker.next(); item != null; item = walker.next()) {
        if (item instanceof SegmentWalker.Damage d && !d.tornTail(last)) {
          return d.kindPhrase() + " at offset " + d.offset() + ": " + d.detail();
        }
      }
      return null;
    }
  }

  /** Copies {@code length} bytes from {@code from} of {@code in} to {@code at} of {@code out}. */
  private static long copy(FileHandle in, long from, long length, FileHandle out, long at)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.max(1, Math.min(CHUNK, length)));
    long done = 0;
    while (done < length) {
      buf.clear().limit((int) Math.min(buf.capacity(), length - done));
      int n = in.read(buf, from + done);
      if (n < 0) {
        throw new IOException("segment ended at " + (from + done) + ", before " + (from + length));
      }
      out.write(buf.flip(), at + done);
      done += n;
    }
    return length;
  }

  /** Deletes what an interrupted repair left: copies never renamed into place. */
  private List<Path> deleteLeftovers() throws IOException {
    List<Path> deleted = new ArrayList<>();
    for (String name : io.list(dir)) {
      boolean quarantineCopy = name.contains(".dwal" + QUARANTINE_MARKER) && name.endsWith(TMP);
      boolean segmentCopy =
          name.endsWith(REPAIRING)
              && SegmentFiles.parseId(name.substring(0, name.length() - REPAIRING.length())) >= 0;
      if (quarantineCopy || segmentCopy) {
        io.deleteIfExists(dir.resolve(name));
        deleted.add(dir.resolve(name));
      }
    }
    if (!deleted.isEmpty()) {
      io.syncDirectory(dir);
    }
    return deleted;
  }

  private static Plan compute(FileIo io, Path dir) throws IOException {
    List<Long> ids = SegmentFiles.list(io, dir);
    SortedMap<Long, Long> sizes = new TreeMap<>();
    List<Quarantine> quarantines = new ArrayList<>();
    List<SegmentWalker.Damage> tornTails = new ArrayList<>();
    Set<Path> taken = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      long id = ids.get(i);
      boolean last = i == ids.size() - 1;
      SegmentWalker walker;
      try {
        walker = SegmentWalker.open(io, SegmentFiles.path(dir, id), id, false);
      } catch (DatawalException e) {
        if (e.getCause() instanceof NoSuchFileException) {
          continue; // deleted by a live writer since the listing (lockless plans only)
        }
        throw e;
      }
      try (walker) {
        sizes.put(id, walker.size());
        for (SegmentWalker.Item item = walker.next(); item != null; item = walker.next()) {
          if (item instanceof SegmentWalker.Damage d) {
            if (d.tornTail(last)) {
              tornTails.add(d);
            } else {
              Path file =
                  freeName(io, dir, SegmentFiles.fileName(id) + QUARANTINE_MARKER, d, taken);
              quarantines.add(
                  new Quarantine(id, d.offset(), d.length(), d.kind(), d.detail(), file));
            }
          }
        }
      }
    }
    boolean snapshot = io.kind(KeyDirectorySnapshot.path(dir)) != FileIo.Kind.MISSING;
    return new Plan(dir, sizes, quarantines, tornTails, snapshot);
  }

  private static Path freeName(
      FileIo io, Path dir, String prefix, SegmentWalker.Damage d, Set<Path> taken)
      throws IOException {
    String base = prefix + d.offset();
    Path candidate = dir.resolve(base);
    for (int n = 2; taken.contains(candidate) || io.kind(candidate) != FileIo.Kind.MISSING; n++) {
      candidate = dir.resolve(base + "." + n);
    }
    taken.add(candidate);
    return candidate;
  }

  private static void requireStore(FileIo io, Path dir) {
    Objects.requireNonNull(dir, "dir");
    try {
      SegmentFiles.requireStoreDirectory(io, dir);
    } catch (IOException e) {
      throw Errors.readFailed(dir, e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
  }
}
