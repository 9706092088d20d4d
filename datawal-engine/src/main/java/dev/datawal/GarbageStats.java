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

  /** Bytes that are not live. */
  public long deadBytes() {
    return totalBytes - liveBytes;
  }

  /** Dead bytes as a fraction of all bytes, 0 for an empty store. */
  public double ratio() {
    return totalBytes == 0 ? 0 : (double) deadBytes() / totalBytes;
  }
}
