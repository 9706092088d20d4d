package dev.datawal.internal.log;

import dev.datawal.DatawalException;
import dev.datawal.DatawalOptions;
import dev.datawal.RetentionStats;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Retention of a plain log: deletes whole sealed segments, oldest first, while the oldest is older
 * than {@link DatawalOptions#retentionMaxAge()} or the log is larger than {@link
 * DatawalOptions#retentionMaxBytes()}, never one that holds a record a reader still needs, and
 * never the active segment, so that what remains is a suffix of the log.
 *
 * <p>Durable steps: the manifest records the segments as "may be gone" first, then each file is
 * deleted, the directory is synced, and the manifest records them as deleted; a crash anywhere
 * leaves a store that opens with the same records or a suffix of them.
 *
 * <p>Not thread-safe on its own: the log runs it on the caller's thread while appends go on, which
 * touch only the active segment.
 */
public final class Retention {
  private final FileIo io;
  private final Path dir;
  private final DatawalOptions options;
  private final LogWriter writer;
  private final ManifestKeeper manifest;
  private final Observers observers;

  public Retention(
      FileIo io,
      Path dir,
      DatawalOptions options,
      LogWriter writer,
      ManifestKeeper manifest,
      Observers observers) {
    this.io = io;
    this.dir = dir;
    this.options = options;
    this.writer = writer;
    this.manifest = manifest;
    this.observers = observers;
  }

  /**
   * Deletes what the options let go, keeping every segment from the first that holds a txid of
   * {@code keepFromTxid} or more; tells the observers.
   *
   * @throws DatawalException if a segment cannot be deleted or read
   */
  public RetentionStats apply(long keepFromTxid) {
    long started = System.nanoTime();
    Duration maxAge = options.retentionMaxAge();
    long maxBytes = options.retentionMaxBytes();
    TreeMap<Long, Long> sealed = writer.sealedSegments();
    int before = sealed.size() + 1;
    long total = writer.totalBytes();
    long now = System.currentTimeMillis();
    List<Long> expired = new ArrayList<>();
    long reclaimed = 0;
    try {
      for (Map.Entry<Long, Long> segment : sealed.entrySet()) {
        Path file = SegmentFiles.path(dir, segment.getKey());
        boolean tooOld = maxAge != null && now - io.lastModifiedMillis(file) > maxAge.toMillis();
        boolean tooBig = maxBytes > 0 && total > maxBytes;
        if (!tooOld && !tooBig) {
          break; // delete from the front only, so the log stays a suffix
        }
        if (keepFromTxid != Long.MAX_VALUE
            && writer.firstTxidAfter(segment.getKey()) > keepFromTxid) {
          break; // it holds a record a reader still needs
        }
        expired.add(segment.getKey());
        total -= segment.getValue();
        reclaimed += segment.getValue();
      }
      if (!expired.isEmpty()) {
        // Recorded as "may be gone" first, so that a crash part way leaves a store that opens.
        manifest.deleting(expired);
        for (long id : expired) {
          io.deleteIfExists(SegmentFiles.path(dir, id));
          writer.sealedSegmentChanged(id, -1);
        }
        io.syncDirectory(dir); // the deletions survive a power cut
        manifest.deleted(expired);
      }
    } catch (IOException e) {
      throw new DatawalException(
          "datawal: retention in " + dir + " failed: " + Errors.describe(e), e);
    }
    int deleted = expired.size();
    RetentionStats stats =
        new RetentionStats(
            deleted,
            reclaimed,
            before,
            before - deleted,
            Duration.ofNanos(System.nanoTime() - started));
    observers.tell(o -> o.retained(stats));
    return stats;
  }
}
