package dev.datawal.internal.log;

import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.UnwrittenSpace;
import dev.datawal.internal.io.DurableFiles;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps a torn tail's bytes as evidence, then cuts the segment back to its valid end, so records
 * appended afterwards follow the valid prefix directly and survive every later recovery.
 *
 * <p>Evidence file: {@code <segment file>.torn-at-<offset>} (with {@code .2}, {@code .3} ... if
 * that exists), holding exactly the bytes from the valid end to the old end of the segment. The
 * name never matches the segment pattern, so recovery ignores it.
 *
 * <p>Order of durable steps, each finished before the next begins:
 *
 * <ol>
 *   <li>copy the tail into {@code <evidence>.tmp}, force it;
 *   <li>rename it to the evidence name, sync the directory: the evidence now survives a power cut;
 *   <li>truncate the segment, force it: only now are the bytes gone from the segment.
 * </ol>
 *
 * A crash before step 3 leaves the tail in the segment, and the next open repeats the repair; a
 * leftover {@code .tmp} is deleted at open ({@link #deleteLeftovers}).
 */
final class TornTailRepair {
  static final String MARKER = ".torn-at-";
  private static final String TMP = DurableFiles.TMP;
  private static final int CHUNK = 1 << 20;

  private TornTailRepair() {}

  /**
   * Moves the bytes {@code [validEnd, size)} of the segment at {@code path} (open for writing as
   * {@code source}) to a new evidence file and cuts the segment to {@code validEnd}, durably.
   * Chunks of zeros are not written to the evidence file but left as holes, which read back as the
   * same zeros: after a crash the tail is mostly the writer's preallocated zeros (see {@link
   * ActiveSegment}), and keeping them must not cost a megabyte of disk per crash.
   *
   * @return the evidence file
   */
  static Path preserveAndCut(FileIo io, Path dir, Path path, FileHandle source, long validEnd)
      throws IOException {
    long size = source.size();
    Path evidence = freeName(io, dir, path.getFileName() + MARKER + validEnd);
    // Steps 1 and 2: the copy's bytes, then its name, are on disk.
    DurableFiles.replace(
        io,
        evidence,
        out -> {
          ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, size - validEnd));
          long pos = validEnd;
          while (pos < size) {
            buf.clear().limit((int) Math.min(buf.capacity(), size - pos));
            int n = source.read(buf, pos);
            if (n < 0) {
              break;
            }
            buf.flip();
            if (!UnwrittenSpace.allZero(buf)) {
              out.write(buf, pos - validEnd);
            } else if (pos + n >= size) {
              out.write(buf.position(buf.limit() - 1), size - 1 - validEnd); // sets the length
            }
            pos += n;
          }
        });
    source.truncate(validEnd);
    source.force(); // step 3: the segment ends at its valid prefix
    return evidence;
  }

  /**
   * Deletes what a crash left half-written: {@code .tmp} evidence files (their bytes are still in
   * the segment) and compaction outputs that were never renamed into place (the segment they were
   * to replace is intact), among {@code names}, the entries of {@code dir} as just listed. Makes
   * the deletions durable.
   *
   * @return the files deleted
   */
  static List<Path> deleteLeftovers(FileIo io, Path dir, List<String> names) throws IOException {
    List<Path> deleted = new ArrayList<>();
    for (String name : names) {
      boolean evidenceCopy = name.contains(SegmentFiles.SUFFIX + MARKER) && name.endsWith(TMP);
      boolean manifestCopy = name.equals(StoreManifest.FILE_NAME + DurableFiles.TMP);
      if (evidenceCopy || manifestCopy || SegmentFiles.isCompactionOutput(name)) {
        io.deleteIfExists(dir.resolve(name));
        deleted.add(dir.resolve(name));
      }
    }
    if (!deleted.isEmpty()) {
      io.syncDirectory(dir);
    }
    return deleted;
  }

  private static Path freeName(FileIo io, Path dir, String base) throws IOException {
    Path candidate = dir.resolve(base);
    for (int n = 2; io.kind(candidate) != FileIo.Kind.MISSING; n++) {
      candidate = dir.resolve(base + "." + n);
    }
    return candidate;
  }
}
