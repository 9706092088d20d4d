package dev.datawal.spring.transaction;

import dev.datawal.Entry;
import dev.datawal.RecordType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.transaction.support.ResourceHolderSupport;

/**
 * The writes of one datawal transaction, in order, kept in memory until it commits; bound to the
 * transaction's thread under the {@link dev.datawal.DataWal} as key. It also answers the
 * transaction's own reads of keys it wrote (read your writes). Not thread-safe: a Spring
 * transaction belongs to one thread.
 */
final class PendingWrites extends ResourceHolderSupport {
  /** A key's value as this transaction left it; an empty value means it deleted the key. */
  private final Map<ByteBuffer, Optional<byte[]>> latest = new HashMap<>();

  private final List<Entry> entries = new ArrayList<>();
  private boolean readOnly;

  void readOnly(boolean readOnly) {
    this.readOnly = readOnly;
  }

  void add(Entry entry) {
    if (readOnly) {
      throw new IllegalStateException(
          "a read-only datawal transaction cannot write (" + entry.type() + ")");
    }
    entries.add(entry);
    if (entry.type() == RecordType.PUT) {
      latest.put(ByteBuffer.wrap(entry.key().clone()), Optional.of(entry.payload()));
    } else if (entry.type() == RecordType.DELETE) {
      latest.put(ByteBuffer.wrap(entry.key().clone()), Optional.empty());
    }
  }

  /**
   * {@return what this transaction last wrote to {@code key}: a value, empty for a delete, or null
   * if it did not write the key}
   */
  @Nullable Optional<byte[]> written(byte[] key) {
    return latest.get(ByteBuffer.wrap(key));
  }

  List<Entry> entries() {
    return entries;
  }

  int count() {
    return entries.size();
  }

  @Override
  public void clear() {
    super.clear();
    entries.clear();
    latest.clear();
  }
}
