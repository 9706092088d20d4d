package dev.datawal.internal.log;

import dev.datawal.internal.format.FrameDigest;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the store's manifest ({@link StoreManifest}) up to date as a writer changes the store:
 * every change of a sealed segment is recorded before it can take effect on disk (a rewrite or
 * deletion is first recorded as "either the old or the new"), so that at every instant, across any
 * crash, the manifest on disk accepts exactly the segment files a correct store can have.
 *
 * <ul>
 *   <li>seal: after the sealed segment is forced and the next one created, the manifest records the
 *       sealed one and the new active one (its directory sync also makes the new name durable);
 *   <li>compaction: before the rename or deletion of a segment, {@link #replacing}; after it,
 *       {@link #replaced} (recorded at the next write);
 *   <li>retention: before the deletions, {@link #deleting}; after them, {@link #deleted};
 *   <li>clean close: {@link #closed}, the whole active segment.
 * </ul>
 *
 * <p>The txid floor only rises: it is the highest txid any record the manifest ever recorded had,
 * so a txid that compaction or retention deleted is never handed out again.
 *
 * <p>Thread-safe: changes are serialized; a change never calls back into the writer, so a caller
 * may hold the writer's lock.
 */
public final class ManifestKeeper {
  private final FileIo io;
  private final Path dir;
  private StoreManifest current; // guarded by this
  private boolean unwritten; // current says more than the file; guarded by this
  private boolean closed; // the store's lock is released: nothing more is written; guarded by this

  /**
   * A keeper starting from {@code recovered}, which is what the file on disk says unless the store
   * was opened read-only.
   */
  public ManifestKeeper(FileIo io, Path dir, StoreManifest recovered) {
    this.io = io;
    this.dir = dir;
    this.current = recovered;
  }

  /** The manifest as last recorded or to be recorded. */
  public synchronized StoreManifest current() {
    return current;
  }

  /**
   * Records that segment {@code sealed.id()} is sealed with {@code shape}, and that {@code
   * nextActive} is the new, empty active segment.
   */
  public synchronized void sealed(long id, StoreManifest.Shape shape, long nextActive)
      throws IOException {
    SortedMap<Long, StoreManifest.Sealed> sealed = new TreeMap<>(current.sealed());
    sealed.put(id, new StoreManifest.Sealed(id, shape));
    StoreManifest.Active active =
        new StoreManifest.Active(
            nextActive, new StoreManifest.Shape(0, 0, 0, 0, FrameDigest.EMPTY, 0));
    write(current.with(false, floor(shape), active, sealed));
  }

  /**
   * Records, before sealed segment {@code id} is rewritten or deleted, that it may now hold either
   * what it held or {@code next} ({@code null}: be gone).
   */
  public synchronized void replacing(long id, StoreManifest.@Nullable Shape next)
      throws IOException {
    SortedMap<Long, StoreManifest.Sealed> sealed = new TreeMap<>(current.sealed());
    StoreManifest.Sealed now = sealed.get(id);
    if (now == null) {
      throw new IllegalStateException("segment " + id + " is not recorded as sealed");
    }
    sealed.put(
        id,
        next == null
            ? new StoreManifest.Sealed(id, now.shape(), null, true)
            : new StoreManifest.Sealed(id, now.shape(), next, false));
    write(current.with(false, current.txidFloor(), current.active(), sealed));
  }

  /**
   * Records that the rewrite or deletion of segment {@code id} took effect durably: it holds {@code
   * now} ({@code null}: it is gone). Written with the next change, or {@link #flush()}.
   */
  public synchronized void replaced(long id, StoreManifest.@Nullable Shape now) {
    SortedMap<Long, StoreManifest.Sealed> sealed = new TreeMap<>(current.sealed());
    if (now == null) {
      sealed.remove(id);
    } else {
      sealed.put(id, new StoreManifest.Sealed(id, now));
    }
    current = current.with(false, current.txidFloor(), current.active(), sealed);
    unwritten = true;
  }

  /** Records, before sealed segments {@code ids} are deleted, that they may be gone. */
  public synchronized void deleting(List<Long> ids) throws IOException {
    SortedMap<Long, StoreManifest.Sealed> sealed = new TreeMap<>(current.sealed());
    for (long id : ids) {
      StoreManifest.Sealed now = sealed.get(id);
      if (now == null) {
        throw new IllegalStateException("segment " + id + " is not recorded as sealed");
      }
      sealed.put(id, new StoreManifest.Sealed(id, now.shape(), null, true));
    }
    write(current.with(false, current.txidFloor(), current.active(), sealed));
  }

  /** Records that sealed segments {@code ids} are gone, durably. */
  public synchronized void deleted(List<Long> ids) throws IOException {
    SortedMap<Long, StoreManifest.Sealed> sealed = new TreeMap<>(current.sealed());
    for (long id : ids) {
      sealed.remove(id);
    }
    write(current.with(false, current.txidFloor(), current.active(), sealed));
  }

  /**
   * Records, at a clean close after the final fsync, that the active segment {@code id} holds
   * {@code shape} in full.
   */
  public synchronized void closed(long id, StoreManifest.Shape shape) throws IOException {
    write(current.with(true, floor(shape), new StoreManifest.Active(id, shape), current.sealed()));
  }

  /**
   * Records damage found while the store is open, so that every later open fails until a repair
   * accepts it. Does nothing if it is recorded already.
   */
  public synchronized void damageFound(StoreManifest.Damage damage) throws IOException {
    if (current.damage().contains(damage)) {
      return;
    }
    List<StoreManifest.Damage> all = new ArrayList<>(current.damage());
    all.add(damage);
    write(current.withDamage(all));
  }

  /** Writes what {@link #replaced} recorded, if anything is unwritten. */
  public synchronized void flush() throws IOException {
    if (unwritten) {
      write(current);
    }
  }

  private long floor(StoreManifest.Shape shape) {
    return Math.max(current.txidFloor(), shape.lastTxid());
  }

  /** Writes nothing more: the store is closing and its lock is about to be released. */
  public synchronized void close() {
    closed = true;
  }

  private void write(StoreManifest next) throws IOException {
    if (closed) {
      return; // another writer may own the store now
    }
    if (next.equals(current) && !unwritten) {
      return; // the file says exactly this already
    }
    next.write(io, dir);
    current = next;
    unwritten = false;
  }
}
