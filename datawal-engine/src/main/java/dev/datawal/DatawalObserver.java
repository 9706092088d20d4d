package dev.datawal;

/**
 * Told about a store's work as it happens, for metrics: register one with {@link
 * RecordLog#addObserver} or {@link DataWal#addObserver}.
 *
 * <p>Methods are called on the thread doing the work, some while the writer holds locks, so they
 * must be quick, must not block and must not call back into the store. An exception thrown by an
 * observer is caught and ignored: observing never fails a write. Every method does nothing by
 * default. Implementations must be thread-safe.
 */
public interface DatawalObserver {
  /**
   * Records were appended (and are readable); called once per append or batch.
   *
   * @param records how many
   * @param bytes their frames' size on disk
   */
  default void appended(int records, long bytes) {}

  /**
   * One fsync made records durable; with group commit one force covers many appends.
   *
   * @param records how many records became durable with it (the group-commit batch), 0 when it only
   *     synced the directory
   * @param nanos how long the force (and directory sync) took
   */
  default void synced(long records, long nanos) {}

  /**
   * A {@link DataWal#get} finished.
   *
   * @param found whether the key was live
   * @param nanos how long it took
   */
  default void read(boolean found, long nanos) {}

  /**
   * A {@link DataWal#compact()} or {@link DataWal#compactTo} finished.
   *
   * @param stats what it did
   */
  default void compacted(CompactionStats stats) {}

  /**
   * A {@link RecordLog#applyRetention()} finished.
   *
   * @param stats what it deleted
   */
  default void retained(RetentionStats stats) {}
}
