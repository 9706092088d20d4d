package dev.datawal.benchmarks.peers;

import java.io.IOException;

/**
 * One store under comparison, behind the few operations every workload needs. Not thread-safe
 * unless {@link Peers#concurrentWriters(String)} says the peer takes concurrent writers; then
 * {@link #put} may be called from many threads at once. {@link #get} of a key/value peer may be
 * called from several threads at once (the two-thread point reads).
 *
 * <p>Log peers (Tape, Chronicle Queue, JSONL) append the key and value as one record and cannot
 * {@link #get}; key/value peers overwrite the key.
 */
public interface Peer extends AutoCloseable {
  /**
   * Writes one record. In a peer opened durable it is on disk when the call returns; otherwise in
   * the peer's nearest mode without a sync per write.
   */
  void put(byte[] key, byte[] value) throws Exception;

  /**
   * The value of {@code key}, or null when absent.
   *
   * @throws UnsupportedOperationException for log peers
   */
  byte[] get(byte[] key) throws Exception;

  /** Makes everything written so far durable (used after bulk loads in unsynced mode). */
  void sync() throws Exception;

  /**
   * Runs the peer's own compaction, to completion.
   *
   * @throws UnsupportedOperationException for peers that have none
   */
  void compact() throws Exception;

  /** How {@link #compact} compacts, for the report. */
  String compaction();

  @Override
  void close() throws IOException;
}
