package dev.datawal.internal.format;

/**
 * The frame digest of a segment: an order-sensitive 64-bit hash of the (txid, stored CRC-32C) of
 * every frame in it, in file order. The writer keeps it as it appends and the manifest records it
 * for every sealed segment, so a scan that reads the segment can tell whether it still holds
 * exactly the frames that were written: a frame edited and given a fixed CRC, dropped, added or
 * moved changes it, wherever it is in the segment.
 *
 * <pre>
 * h = 0
 * for each frame, in order:  h = mix(h ^ txid);  h = mix(h ^ crc)      (crc as an unsigned u32)
 * mix(x) = x ^= x >>> 33; x *= 0xFF51AFD7ED558CCD; x ^= x >>> 33; x *= 0xC4CEB9FE1A85EC53;
 *          x ^= x >>> 33                                              (all mod 2^64)
 * </pre>
 */
public final class FrameDigest {
  /** The digest of a segment without frames. */
  public static final long EMPTY = 0;

  private FrameDigest() {}

  /** The digest after one more frame with {@code txid} and stored CRC {@code crc}. */
  public static long next(long digest, long txid, int crc) {
    return mix(mix(digest ^ txid) ^ Integer.toUnsignedLong(crc));
  }

  private static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xFF51AFD7ED558CCDL;
    x ^= x >>> 33;
    x *= 0xC4CEB9FE1A85EC53L;
    return x ^ (x >>> 33);
  }
}
