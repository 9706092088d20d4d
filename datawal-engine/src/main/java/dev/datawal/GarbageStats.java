package dev.datawal;

/**
 * How much of a store's log is garbage: bytes the key/value view no longer needs (superseded Puts,
 * tombstones, Raw records). Compaction reclaims garbage in sealed segments.
 *
 * @param liveBytes bytes of the frames of live Puts
 * @param totalBytes bytes of every segment
 * @param reclaimableBytes garbage in sealed segments, which {@link DataWal#compact()} can reclaim
 *     (the active segment's is not, until it is sealed)
 */
public record GarbageStats(long liveBytes, long totalBytes, long reclaimableBytes) {

  /** {@return the bytes that are not live, active segment included} */
  public long deadBytes() {
    return totalBytes - liveBytes;
  }

  /**
   * {@return dead bytes as a fraction of all bytes, from 0 to 1} The active segment's bytes count
   * too; 0 for an empty store. This is the metric {@code datawal.garbage.ratio}.
   */
  public double ratio() {
    return share(deadBytes());
  }

  /**
   * {@return reclaimable bytes as a fraction of all bytes, from 0 to 1} That is what {@link
   * DataWal#compact()} can reclaim now; 0 for an empty store. Scheduled compaction ({@code
   * datawal.compaction.min-garbage-ratio}) compares this with its threshold.
   */
  public double reclaimableRatio() {
    return share(reclaimableBytes);
  }

  private double share(long bytes) {
    return totalBytes == 0 ? 0 : (double) bytes / totalBytes;
  }
}
