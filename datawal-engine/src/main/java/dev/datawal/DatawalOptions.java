package dev.datawal;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a store is opened. Build with {@link #builder()}; every setting has a default, so {@link
 * #defaults()} is a valid choice.
 *
 * <p>Immutable and thread-safe.
 */
public final class DatawalOptions {
  /** Default {@link #maxSegmentSize()}: 64 MiB. */
  public static final long DEFAULT_MAX_SEGMENT_SIZE = 64L * 1024 * 1024;

  /** The largest {@link #maxSegmentSize()}: 64 GiB (offsets are kept in 37 bits). */
  public static final long MAX_MAX_SEGMENT_SIZE = 64L * 1024 * 1024 * 1024;

  /** Default {@link #fsyncPolicy()}: {@link FsyncPolicy#ALWAYS}, durable by default. */
  public static final FsyncPolicy DEFAULT_FSYNC_POLICY = FsyncPolicy.ALWAYS;

  /** Default {@link #fsyncInterval()}: 100 ms. */
  public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofMillis(100);

  /** Default {@link #maxReadHandles()}: 32. */
  public static final int DEFAULT_MAX_READ_HANDLES = 32;

  /** Default {@link #verifyAfterOpen()}: {@code true}. */
  public static final boolean DEFAULT_VERIFY_AFTER_OPEN = true;

  private static final DatawalOptions DEFAULTS = builder().build();

  private final long maxSegmentSize;
  private final FsyncPolicy fsyncPolicy;
  private final Duration fsyncInterval;
  private final int maxReadHandles;
  private final @Nullable Duration retentionMaxAge;
  private final long retentionMaxBytes;
  private final boolean verifyAfterOpen;
  private final @Nullable Duration verifyInterval;

  private DatawalOptions(Builder b) {
    this.maxSegmentSize = b.maxSegmentSize;
    this.fsyncPolicy = b.fsyncPolicy;
    this.fsyncInterval = b.fsyncInterval;
    this.maxReadHandles = b.maxReadHandles;
    this.retentionMaxAge = b.retentionMaxAge;
    this.retentionMaxBytes = b.retentionMaxBytes;
    this.verifyAfterOpen = b.verifyAfterOpen;
    this.verifyInterval = b.verifyInterval;
  }

  /** {@return a builder starting from the defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the default options} */
  public static DatawalOptions defaults() {
    return DEFAULTS;
  }

  /** {@return a builder starting from these options} */
  public Builder toBuilder() {
    return new Builder()
        .maxSegmentSize(maxSegmentSize)
        .fsyncPolicy(fsyncPolicy)
        .fsyncInterval(fsyncInterval)
        .maxReadHandles(maxReadHandles)
        .retentionMaxAge(retentionMaxAge)
        .retentionMaxBytes(retentionMaxBytes)
        .verifyAfterOpen(verifyAfterOpen)
        .verifyInterval(verifyInterval);
  }

  /**
   * {@return the size in bytes past which the writer starts a new segment} An append whose frame
   * would take the active segment past it goes to a new segment instead. A frame larger than this
   * gets a segment of its own.
   */
  public long maxSegmentSize() {
    return maxSegmentSize;
  }

  /** {@return when appends become durable; see {@link FsyncPolicy}} */
  public FsyncPolicy fsyncPolicy() {
    return fsyncPolicy;
  }

  /** {@return the longest time an append stays unsynced, for {@link FsyncPolicy#INTERVAL}} */
  public Duration fsyncInterval() {
    return fsyncInterval;
  }

  /**
   * {@return how many segment files {@link DataWal#get} keeps open (and mapped) for reading at
   * most} Beyond those, files in use at the moment stay open too; files not read lately are closed
   * first.
   */
  public int maxReadHandles() {
    return maxReadHandles;
  }

  /**
   * {@return the age past which {@link RecordLog#applyRetention()} deletes a sealed segment} Its
   * age is the time since it was last written; {@code null} (the default) keeps segments whatever
   * their age.
   */
  public @Nullable Duration retentionMaxAge() {
    return retentionMaxAge;
  }

  /**
   * {@return the size in bytes that {@link RecordLog#applyRetention()} keeps the log within} The
   * oldest sealed segments are deleted while the log is larger; 0 (the default) means no limit.
   */
  public long retentionMaxBytes() {
    return retentionMaxBytes;
  }

  /**
   * {@return whether an open that did not read every sealed segment verifies them in the background
   * soon after} Such an open started from the key-directory snapshot; the verification ({@link
   * RecordLog#verify()}) finds damage inside a sealed segment without waiting for a read of the
   * damaged record. The open never waits for it; it begins a second after the open, so that the
   * application's first reads do not compete with it for a core. Default {@code true}.
   */
  public boolean verifyAfterOpen() {
    return verifyAfterOpen;
  }

  /**
   * {@return how often every sealed segment is verified in the background while the store is open}
   * Like a scrub ({@link RecordLog#verify()}); {@code null} (the default): never on a schedule.
   */
  public @Nullable Duration verifyInterval() {
    return verifyInterval;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof DatawalOptions other
        && maxSegmentSize == other.maxSegmentSize
        && fsyncPolicy == other.fsyncPolicy
        && fsyncInterval.equals(other.fsyncInterval)
        && maxReadHandles == other.maxReadHandles
        && Objects.equals(retentionMaxAge, other.retentionMaxAge)
        && retentionMaxBytes == other.retentionMaxBytes
        && verifyAfterOpen == other.verifyAfterOpen
        && Objects.equals(verifyInterval, other.verifyInterval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        maxSegmentSize,
        fsyncPolicy,
        fsyncInterval,
        maxReadHandles,
        retentionMaxAge,
        retentionMaxBytes,
        verifyAfterOpen,
        verifyInterval);
  }

  @Override
  public String toString() {
    return "DatawalOptions[maxSegmentSize="
        + maxSegmentSize
        + ", fsyncPolicy="
        + fsyncPolicy
        + ", fsyncInterval="
        + fsyncInterval
        + ", maxReadHandles="
        + maxReadHandles
        + ", retentionMaxAge="
        + retentionMaxAge
        + ", retentionMaxBytes="
        + retentionMaxBytes
        + ", verifyAfterOpen="
        + verifyAfterOpen
        + ", verifyInterval="
        + verifyInterval
        + "]";
  }

  /** Builds {@link DatawalOptions}. Not thread-safe. */
  public static final class Builder {
    private long maxSegmentSize = DEFAULT_MAX_SEGMENT_SIZE;
    private FsyncPolicy fsyncPolicy = DEFAULT_FSYNC_POLICY;
    private Duration fsyncInterval = DEFAULT_FSYNC_INTERVAL;
    private int maxReadHandles = DEFAULT_MAX_READ_HANDLES;
    private @Nullable Duration retentionMaxAge;
    private long retentionMaxBytes;
    private boolean verifyAfterOpen = DEFAULT_VERIFY_AFTER_OPEN;
    private @Nullable Duration verifyInterval;

    private Builder() {}

    /**
     * Sets {@link DatawalOptions#maxSegmentSize()}.
     *
     * @param bytes the size in bytes, from 1 to {@link #MAX_MAX_SEGMENT_SIZE}
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is not positive or over {@link
     *     #MAX_MAX_SEGMENT_SIZE}
     */
    public Builder maxSegmentSize(long bytes) {
      if (bytes <= 0 || bytes > MAX_MAX_SEGMENT_SIZE) {
        throw new IllegalArgumentException(
            "maxSegmentSize must be between 1 and "
                + MAX_MAX_SEGMENT_SIZE
                + " bytes, was "
                + bytes);
      }
      this.maxSegmentSize = bytes;
      return this;
    }

    /**
     * Sets {@link DatawalOptions#fsyncPolicy()}.
     *
     * @param policy when appends become durable
     * @return this builder
     */
    public Builder fsyncPolicy(FsyncPolicy policy) {
      this.fsyncPolicy = Objects.requireNonNull(policy, "fsyncPolicy");
      return this;
    }

    /**
     * Sets {@link DatawalOptions#fsyncInterval()}, which only {@link FsyncPolicy#INTERVAL} uses.
     *
     * @param interval the longest time an append stays unsynced
     * @return this builder
     * @throws IllegalArgumentException if {@code interval} is not positive
     */
    public Builder fsyncInterval(Duration interval) {
      Objects.requireNonNull(interval, "fsyncInterval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("fsyncInterval must be positive, was " + interval);
      }
      this.fsyncInterval = interval;
      return this;
    }

    /**
     * Sets {@link DatawalOptions#maxReadHandles()}.
     *
     * @param handles the most segment files kept open for reading, at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code handles} is less than 1
     */
    public Builder maxReadHandles(int handles) {
      if (handles < 1) {
        throw new IllegalArgumentException("maxReadHandles must be at least 1, was " + handles);
      }
      this.maxReadHandles = handles;
      return this;
    }

    /**
     * Sets {@link DatawalOptions#retentionMaxAge()}.
     *
     * @param maxAge a positive age, or {@code null} for no age limit
     * @return this builder
     * @throws IllegalArgumentException if {@code maxAge} is zero or negative
     */
    public Builder retentionMaxAge(@Nullable Duration maxAge) {
      if (maxAge != null && (maxAge.isZero() || maxAge.isNegative())) {
        throw new IllegalArgumentException("retentionMaxAge must be positive, was " + maxAge);
      }
      this.retentionMaxAge = maxAge;
      return this;
    }

    /**
     * Sets {@link DatawalOptions#retentionMaxBytes()}.
     *
     * @param bytes the size in bytes to keep the log within, or 0 for no limit
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public Builder retentionMaxBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException(
            "retentionMaxBytes must be 0 (no limit) or positive, was " + bytes);
      }
      this.retentionMaxBytes = bytes;
      return this;
    }

    /**
     * Sets {@link DatawalOptions#verifyAfterOpen()}.
     *
     * @param verify whether to verify, in the background, the sealed segments an open skipped
     * @return this builder
     */
    public Builder verifyAfterOpen(boolean verify) {
      this.verifyAfterOpen = verify;
      return this;
    }

    /**
     * Sets {@link DatawalOptions#verifyInterval()}.
     *
     * @param interval a positive interval, or {@code null} for no scheduled verification
     * @return this builder
     * @throws IllegalArgumentException if {@code interval} is zero or negative
     */
    public Builder verifyInterval(@Nullable Duration interval) {
      if (interval != null && (interval.isZero() || interval.isNegative())) {
        throw new IllegalArgumentException("verifyInterval must be positive, was " + interval);
      }
      this.verifyInterval = interval;
      return this;
    }

    /** {@return the options, immutable; the builder can go on to build others} */
    public DatawalOptions build() {
      return new DatawalOptions(this);
    }
  }
}
