package dev.datawal;

/**
 * When appended records become durable (survive a crash or power cut). Set with {@link
 * DatawalOptions.Builder#fsyncPolicy}. In every policy a record is readable as soon as its append
 * returns; {@link RecordLog#fsync()} always makes everything appended before it durable.
 */
public enum FsyncPolicy {
  /**
   * The reference's contract: an append is durable once a later {@link RecordLog#fsync()} returns
   * (or the log is closed). Fastest; the application decides when to pay for durability.
   */
  MANUAL,
  /**
   * Every append, put or delete returns only once its record is durable. Concurrent writers share
   * fsyncs (group commit): one force covers every record written before it, so throughput grows
   * with the number of writers while each call still waits for its own record.
   */
  ALWAYS,
  /**
   * A background flusher makes everything appended durable at least every {@link
   * DatawalOptions#fsyncInterval()}: a crash loses at most the records of the last interval. A
   * failed background fsync poisons the writer, is logged, and fails every later change.
   */
  INTERVAL
}
