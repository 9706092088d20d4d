package dev.datawal.autoconfigure;

import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the auto-configured datawal store ({@code datawal.*}). Every default that the
 * engine also has is taken from {@link DatawalOptions}, so both stay the same.
 */
@ConfigurationProperties("datawal")
public class DatawalProperties {
  /** Which store bean to create. */
  public enum StoreType {
    /** A {@link dev.datawal.DataWal}: a last-write-wins key/value store over the log. */
    KV,
    /** A plain {@link dev.datawal.RecordLog}: an append-only event log. */
    LOG
  }

  /** Whether to auto-configure a datawal store. */
  private boolean enabled = true;

  /** The store directory; created if missing. Relative paths resolve against the working dir. */
  private Path dir = Path.of("datawal");

  /** Which store to open: kv (a DataWal bean) or log (a RecordLog bean). */
  private StoreType store = StoreType.KV;

  /**
   * Open the store through the lockless read-only reader (a RecordLogReader bean, no writer): for
   * inspection apps beside a running writer.
   */
  private boolean readOnly = false;

  /** Segment files open at once for reads (key/value gets), least recently used closed first. */
  private int maxReadHandles = DatawalOptions.DEFAULT_MAX_READ_HANDLES;

  private final Segment segment = new Segment();
  private final Fsync fsync = new Fsync();
  private final Lock lock = new Lock();
  private final Compaction compaction = new Compaction();
  private final Retention retention = new Retention();
  private final Health health = new Health();
  private final Verify verify = new Verify();
  private final Transactions transactions = new Transactions();

  /** Properties with their defaults; the engine's are those of {@link DatawalOptions}. */
  public DatawalProperties() {}

  /** {@return whether to auto-configure a datawal store ({@code datawal.enabled})} */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets {@code datawal.enabled}.
   *
   * @param enabled whether to auto-configure a datawal store
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** {@return the store directory ({@code datawal.dir})} */
  public Path getDir() {
    return dir;
  }

  /**
   * Sets {@code datawal.dir}.
   *
   * @param dir the store directory; a relative path resolves against the working directory
   */
  public void setDir(Path dir) {
    this.dir = dir;
  }

  /** {@return which store to open ({@code datawal.store})} */
  public StoreType getStore() {
    return store;
  }

  /**
   * Sets {@code datawal.store}.
   *
   * @param store which store to open
   */
  public void setStore(StoreType store) {
    this.store = store;
  }

  /**
   * {@return whether to open the store through the lockless read-only reader ({@code
   * datawal.read-only})}
   */
  public boolean isReadOnly() {
    return readOnly;
  }

  /**
   * Sets {@code datawal.read-only}.
   *
   * @param readOnly whether to open the store through the lockless read-only reader
   */
  public void setReadOnly(boolean readOnly) {
    this.readOnly = readOnly;
  }

  /**
   * {@return how many segment files are open at once for reads ({@code datawal.max-read-handles})}
   */
  public int getMaxReadHandles() {
    return maxReadHandles;
  }

  /**
   * Sets {@code datawal.max-read-handles}.
   *
   * @param maxReadHandles how many segment files may be open at once for reads
   */
  public void setMaxReadHandles(int maxReadHandles) {
    this.maxReadHandles = maxReadHandles;
  }

  /** {@return the segment file settings ({@code datawal.segment.*})} */
  public Segment getSegment() {
    return segment;
  }

  /** {@return the durability settings ({@code datawal.fsync.*})} */
  public Fsync getFsync() {
    return fsync;
  }

  /** {@return the settings of the store directory's lock ({@code datawal.lock.*})} */
  public Lock getLock() {
    return lock;
  }

  /** {@return the background compaction settings ({@code datawal.compaction.*})} */
  public Compaction getCompaction() {
    return compaction;
  }

  /** {@return the background retention settings ({@code datawal.retention.*})} */
  public Retention getRetention() {
    return retention;
  }

  /** {@return the health indicator settings ({@code datawal.health.*})} */
  public Health getHealth() {
    return health;
  }

  /** {@return the background verification settings ({@code datawal.verify.*})} */
  public Verify getVerify() {
    return verify;
  }

  /** {@return the transaction settings ({@code datawal.transactions.*})} */
  public Transactions getTransactions() {
    return transactions;
  }

  /** Segment files. */
  public static class Segment {
    /** Size past which the writer seals the active segment and starts a new one. */
    private DataSize maxSize = DataSize.ofBytes(DatawalOptions.DEFAULT_MAX_SEGMENT_SIZE);

    /** Settings with their defaults. */
    public Segment() {}

