package dev.datawal.internal.format;

import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What an open reads of the store's files before it scans them: the directory's entries ({@link
 * #list}), and each segment file's path, size, tail check at a given length ({@link SegmentTail})
 * and first txid ({@link SegmentFiles#firstTxid}), each read once and then kept. The shape check
 * against the manifest, the key-directory snapshot's check and the manifest recovery writes ask the
 * same questions of the same files; without this, each listed the directory, and opened and read
 * every file, again.
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
  private @Nullable Set<String> listed; // the directory's entries, once listed
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

  /**
   * The ids of the segments among {@code names}, the entries of the store directory as just listed,
   * ascending, after checking that each is a regular file itself (as {@link
   * SegmentFiles#list(FileIo, Path)} does); keeps the names for {@link #maybeListed} and each
   * segment's path.
   *
   * @throws dev.datawal.DatawalException if a name that looks like a segment is not a regular file,
   *     or is a symbolic link
   */
  public List<Long> list(List<String> names) throws IOException {
    List<Long> ids = new ArrayList<>();
    for (String name : names) {
      long id = SegmentFiles.parseId(name);
      if (id < 0) {
        continue;
      }
      Path path = dir.resolve(name);
      SegmentFiles.requirePlainFile(io, path);
      ids.add(id);
      known.put(id, new Facts(path));
    }
    ids.sort(null);
    listed = new HashSet<>(names);
    return ids;
  }

  /**
   * Whether the store directory may hold an entry {@code name}: {@code false} only if {@link #list}
   * was given the directory's entries and it was not among them (the caller holds the store's lock,
   * so no writer made it since).
   */
  public boolean maybeListed(String name) {
    Set<String> names = listed;
    return names == null || names.contains(name);
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
