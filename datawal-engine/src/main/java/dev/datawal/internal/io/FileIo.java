package dev.datawal.internal.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The engine's only route to the file system. Every open, read, write, force, truncate, rename and
 * directory sync goes through here, so tests can substitute an implementation that records the
 * calls, fails them, or simulates a power cut by dropping what was never forced.
 *
 * <p>Implementations must be safe for concurrent use.
 */
public interface FileIo {

  /** The implementation on the real file system. */
  static FileIo system() {
    return NioFileIo.INSTANCE;
  }

  /** What a path names. */
  enum Kind {
    MISSING,
    FILE,
    DIRECTORY,
    OTHER
  }

  /** What {@code path} names, without following a final symbolic link into a loop. */
  Kind kind(Path path) throws IOException;

  /** Whether {@code path} is a symbolic link (not followed). */
  default boolean isSymbolicLink(Path path) throws IOException {
    return false;
  }

  /**
   * Whether {@code path} is itself a regular file: not a symbolic link (to one or not), not
   * missing. The real file system answers with one {@code lstat}.
   */
  default boolean isPlainFile(Path path) throws IOException {
    return !isSymbolicLink(path) && kind(path) == Kind.FILE;
  }

  /** When {@code file} was last modified, in milliseconds since the epoch. */
  long lastModifiedMillis(Path file) throws IOException;

  /** The names of the entries of {@code dir}, in no particular order. */
  List<String> list(Path dir) throws IOException;

  /** Creates {@code dir} and any missing parents; makes each created entry durable. */
  void createDirectories(Path dir) throws IOException;

  /** Opens an existing file for positional reads. */
  FileHandle openRead(Path file) throws IOException;

  /**
   * Opens a file for positional reads and writes.
   *
   * @param createNew whether to create the file, failing if it exists ({@code true}), or to open it
   *     creating it only if missing ({@code false})
   */
  FileHandle openWrite(Path file, boolean createNew) throws IOException;

  /**
   * Makes the directory's entries durable: files created in, renamed into or deleted from {@code
   * dir} survive a power cut once this returns.
   */
  void syncDirectory(Path dir) throws IOException;

  /** Renames {@code source} to {@code target} atomically, replacing {@code target}. */
  void atomicMove(Path source, Path target) throws IOException;

  /** Deletes {@code file} if it exists. */
  void deleteIfExists(Path file) throws IOException;
}
