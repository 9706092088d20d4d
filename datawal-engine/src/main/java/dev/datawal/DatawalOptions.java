package dev.datawal;

import java.util.Objects;

/**
 * How a store is opened. Build with {@link #builder()}; every setting has a default, so {@link
 * #defaults()} is a valid choice.
 *
 * <p>Immutable and thread-safe.
 */
public final class DatawalOptions {
  /** Default {@link #maxSegmentSize()}: 64 MiB. */
  public static final long DEFAULT_MAX_SEGMENT_SIZE = 64L * 1024 * 1024;

  private static final DatawalOptions DEFAULTS = builder().build();

  private final long maxSegmentSize;

  private DatawalOptions(Builder b) {
    this.maxSegmentSize = b.maxSegmentSize;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The default options. */
  public static DatawalOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    return new Builder().maxSegmentSize(maxSegmentSize);
  }

  /**
   * The size in bytes past which the writer starts a new segment: an append whose frame would take
   * the active segment past it goes to a new segment instead. A frame larger than this gets a
   * segment of its own.
   */
  public long maxSegmentSize() {
    return maxSegmentSize;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DatawalOptions other && maxSegmentSize == other.maxSegmentSize;
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxSegmentSize);
  }

  @Override
  public String toString() {
    return "DatawalOptions[maxSegmentSize=" + maxSegmentSize + "]";
  }

  /** Builds {@link DatawalOptions}. Not thread-safe. */
  public static final class Builder {
    private long maxSegmentSize = DEFAULT_MAX_SEGMENT_SIZE;

    private Builder() {}

    /**
     * Sets {@link DatawalOptions#maxSegmentSize()}.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public Builder maxSegmentSize(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxSegmentSize must be positive, was " + bytes);
      }
      this.maxSegmentSize = bytes;
      return this;
    }

    /** The options. */
    public DatawalOptions build() {
      return new DatawalOptions(this);
    }
  }
}
