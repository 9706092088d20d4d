package dev.datawal.internal.kv;

/**
 * Where a frame lies, packed into one long: segment id (27 bits) {@code <<} 37 | frame offset (37
 * bits, segments up to 64 GiB). The heap table and a snapshot's slots ({@link SnapshotFormat}) both
 * hold places so.
 *
 * <p>Stateless and thread-safe.
 */
final class Place {
  /** Bits of a place that hold the offset. */
  static final int OFFSET_BITS = 37;

  private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
  private static final long MAX_SEGMENT = (1L << (64 - OFFSET_BITS)) - 1;

  private Place() {}

  /**
   * The place of a frame of {@code length} bytes at {@code offset} of {@code segment}.
   *
   * @throws IllegalArgumentException if any of them is out of the directory's range
   */
  static long of(long segment, long offset, int length) {
    if (segment < 0 || segment > MAX_SEGMENT || offset < 0 || offset > OFFSET_MASK) {
      throw new IllegalArgumentException(
          "place out of range: segment " + segment + ", offset " + offset);
    }
    if (length <= 0 || length > KeyDirectory.MAX_FRAME_LENGTH) {
      throw new IllegalArgumentException("frame length out of range: " + length);
    }
    return segment << OFFSET_BITS | offset;
  }

  static long segment(long place) {
    return place >>> OFFSET_BITS;
  }

  static long offset(long place) {
    return place & OFFSET_MASK;
  }

  /** The location of the frame of {@code length} bytes at {@code place}. */
  static KeyDirectory.Location location(long place, int length) {
    return new KeyDirectory.Location(segment(place), offset(place), length);
  }

  /** A previous Put as {@link KeyDirectory#put} returns it: its segment and frame length. */
  static long previous(long place, int length) {
    return segment(place) << 32 | Integer.toUnsignedLong(length);
  }
}
