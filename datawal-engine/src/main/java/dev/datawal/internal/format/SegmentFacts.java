package dev.datawal.internal.format;

import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * What an open reads of its segment files before it scans them: each file's path, size, tail check
 * at a given length ({@link SegmentTail}) and first txid ({@link SegmentFiles#firstTxid}), each
 * read once and then kept. The shape check against the manifest, the key-directory snapshot's check
 * and the manifest recovery writes ask the same questions of the same files; without this, each
 * opened and read every file again.
 *
 * <p>The answers are those of the files as they were when first asked: valid while the caller holds
 * the store's lock and changes no segment, or calls {@link #forget} for one it changed. The file
 * asked about last stays open for the next question about it (a size, then a tail check), until a
 * question about another file or {@link #close}, so at most one descriptor is held. Failures are
 * not kept: a question that failed is asked of the file again.
 *
 * <p>Not thread-safe; used by the one thread of an open.
 */
public final class SegmentFacts implements AutoCloseable {
  private final FileIo io;
  private final Path dir;
  private final Map<Long, Facts> known = new HashMap<>();
  private @Nullable Facts open; // the one whose file is open, if any

  /** What is known of one segment file. */
  private static final class Facts {
    final Path path;
    @Nullable FileHandle file;
    long size = -1;
    long tailLength = -1; // the length tailCrc is the check of, -1: none yet
    int tailCrc;
    @Nullable OptionalLong firstTxid;

    Facts(Path path) {
      this.path = path;
    }
  }

  /** Facts about the segments of the store in {@code dir}, read through {@code io}. */
  public SegmentFacts(FileIo io, Path dir) {
    this.io = io;
    this.dir = dir;
  }

  /** The file system the facts are read through. */
  public FileIo io() {
    return io;
  }

  /** The store directory. */
  public Path dir() {
    return dir;
  }

  /** The path of segment {@code id} ({@link SegmentFiles#path}), made once. */
  public Path path(long id) {
    return facts(id).path;
  }

  /** The size of segment {@code id}'s file in bytes. */
  public long size(long id) throws IOException {
    Facts f = facts(id);
    if (f.size < 0) {
      f.size = file(f).size();
    }
    return f.size;
  }

  /**
   * The tail check of the first {@code length} bytes of segment {@code id} ({@link SegmentTail}).
   *
   * @throws java.io.EOFException if the file is shorter than {@code length}
   */
  public int tailCrc(long id, long length) throws IOException {
    Facts f = facts(id);
    if (f.tailLength != length) {
      f.tailCrc = SegmentTail.crc(file(f), length);
      f.tailLength = length;
    }
    return f.tailCrc;
  }

  /**
   * The txid of segment {@code id}'s first frame, empty if the file is empty ({@link
   * SegmentFiles#firstTxid}).
   */
  public OptionalLong firstTxid(long id) throws IOException {
    Facts f = facts(id);
    OptionalLong first = f.firstTxid;
    if (first == null) {
      first = SegmentFiles.firstTxid(file(f), f.path);
      f.firstTxid = first;
    }
    return first;
  }

  /** Drops what is known of segment {@code id}, whose file the caller changed. */
  public void forget(long id) {
    Facts f = known.remove(id);
    if (f != null && f == open) {
      close();
    }
  }

  /** Closes the file held open, if any; what is known is kept, and a later question reopens. */
  @Override
  public void close() {
    Facts f = open;
    open = null;
    if (f != null && f.file != null) {
      FileHandle file = f.file;
      f.file = null;
      try {
        file.close();
      } catch (IOException ignored) {
        // opened for reading only: closing it loses nothing
      }
    }
  }

  private Facts facts(long id) {
    Facts f = known.get(id);
    if (f == null) {
      f = new Facts(SegmentFiles.path(dir, id));
      known.put(id, f);
    }
    return f;
  }

  private FileHandle file(Facts f) throws IOException {
    FileHandle file = f.file;
    if (file != null) {
      return file;
    }
    close(); // the one open before, if another
    file = io.openRead(f.path);
    f.file = file;
    open = f;
    return file;
  }

  @Override
  public String toString() {
    return "SegmentFacts[" + dir + ", " + known.size() + " segments]";
  }
}