    /**
     * {@return the size past which the writer seals the active segment ({@code
     * datawal.segment.max-size})}
     */
    public DataSize getMaxSize() {
      return maxSize;
    }

    /**
     * Sets {@code datawal.segment.max-size}.
     *
     * @param maxSize the size past which the writer seals the active segment
     */
    public void setMaxSize(DataSize maxSize) {
      this.maxSize = maxSize;
    }
  }

  /** When appends become durable. */
  public static class Fsync {
    /**
     * always: every write is on disk before it returns (group commit shares fsyncs); interval: at
     * most fsync.interval of writes can be lost; manual: only on fsync() or close.
     */
    private FsyncPolicy policy = DatawalOptions.DEFAULT_FSYNC_POLICY;

    /** Under the interval policy, the longest a write stays unsynced. */
    private Duration interval = DatawalOptions.DEFAULT_FSYNC_INTERVAL;

    /** Settings with their defaults. */
    public Fsync() {}

    /** {@return when appends become durable ({@code datawal.fsync.policy})} */
    public FsyncPolicy getPolicy() {
      return policy;
    }

    /**
     * Sets {@code datawal.fsync.policy}.
     *
     * @param policy when appends become durable
     */
    public void setPolicy(FsyncPolicy policy) {
      this.policy = policy;
    }

    /**
     * {@return under the interval policy, the longest a write stays unsynced ({@code
     * datawal.fsync.interval})}
     */
    public Duration getInterval() {
      return interval;
    }

    /**
     * Sets {@code datawal.fsync.interval}.
     *
     * @param interval under the interval policy, the longest a write stays unsynced
     */
    public void setInterval(Duration interval) {
      this.interval = interval;
    }
  }

  /** The store directory's exclusive lock. */
  public static class Lock {
    /**
     * How long startup waits for another process to release the store (rolling restarts); 0 fails
     * at once.
     */
    private Duration wait = Duration.ZERO;

    /** Settings with their defaults. */
    public Lock() {}

    /**
     * {@return how long startup waits for another process to release the store ({@code
     * datawal.lock.wait})}
     */
    public Duration getWait() {
      return wait;
    }

    /**
     * Sets {@code datawal.lock.wait}.
     *
     * @param wait how long startup waits for another process to release the store; 0 fails at once
     */
    public void setWait(Duration wait) {
      this.wait = wait;
    }
  }

  /** Background compaction of a key/value store. */
  public static class Compaction {
    /** Whether to compact a kv store in the background. */
    private boolean enabled = true;

    /** How often to check whether compaction is due; a run never overlaps the previous one. */
    private Duration interval = Duration.ofMinutes(5);

    /** Compact when at least this share (0 to 1) of the store's bytes is reclaimable garbage. */
    private double minGarbageRatio = 0.5;

    /** Settings with their defaults. */
    public Compaction() {}

    /**
     * {@return whether to compact a key/value store in the background ({@code
     * datawal.compaction.enabled})}
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets {@code datawal.compaction.enabled}.
     *
     * @param enabled whether to compact a key/value store in the background
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * {@return how often to check whether compaction is due ({@code datawal.compaction.interval})}
     */
    public Duration getInterval() {
      return interval;
    }

    /**
     * Sets {@code datawal.compaction.interval}.
     *
     * @param interval how often to check whether compaction is due
     */
    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    /**
     * {@return the share (0 to 1) of the store's bytes that must be garbage for compaction to be
     * due ({@code datawal.compaction.min-garbage-ratio})}
     */
    public double getMinGarbageRatio() {
      return minGarbageRatio;
    }

    /**
     * Sets {@code datawal.compaction.min-garbage-ratio}.
     *
     * @param minGarbageRatio the share (0 to 1) of the store's bytes that must be garbage for
     *     compaction to be due
     */
    public void setMinGarbageRatio(double minGarbageRatio) {
      this.minGarbageRatio = minGarbageRatio;
    }
  }

  /** Background retention of a plain log: whole old segments are deleted. */
  public static class Retention {
    /** Delete sealed segments last written longer ago than this; unset keeps them forever. */
    private @Nullable Duration maxAge;

    /** Delete the oldest sealed segments while the log is larger than this; 0 means no limit. */
    private DataSize maxBytes = DataSize.ofBytes(0);

    /** How often to apply retention; a run never overlaps the previous one. */
    private Duration interval = Duration.ofMinutes(5);

    /**
     * Never delete records a named subscriber (or other registered reader) has not processed yet.
     * When false, retention may delete them and the subscriber is told what it missed.
     */
    private boolean respectSubscribers = true;

