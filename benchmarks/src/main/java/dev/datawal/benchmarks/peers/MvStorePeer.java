package dev.datawal.benchmarks.peers;

import java.nio.file.Path;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * H2's MVStore: one file, one {@code MVMap<byte[], byte[]>}. Durable: auto-commit disabled, and
 * every put is followed by {@code store.commit()} (writes the changes as a new chunk) then {@code
 * store.sync()} (forces the file), so the put is on disk when the call returns; concurrent writers
 * put into the map concurrently and serialize on MVStore's own store lock in commit. Unsynced:
 * MVStore's defaults (background auto-commit about every second, no sync).
 */
final class MvStorePeer implements Peer {
  private static final int COMPACT_MILLIS = 60_000;

  private final boolean durable;
  private final MVStore store;
  private final MVMap<byte[], byte[]> map;

  MvStorePeer(Path dir, boolean durable) {
    this.durable = durable;
    MVStore.Builder builder = new MVStore.Builder().fileName(dir.resolve("kv.mv").toString());
    if (durable) {
      builder.autoCommitDisabled();
    }
    store = builder.open();
    map = store.openMap("kv");
  }

  @Override
  public void put(byte[] key, byte[] value) {
    map.put(key, value);
    if (durable) {
      store.commit();
      store.sync();
    }
  }

  @Override
  public byte[] get(byte[] key) {
    return map.get(key);
  }

  @Override
  public void sync() {
    store.commit();
    store.sync();
  }

  @Override
  public void compact() {
    store.commit();
    // Bounded: with no limit (Integer.MAX_VALUE ms), on 1M puts that all shared one value array,
    // it was still rewriting and syncing chunks after 20 minutes.
    store.compactFile(COMPACT_MILLIS);
    store.sync();
  }

  @Override
  public String compaction() {
    return "commit(), compactFile(" + COMPACT_MILLIS / 1000 + " s), sync()";
  }

  @Override
  public void close() {
    store.close();
  }
}
