package dev.datawal.spring.transaction;

import dev.datawal.DataWal;
import dev.datawal.Entry;
import dev.datawal.LimitExceededException;
import dev.datawal.RecordLog;
import dev.datawal.RecordType;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Writes and reads a {@link DataWal}'s keys and event log, inside a {@link
 * DatawalTransactionManager} transaction or not.
 *
 * <p>Inside a transaction (for example a method annotated with {@code @Transactional} when the
 * datawal transaction manager is the application's), writes are kept until the transaction ends:
 * committed, they are written as one atomic record group; rolled back, nothing is written. Reads
 * see the transaction's own writes first. Outside a transaction each write goes to the store at
 * once, as {@link DataWal#put} does.
 *
 * <p>Each write is checked when it is made, not at commit ({@link RecordLog#checkRecord}: the
 * limits {@link RecordLog#MAX_KEY_LEN} and {@link RecordLog#MAX_PAYLOAD_LEN}, and the key prefix
 * reserved for record groups). A transaction holds its keys and values in memory until it ends.
 *
 * <p>Thread-safe: each thread works in its own transaction.
 */
public final class DatawalTemplate {
  private static final byte[] EMPTY = new byte[0];

  private final DataWal dataWal;

  /**
   * Creates a template on {@code dataWal}.
   *
   * @param dataWal the store; transactions are those of a {@link DatawalTransactionManager} on this
   *     same instance
   */
  public DatawalTemplate(DataWal dataWal) {
    this.dataWal = Objects.requireNonNull(dataWal, "dataWal");
  }

  /**
   * Sets {@code key} to {@code value}.
   *
   * @param key the key, at most {@link RecordLog#MAX_KEY_LEN} bytes
   * @param value the value, at most {@link RecordLog#MAX_PAYLOAD_LEN} bytes
   * @throws LimitExceededException if the key or value is over its limit; nothing was written
   */
  public void put(byte[] key, byte[] value) {
    write(Entry.put(key, value));
  }

  /**
   * Deletes {@code key}.
   *
   * @param key the key
   * @return whether the key was live (in this transaction's view) before
   */
  public boolean delete(byte[] key) {
    boolean wasLive = containsKey(key);
    write(Entry.delete(key));
    return wasLive;
  }

  /**
   * Appends an event, a {@link RecordType#RAW} record, to the log.
   *
   * @param payload the event's bytes, at most {@link RecordLog#MAX_PAYLOAD_LEN}
   */
  public void append(byte[] payload) {
    write(Entry.raw(payload));
  }

  /**
   * Writes several records; outside a transaction they are written as one atomic group.
   *
   * @param entries the writes, in order
   */
  public void write(List<Entry> entries) {
    entries.forEach(e -> RecordLog.checkRecord(e.key(), e.payload()));
    PendingWrites writes = currentWrites();
    if (writes == null) {
      dataWal.writeAtomically(entries);
    } else {
      entries.forEach(e -> writes.add(copy(e)));
    }
  }

  /**
   * Writes one record.
   *
   * @param entry the write
   */
  public void write(Entry entry) {
    write(List.of(entry));
  }

  /**
   * {@return the value of {@code key}: as this transaction wrote it, else as the store has it} The
   * array is fresh.
   *
   * @param key the key
   */
  public Optional<byte[]> get(byte[] key) {
    PendingWrites writes = currentWrites();
    Optional<byte[]> written = writes == null ? null : writes.written(key);
    if (written != null) {
      return written.map(byte[]::clone);
    }
    return dataWal.get(key);
  }

  /**
   * {@return whether {@code key} is live, in this transaction's view}
   *
   * @param key the key
   */
  public boolean containsKey(byte[] key) {
    PendingWrites writes = currentWrites();
    Optional<byte[]> written = writes == null ? null : writes.written(key);
    return written != null ? written.isPresent() : dataWal.containsKey(key);
  }

  /** {@return whether a datawal transaction on this store is active on this thread} */
  public boolean inTransaction() {
    return currentWrites() != null;
  }

  /** {@return how many writes the active transaction holds, 0 outside a transaction} */
  public int pendingWrites() {
    PendingWrites writes = currentWrites();
    return writes == null ? 0 : writes.count();
  }

  /** {@return the store} */
  public DataWal dataWal() {
    return dataWal;
  }

  private @Nullable PendingWrites currentWrites() {
    return (PendingWrites) TransactionSynchronizationManager.getResource(dataWal);
  }

  /** The caller may change its arrays after the call; the transaction keeps what it was given. */
  private static Entry copy(Entry e) {
    return new Entry(
        e.type(),
        e.key().length == 0 ? EMPTY : e.key().clone(),
        e.payload().length == 0 ? EMPTY : e.payload().clone());
  }

  @Override
  public String toString() {
    return "DatawalTemplate[" + dataWal.log().dir() + "]";
  }
}