    /** Settings with their defaults. */
    public Retention() {}

    /**
     * {@return the age past which sealed segments are deleted, or null for no age limit ({@code
     * datawal.retention.max-age})}
     */
    public @Nullable Duration getMaxAge() {
      return maxAge;
    }

    /**
     * Sets {@code datawal.retention.max-age}.
     *
     * @param maxAge the age past which sealed segments are deleted, or null for no age limit
     */
    public void setMaxAge(@Nullable Duration maxAge) {
      this.maxAge = maxAge;
    }

    /**
     * {@return the size past which the oldest sealed segments are deleted; 0 means no limit ({@code
     * datawal.retention.max-bytes})}
     */
    public DataSize getMaxBytes() {
      return maxBytes;
    }

    /**
     * Sets {@code datawal.retention.max-bytes}.
     *
     * @param maxBytes the size past which the oldest sealed segments are deleted; 0 means no limit
     */
    public void setMaxBytes(DataSize maxBytes) {
      this.maxBytes = maxBytes;
    }

    /** {@return how often to apply retention ({@code datawal.retention.interval})} */
    public Duration getInterval() {
      return interval;
    }

    /**
     * Sets {@code datawal.retention.interval}.
     *
     * @param interval how often to apply retention
     */
    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    /**
     * {@return whether retention keeps the records a named subscriber has not processed yet ({@code
     * datawal.retention.respect-subscribers})}
     */
    public boolean isRespectSubscribers() {
      return respectSubscribers;
    }

    /**
     * Sets {@code datawal.retention.respect-subscribers}.
     *
     * @param respectSubscribers whether retention keeps the records a named subscriber has not
     *     processed yet
     */
    public void setRespectSubscribers(boolean respectSubscribers) {
      this.respectSubscribers = respectSubscribers;
    }
  }

  /** The {@code datawal} health indicator. */
  public static class Health {
    /** Report DOWN when the store's file system has less free space than this. */
    private DataSize freeSpaceThreshold = DataSize.ofMegabytes(10);

    /** Settings with their defaults. */
    public Health() {}

    /**
     * {@return the free space under which the health indicator reports DOWN ({@code
     * datawal.health.free-space-threshold})}
     */
    public DataSize getFreeSpaceThreshold() {
      return freeSpaceThreshold;
    }

    /**
     * Sets {@code datawal.health.free-space-threshold}.
     *
     * @param freeSpaceThreshold the free space under which the health indicator reports DOWN
     */
    public void setFreeSpaceThreshold(DataSize freeSpaceThreshold) {
      this.freeSpaceThreshold = freeSpaceThreshold;
    }
  }

  /** Background verification of the sealed segments (the writer's; not a read-only view's). */
  public static class Verify {
    /**
     * Whether an open that started from the key-directory snapshot, so did not read the sealed
     * segments, verifies them in the background right after; the open never waits for it.
     */
    private boolean afterOpen = DatawalOptions.DEFAULT_VERIFY_AFTER_OPEN;

    /** How often to verify every sealed segment in the background, like a scrub; unset: never. */
    private @Nullable Duration interval;

    /** Settings with their defaults. */
    public Verify() {}

    /**
     * {@return whether an open from the key-directory snapshot verifies the sealed segments in the
     * background ({@code datawal.verify.after-open})}
     */
    public boolean isAfterOpen() {
      return afterOpen;
    }

    /**
     * Sets {@code datawal.verify.after-open}.
     *
     * @param afterOpen whether an open from the key-directory snapshot verifies the sealed segments
     *     in the background
     */
    public void setAfterOpen(boolean afterOpen) {
      this.afterOpen = afterOpen;
    }

    /**
     * {@return how often to verify every sealed segment in the background, or null for never
     * ({@code datawal.verify.interval})}
     */
    public @Nullable Duration getInterval() {
      return interval;
    }

    /**
     * Sets {@code datawal.verify.interval}.
     *
     * @param interval how often to verify every sealed segment in the background, or null for never
     */
    public void setInterval(@Nullable Duration interval) {
      this.interval = interval;
    }
  }

  /** Spring transactions on the key/value store. */
  public static class Transactions {
    /**
     * Whether to auto-configure a datawal transaction manager when the application has no
     * transaction manager of its own.
     */
    private boolean enabled = true;

    /** Settings with their defaults. */
    public Transactions() {}

    /** {@return whether to auto-configure the transaction manager} */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets {@code datawal.transactions.enabled}.
     *
     * @param enabled whether to auto-configure the transaction manager
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
