package dev.datawal.internal.log;

import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A bounded pool of open segment files for positional reads. One handle per segment serves every
 * thread at once (positional reads do not share a file position). At most {@code max} handles stay
 * open when idle; the least recently used idle ones are closed first. Handles in use are never
 * closed under a reader.
 *
 * <p>Thread-safe.
 */
public final class ReadHandles implements Closeable {
  /** A handle on loan; give it back with {@link #close()}. */
  public final class Lease implements AutoCloseable {
    private final Slot slot;
    private boolean returned;

    private Lease(Slot slot) {
      this.slot = slot;
    }

    /** The open segment file. */
    public FileHandle file() {
      return slot.handle;
    }

    @Override
    public void close() {
      if (!returned) {
        returned = true;
        release(slot);
      }
    }
  }

  private static final class Slot {
    final FileHandle handle;
    int leases;
    boolean retired;

    Slot(FileHandle handle) {
      this.handle = handle;
    }
  }

  private final FileIo io;
  private final Path dir;
  private final int max;
  private final LinkedHashMap<Long, Slot> open = new LinkedHashMap<>(16, 0.75f, true);
  private boolean closed;

  public ReadHandles(FileIo io, Path dir, int max) {
    this.io = io;
    this.dir = dir;
    this.max = max;
  }

  /** Lends the open file of {@code segment}, opening it if needed. */
  public Lease acquire(long segment) throws IOException {
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("datawal: store " + dir + " is closed");
      }
      Slot slot = open.get(segment);
      if (slot != null) {
        slot.leases++;
        return new Lease(slot);
      }
    }
    // Open outside the lock, so a slow open does not hold up reads of other segments.
    FileHandle handle = io.openRead(SegmentFiles.path(dir, segment));
    List<FileHandle> toClose = new ArrayList<>(1);
    Lease lease;
    synchronized (this) {
      Slot slot = open.get(segment);
      if (slot == null && !closed) {
        slot = new Slot(handle);
        open.put(segment, slot);
      } else {
        toClose.add(handle); // another thread opened it first, or we are closing
        if (slot == null) {
          closeAll(toClose);
          throw new IllegalStateException("datawal: store " + dir + " is closed");
        }
      }
      slot.leases++;
      lease = new Lease(slot);
      evictIdle(toClose);
    }
    closeAll(toClose);
    return lease;
  }

  /**
   * From now on, reads of {@code segment} use {@code handle} (a file that is replacing it); the old
   * handle is closed once its leases are returned.
   */
  public void replace(long segment, FileHandle handle) {
    List<FileHandle> toClose = new ArrayList<>(1);
    synchronized (this) {
      if (closed) {
        toClose.add(handle);
      } else {
        Slot old = open.put(segment, new Slot(handle));
        retire(old, toClose);
        evictIdle(toClose);
      }
    }
    closeAll(toClose);
  }

  /** Closes {@code segment}'s handle (once its leases are returned): the file was deleted. */
  public void forget(long segment) {
    List<FileHandle> toClose = new ArrayList<>(1);
    synchronized (this) {
      retire(open.remove(segment), toClose);
    }
    closeAll(toClose);
  }

  private static void retire(@Nullable Slot slot, List<FileHandle> toClose) {
    if (slot != null) {
      slot.retired = true;
      if (slot.leases == 0) {
        toClose.add(slot.handle);
      }
    }
  }

  /** How many files are open now. */
  public synchronized int openCount() {
    return open.size();
  }

  /** Closes every handle; leases still out close theirs when returned. */
  @Override
  public void close() {
    List<FileHandle> toClose = new ArrayList<>();
    synchronized (this) {
      closed = true;
      for (Iterator<Slot> it = open.values().iterator(); it.hasNext(); ) {
        Slot slot = it.next();
        it.remove();
        slot.retired = true;
        if (slot.leases == 0) {
          toClose.add(slot.handle);
        }
      }
    }
    closeAll(toClose);
  }

  private void release(Slot slot) {
    List<FileHandle> toClose = new ArrayList<>(1);
    synchronized (this) {
      slot.leases--;
      if (slot.retired && slot.leases == 0) {
        toClose.add(slot.handle);
      }
      evictIdle(toClose);
    }
    closeAll(toClose);
  }

  /** Retires least recently used idle handles while more than {@code max} are open. */
  private void evictIdle(List<FileHandle> toClose) {
    if (open.size() <= max) {
      return;
    }
    for (Iterator<Map.Entry<Long, Slot>> it = open.entrySet().iterator();
        it.hasNext() && open.size() > max; ) {
      Slot slot = it.next().getValue();
      if (slot.leases == 0) {
        it.remove();
        slot.retired = true;
        toClose.add(slot.handle);
      }
    }
  }

  private static void closeAll(List<FileHandle> handles) {
    for (FileHandle h : handles) {
      try {
        h.close();
      } catch (IOException ignored) {
        // read handles: nothing written, nothing to lose
      }
    }
  }
}
