package dev.datawal.internal.log;

import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.io.MappedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A bounded pool of open segment files for reads at given places. One {@link MappedReader} per
 * segment serves every thread at once: from a read-only mapping of the segment where the file
 * system maps in place, else by positional reads. At most {@code max} segments stay open when idle;
 * idle ones not read lately are closed first (clock eviction). A segment's file is closed and
 * unmapped only once no read is in it: never under a reader.
 *
 * <p>Reads look their segment up in an immutable table without a lock; opening, evicting, {@link
 * #replace}, {@link #forget} and {@link #close} publish a new table under this object's lock.
 *
 * <p>Thread-safe.
 */
public final class ReadHandles implements Closeable {
  /** Segment id to reader: open addressing, never changed once published. */
  private static final class Table {
    static final Table EMPTY = new Table(new long[0], new MappedReader[0]);

    final long[] ids;
    final @Nullable MappedReader[] readers;
    final int size;

    /** A table of the given entries ({@code ids[i]} to {@code readers[i]}, ids distinct). */
    Table(long[] ids, MappedReader[] readers) {
      int capacity = Integer.highestOneBit(Math.max(4, ids.length * 2 + 1) - 1) << 1;
      this.ids = new long[capacity];
      this.readers = new MappedReader[capacity];
      this.size = ids.length;
      for (int i = 0; i < ids.length; i++) {
        int at = slot(ids[i]);
        while (this.readers[at] != null) {
          at = (at + 1) & (capacity - 1);
        }
        this.ids[at] = ids[i];
        this.readers[at] = readers[i];
      }
    }

    private int slot(long id) {
      return (int) (id ^ (id >>> 32)) & (readers.length - 1);
    }

    @Nullable MappedReader find(long id) {
      int mask = readers.length - 1;
      for (int at = slot(id); ; at = (at + 1) & mask) {
        MappedReader reader = readers[at];
        if (reader == null || ids[at] == id) {
          return reader;
        }
      }
    }

    /** This table with {@code id} mapped to {@code reader} ({@code null}: without {@code id}). */
    Table with(long id, @Nullable MappedReader reader) {
      int n = reader == null ? size : size + 1;
      long[] newIds = new long[n];
      MappedReader[] newReaders = new MappedReader[n];
      int i = 0;
      for (int at = 0; at < readers.length; at++) {
        MappedReader r = readers[at];
        if (r != null && ids[at] != id) {
          newIds[i] = ids[at];
          newReaders[i++] = r;
        }
      }
      if (reader != null) {
        newIds[i] = id;
        newReaders[i++] = reader;
      }
      return i == n
          ? new Table(newIds, newReaders)
          : new Table(copy(newIds, i), copy(newReaders, i));
    }

    private static long[] copy(long[] a, int n) {
      return java.util.Arrays.copyOf(a, n);
    }

    private static MappedReader[] copy(MappedReader[] a, int n) {
      return java.util.Arrays.copyOf(a, n);
    }
  }

  private final FileIo io;
  private final Path dir;
  private final int max;
  private volatile Table table = Table.EMPTY;
  private volatile boolean closed;
  // Removed from the table (evicted, replaced, forgotten) but maybe not released yet: a read may
  // still be in one. Close waits for them too. Guarded by this.
  private final List<MappedReader> leaving = new ArrayList<>();
  private int hand; // the clock hand of eviction: a slot of the table; guarded by this

  public ReadHandles(FileIo io, Path dir, int max) {
    this.io = io;
    this.dir = dir;
    this.max = max;
  }

  /**
   * Reads {@code dst.length} bytes of segment {@code segment} from {@code position}, opening the
   * segment if needed; fewer only if the file ends first.
   *
   * @return the bytes read
   * @throws IllegalStateException if closed
   */
  public int read(long segment, long position, byte[] dst) throws IOException {
    while (true) {
      MappedReader reader = table.find(segment);
      if (reader == null) {
        reader = open(segment);
      }
      if (reader.tryEnter()) {
        try {
          return reader.read(position, dst);
        } finally {
          reader.exit();
        }
      }
      // Shut between the lookup and entering (evicted, replaced, or closing): look again.
      if (closed) {
        throw closedException();
      }
    }
  }

  private IllegalStateException closedException() {
    return new IllegalStateException("datawal: store " + dir + " is closed");
  }

  /** The reader of {@code segment}: the one in the table, or a new one put there. */
  private MappedReader open(long segment) throws IOException {
    if (closed) {
      throw closedException();
    }
    // Open outside the lock, so a slow open does not hold up the opens of other segments.
    FileHandle handle = io.openRead(SegmentFiles.path(dir, segment));
    MappedReader opened = new MappedReader(handle);
    List<MappedReader> toShut = new ArrayList<>(1);
    MappedReader reader;
    synchronized (this) {
      MappedReader existing = table.find(segment);
      if (closed || existing != null) {
        toShut.add(opened); // we are closing, or another thread opened it first
        reader = existing;
      } else {
        table = table.with(segment, opened);
        reader = opened;
        evictIdle(opened, toShut);
        leave(toShut);
      }
    }
    shutAll(toShut);
    if (reader == null) {
      throw closedException();
    }
    return reader;
  }

  /**
   * From now on, reads of {@code segment} read {@code handle} (a file that is replacing it); the
   * old file is closed once the reads in it are done.
   */
  public void replace(long segment, FileHandle handle) {
    MappedReader reader = new MappedReader(handle);
    List<MappedReader> toShut = new ArrayList<>(2);
    synchronized (this) {
      if (closed) {
        toShut.add(reader);
      } else {
        MappedReader old = table.find(segment);
        if (old != null) {
          toShut.add(old);
        }
        table = table.with(segment, reader);
        evictIdle(reader, toShut);
        leave(toShut);
      }
    }
    shutAll(toShut);
  }

  /** Closes {@code segment}'s file once the reads in it are done: the file was deleted. */
  public void forget(long segment) {
    MappedReader old;
    synchronized (this) {
      old = table.find(segment);
      if (old != null) {
        table = table.with(segment, null);
        leave(List.of(old));
      }
    }
    if (old != null) {
      old.shut();
    }
  }

  /** How many files are open now. */
  public int openCount() {
    return table.size;
  }

  /**
   * Closes every file and unmaps every mapping, those of files already evicted, replaced or
   * forgotten too, waiting for the reads still in them (which never wait for anything); reads that
   * start later throw {@link IllegalStateException}.
   */
  @Override
  public void close() {
    List<MappedReader> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      for (MappedReader reader : table.readers) {
        if (reader != null) {
          all.add(reader);
        }
      }
      table = Table.EMPTY;
      all.addAll(leaving);
      leaving.clear();
    }
    shutAll(all);
    for (MappedReader reader : all) {
      reader.close(); // waits for the reads still inside
    }
  }

  /**
   * Removes idle readers, other than {@code keep}, while more than {@code max} are open: a clock
   * sweep that spares a reader read since the hand last passed it once. Called under the lock; the
   * removed readers go to {@code toShut}.
   */
  private void evictIdle(MappedReader keep, List<MappedReader> toShut) {
    int checks = 2 * table.readers.length;
    while (table.size > max && checks-- > 0) {
      Table t = table;
      hand = (hand + 1) & (t.readers.length - 1);
      MappedReader reader = t.readers[hand];
      if (reader == null || reader == keep || !reader.isIdle()) {
        continue;
      }
      if (reader.takeUsed()) {
        continue; // a second chance
      }
      table = t.with(t.ids[hand], null);
      toShut.add(reader);
    }
  }

  /** Records readers removed from the table, for close; forgets those released. Under the lock. */
  private void leave(List<MappedReader> removed) {
    if (!removed.isEmpty()) {
      leaving.removeIf(MappedReader::isReleased);
      leaving.addAll(removed);
    }
  }

  private static void shutAll(List<MappedReader> readers) {
    for (MappedReader reader : readers) {
      reader.shut();
    }
  }
}
