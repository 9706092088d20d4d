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

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Path getDir() {
    return dir;
  }

  public void setDir(Path dir) {
    this.dir = dir;
  }

  public StoreType getStore() {
    return store;
  }

  public void setStore(StoreType store) {
    this.store = store;
  }

  public boolean isReadOnly() {
    return readOnly;
  }

  public void setReadOnly(boolean readOnly) {
    this.readOnly = readOnly;
  }

  public int getMaxReadHandles() {
    return maxReadHandles;
  }

  public void setMaxReadHandles(int maxReadHandles) {
    this.maxReadHandles = maxReadHandles;
  }

  public Segment getSegment() {
    return segment;
  }

  public Fsync getFsync() {
    return fsync;
  }

  public Lock getLock() {
    return lock;
  }

  public Compaction getCompaction() {
    return compaction;
  }

  public Retention getRetention() {
    return retention;
  }

  public Health getHealth() {
    return health;
  }

  public Verify getVerify() {
    return verify;
  }

  /** Segment files. */
  public static class Segment {
    /** Size past which the writer seals the active segment and starts a new one. */
    private DataSize maxSize = DataSize.ofBytes(DatawalOptions.DEFAULT_MAX_SEGMENT_SIZE);

    public DataSize getMaxSize() {
      return maxSize;
    }

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

    public FsyncPolicy getPolicy() {
      return policy;
    }

    public void setPolicy(FsyncPolicy policy) {
      this.policy = policy;
    }

    public Duration getInterval() {
      return interval;
    }

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

    public Duration getWait() {
      return wait;
    }

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

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    public double getMinGarbageRatio() {
      return minGarbageRatio;
    }

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

    public @Nullable Duration getMaxAge() {
      return maxAge;
    }

    public void setMaxAge(@Nullable Duration maxAge) {
      this.maxAge = maxAge;
    }

    public DataSize getMaxBytes() {
      return maxBytes;
    }

    public void setMaxBytes(DataSize maxBytes) {
      this.maxBytes = maxBytes;
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    public boolean isRespectSubscribers() {
      return respectSubscribers;
    }

    public void setRespectSubscribers(boolean respectSubscribers) {
      this.respectSubscribers = respectSubscribers;
    }
  }

  /** The {@code datawal} health indicator. */
  public static class Health {
    /** Report DOWN when the store's file system has less free space than this. */
    private DataSize freeSpaceThreshold = DataSize.ofMegabytes(10);

    public DataSize getFreeSpaceThreshold() {
      return freeSpaceThreshold;
    }

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

    public boolean isAfterOpen() {
      return afterOpen;
    }

    public void setAfterOpen(boolean afterOpen) {
      this.afterOpen = afterOpen;
    }

    public @Nullable Duration getInterval() {
      return interval;
    }

    public void setInterval(@Nullable Duration interval) {
      this.interval = interval;
    }
  }
}
