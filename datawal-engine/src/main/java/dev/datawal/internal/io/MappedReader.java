package dev.datawal.internal.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One file that many threads read at given places: from a read-only mapping of its first bytes
 * where the file system maps in place ({@link FileHandle#mapsInPlace()}), else, and past the
 * mapping, by positional reads. Made for files that never change in place and may grow at their
 * end, such as log segments: a mapping of the first {@code n} bytes stays right as the file grows.
 *
 * <p>The mapping covers only bytes a caller has read (the end of the furthest read), never the file
 * beyond them: a growing file may hold bytes past its written data that are not data yet. It grows
 * when reads go past it, to the end of the furthest read so far, once that is worth a new mapping
 * (a mapping is an mmap call and fresh page faults): at once when it doubles the mapping or adds
 * {@link #GROW_BYTES}, else after {@link #GROW_AFTER_READS} reads past it. The first mapping is
 * made at the second read ({@link #MAP_AFTER_READS}). Reads past the mapping, and reads where
 * mapping failed, read the file positionally. The file may be shorter than a read asks for: then
 * the read returns fewer bytes, as a positional read would.
 *
 * <p>Readers enter first ({@link #tryEnter}) and leave after ({@link #exit}); entering fails once
 * the reader is shut ({@link #shut}). Nothing is released under a reader inside: the file is closed
 * and every mapping unmapped once the reader is shut and the last one has left (a read of an
 * unmapped buffer can crash the JVM, see {@link Mmap}). A mapping replaced by a larger one is
 * unmapped as soon as a leaving reader finds no reader inside: every reader that may still hold it
 * entered before it was replaced, and a reader that enters later reads the new one.
 *
 * <p>Thread-safe. Entering and leaving cost an atomic add each; a read inside the mapping takes no
 * lock and makes no system call.
 */
public final class MappedReader {
  /** A mapping grows at once when the reads past it reach this far beyond it. */
  static final long GROW_BYTES = 1 << 20;

  /** A mapping grows (to the furthest read) after this many reads past it. */
  static final int GROW_AFTER_READS = 64;

  /**
   * The first mapping is made at the read that brings the reads so far to this many: a file read
   * once (say by a scan in key order over more segments than the owner keeps open) costs no
   * mapping.
   */
  static final int MAP_AFTER_READS = 2;

  /** The largest mapping: a buffer's size is an int. */
  private static final long MAX_MAPPING = Integer.MAX_VALUE;

  private static final System.Logger LOG = System.getLogger("dev.datawal");

  /** A mapping of the file's first {@code bytes.capacity()} bytes. */
  private static final class Window {
    final MappedView view;
    final ByteBuffer bytes;
    final long size;

    Window(MappedView view) {
      this.view = view;
      this.bytes = view.buffer();
      this.size = bytes.capacity();
    }
  }

  private final FileHandle file;
  private final ReaderGate gate;
  private volatile @Nullable Window window;
  private volatile boolean mapping; // whether to map: the file maps in place, and mapping works
  private volatile long furthest; // the end of the furthest read past the window
  private volatile int readsPast; // reads past the window since it was mapped (approximate)
  private final List<MappedView> replaced = new ArrayList<>(); // guarded by this
  private volatile boolean anyReplaced;
  private boolean released; // guarded by this
  private boolean used; // a hint for the owner's eviction (racy by design)

  /** Reads {@code file}, which it closes once shut and left by every reader. */
  public MappedReader(FileHandle file) {
    this.file = file;
    this.mapping = file.mapsInPlace();
    this.gate = new ReaderGate(this::release);
  }

  /** Lets the caller in and returns {@code true}, or returns {@code false} if shut. */
  public boolean tryEnter() {
    if (!used) {
      used = true;
    }
    return gate.tryEnter();
  }

  /** Lets out a reader let in by {@link #tryEnter}; unmaps replaced mappings if none is inside. */
  public void exit() {
    gate.exit();
    if (anyReplaced) {
      releaseReplaced();
    }
  }

  /**
   * Reads {@code dst.length} bytes from {@code position}, or fewer if the file ends first. The
   * caller is inside ({@link #tryEnter}).
   *
   * @return the bytes read
   */
  public int read(long position, byte[] dst) throws IOException {
    if (dst.length == 0) {
      return 0;
    }
    long end = position + dst.length;
    Window w = window;
    if ((w == null || end > w.size) && mapping) {
      w = grow(end);
    }
    if (w != null && end <= w.size) {
      w.bytes.get((int) position, dst, 0, dst.length);
      return dst.length;
    }
    ByteBuffer buf = ByteBuffer.wrap(dst);
    while (buf.hasRemaining()) {
      if (file.read(buf, position + buf.position()) < 0) {
        break;
      }
    }
    return buf.position();
  }

  /**
   * The window after a read up to {@code end} went past the current one: a larger one if that is
   * worth it now, else the current one (or none).
   */
  private @Nullable Window grow(long end) {
    Window w = window;
    long mapped = w == null ? 0 : w.size;
    long target = Math.max(end, furthest);
    if (target > furthest) {
      furthest = target; // racy: a lost update only delays a growth
    }
    if (end > MAX_MAPPING) {
      return w;
    }
    if (w == null || target - mapped < Math.min(mapped, GROW_BYTES)) {
      int past = readsPast + 1; // racy: a lost update only delays a growth
      readsPast = past;
      if (past < (w == null ? MAP_AFTER_READS : GROW_AFTER_READS)) {
        return w;
      }
    }
    synchronized (this) {
      w = window;
      if (w != null && end <= w.size) {
        return w; // another reader grew it meanwhile
      }
      if (released || !mapping || gate.isShut()) {
        return w; // no new mapping for a reader on its way out
      }
      MappedView view = map(Math.min(Math.max(end, furthest), MAX_MAPPING), end);
      if (view == null) {
        return w;
      }
      Window next = new Window(view);
      window = next;
      readsPast = 0;
      if (w != null) {
        replaced.add(w.view); // readers inside may still read it: released when none is
        anyReplaced = true;
      }
      return next;
    }
  }

  /**
   * Maps the first {@code target} bytes, or the first {@code end} if the file is shorter (a read
   * past its end, which the positional read then reports); {@code null} if it cannot.
   */
  private @Nullable MappedView map(long target, long end) {
    try {
      try {
        return file.map(0, target);
      } catch (EOFException e) {
        furthest = end;
        if (end < target) {
          return file.map(0, end);
        }
        return null;
      }
    } catch (EOFException e) {
      furthest = 0;
      return null;
    } catch (IOException | RuntimeException e) {
      // Out of address space or mappings, or no mapping on this file system: read positionally.
      mapping = false;
      LOG.log(
          System.Logger.Level.DEBUG,
          "datawal: cannot map a segment file, reading it positionally: {0}",
          e.toString());
      return null;
    }
  }

  private void releaseReplaced() {
    synchronized (this) {
      // Every reader that read a replaced window entered before it was replaced, so once none is
      // inside, none reads it; readers entering later read the current window.
      if (released || !gate.isEmpty()) {
        return;
      }
      for (MappedView view : replaced) {
        view.release();
      }
      replaced.clear();
      anyReplaced = false;
    }
  }

  /** Runs once, when shut and left by every reader: unmaps everything and closes the file. */
  private void release() {
    synchronized (this) {
      released = true;
      Window w = window;
      window = null;
      if (w != null) {
        w.view.release();
      }
      for (MappedView view : replaced) {
        view.release();
      }
      replaced.clear();
      anyReplaced = false;
    }
    try {
      file.close();
    } catch (IOException ignored) {
      // opened for reading: nothing written, nothing to lose
    }
  }

  /**
   * Lets no reader in any more; releases now if none is inside, else when the last one leaves. Does
   * not wait. Idempotent.
   */
  public void shut() {
    gate.shut();
  }

  /** Shuts and waits until everything is released. Never call it from inside. */
  public void close() {
    gate.close();
  }

  /** Whether everything is released: the reader was shut and the last reader has left. */
  public synchronized boolean isReleased() {
    return released;
  }

  /** Whether no reader is inside now (a hint: one may enter at once). */
  public boolean isIdle() {
    return gate.isEmpty();
  }

  /**
   * Whether a reader entered since the last call (for the owner's clock eviction), and forgets it.
   * Call under the owner's lock.
   */
  public boolean takeUsed() {
    boolean was = used;
    used = false;
    return was;
  }

  /** The bytes mapped now (tests). */
  long mappedBytes() {
    Window w = window;
    return w == null ? 0 : w.size;
  }
}
