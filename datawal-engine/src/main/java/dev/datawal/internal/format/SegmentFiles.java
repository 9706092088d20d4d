package dev.datawal.internal.format;

import dev.datawal.DatawalException;
import dev.datawal.Limit;
import dev.datawal.LimitExceededException;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Names of segment files: exactly eight decimal digits and {@code .dwal} ({@code 00000001.dwal}).
 * Any other name in a store directory is not a segment and is ignored.
 */
public final class SegmentFiles {
  /** The largest id eight digits can name. */
  public static final long MAX_ID = 99_999_999L;

  public static final String SUFFIX = ".dwal";

  /** Suffix of a compaction's output before it is renamed over its segment. */
  static final String COMPACTING = ".compacting";

  private static final int DIGITS = 8;

  private static final char[] NAME_TEMPLATE = ("0".repeat(DIGITS) + SUFFIX).toCharArray();

  private SegmentFiles() {}

  /** The file name of segment {@code id}, zero-padded to eight digits. */
  public static String fileName(long id) {
    if (id < 0 || id > MAX_ID) {
      throw new IllegalArgumentException("segment id out of range: " + id);
    }
    // Digit by digit into a copy of "00000000.dwal": cheaper than concatenating strings before the
    // JIT compiles this, and an open names every segment.
    char[] name = NAME_TEMPLATE.clone();
    long rest = id;
    for (int i = DIGITS - 1; rest > 0; i--, rest /= 10) {
      name[i] = (char) ('0' + rest % 10);
    }
    return new String(name);
  }

  /** Where compaction writes the new contents of segment {@code id} before renaming it. */
  public static Path compactionOutput(Path dir, long id) {
    return dir.resolve(fileName(id) + COMPACTING);
  }

  /** Whether {@code name} is a compaction output ({@code 00000003.dwal.compacting}). */
  public static boolean isCompactionOutput(String name) {
    return name.endsWith(SUFFIX + COMPACTING)
        && parseId(name.substring(0, name.length() - COMPACTING.length())) >= 0;
  }

  /** The path of segment {@code id} in {@code dir}. */
  public static Path path(Path dir, long id) {
    return dir.resolve(fileName(id));
  }

  /** The id a segment file name stands for, or -1 if {@code name} is not a segment name. */
  public static long parseId(String name) {
    if (name.length() != DIGITS + SUFFIX.length() || !name.endsWith(SUFFIX)) {
      return -1;
    }
    long id = 0;
    for (int i = 0; i < DIGITS; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      id = id * 10 + (c - '0');
    }
    return id;
  }

  /**
   * The ids of the segments in {@code dir}, ascending.
   *
   * @throws DatawalException if a name that looks like a segment is not a regular file, or is a
   *     symbolic link
   */
  public static List<Long> list(FileIo io, Path dir) throws IOException {
    try (SegmentFacts files = new SegmentFacts(io, dir)) {
      return files.list(io.list(dir));
    }
  }

  /**
   * Fails unless {@code path}, named as a segment, is a regular file itself.
   *
   * @throws DatawalException if it is a symbolic link or not a regular file
   */
  static void requirePlainFile(FileIo io, Path path) throws IOException {
    if (!io.isPlainFile(path)) {
      throw notPlain(io, path);
    }
  }

  private static DatawalException notPlain(FileIo io, Path path) throws IOException {
    if (io.isSymbolicLink(path)) {
      // The reference implementation skips it; following it would read (and, as the last
      // segment, append to) a file outside the store. Neither is safe to do silently.
      return new DatawalException(
          "datawal: "
              + path
              + " has a segment's name but is a symbolic link; segments must be regular files in"
              + " the store directory (the reference implementation ignores it, datawal refuses"
              + " to guess): replace it by the file itself, or move it out");
    }
    return new DatawalException(
        "datawal: " + path + " has a segment's name but is not a regular file");
  }

  /**
   * The txid of the first frame of a segment, read from its header alone; empty for an empty file.
   *
   * @throws IOException if the file cannot be read, or its first header is not a valid frame's
   *     (callers use the txid to decide what may be deleted, so they must not guess)
   */
  public static OptionalLong firstTxid(FileIo io, Path segment) throws IOException {
    try (FileHandle handle = io.openRead(segment)) {
      return firstTxid(handle, segment);
    }
  }

  /** As {@link #firstTxid(FileIo, Path)}, from {@code handle}, open on {@code segment}. */
  static OptionalLong firstTxid(FileHandle handle, Path segment) throws IOException {
    long size = handle.size();
    if (size == 0) {
      return OptionalLong.empty();
    }
    ByteBuffer header = ByteBuffer.allocate(FrameFormat.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    while (header.hasRemaining() && handle.read(header, header.position()) > 0) {
      // read until the header is full or the file ends
    }
    FrameFault fault = FrameFormat.checkHeader(header, 0, size);
    if (fault != null) {
      throw new IOException("first frame of " + segment + " is not valid: " + fault);
    }
    return OptionalLong.of(FrameFormat.txid(header, 0));
  }

  /**
   * The id a new segment gets when the highest existing id is {@code highest} (0 if none).
   *
   * @throws LimitExceededException when {@code highest} is already {@link #MAX_ID}
   */
  public static long nextId(long highest) {
    if (highest >= MAX_ID) {
      throw new LimitExceededException(Limit.MAX_SEGMENT_ID, highest + 1);
    }
    return highest + 1;
  }

  /**
   * Fails unless {@code dir} is an existing directory: a reader or repair never creates a store.
   *
   * @throws DatawalException naming {@code dir} if it is missing or not a directory
   */
  public static void requireStoreDirectory(FileIo io, Path dir) throws IOException {
    switch (io.kind(dir)) {
      case DIRECTORY -> {}
      case MISSING ->
          throw new DatawalException("datawal: no store at " + dir + ": no such directory");
      default ->
          throw new DatawalException(
              "datawal: no store at " + dir + ": it exists but is not a directory");
    }
  }
}
