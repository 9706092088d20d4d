package dev.datawal;

import java.util.Iterator;

/**
 * A lazy scan over a log's valid records, in log order, holding at most one segment file open and
 * one record in memory. Close it when stopping early.
 *
 * <p>{@link #hasNext()} and {@link #next()} throw {@link CorruptStoreException} on damage the
 * recovery rules do not tolerate, and {@link DatawalException} when reading fails.
 *
 * <p>Not thread-safe: use one iterator per thread.
 */
public interface RecordIterator extends Iterator<Record>, AutoCloseable {

  /**
   * {@return what the scan found so far} It is complete once {@link #hasNext()} returned {@code
   * false}.
   */
  RecoveryReport report();

  /** Releases the open segment file. Idempotent. */
  @Override
  void close();
}
