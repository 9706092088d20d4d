package dev.datawal.benchmarks.peers;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import java.nio.file.Path;

/**
 * datawal: {@code DataWal.put} with {@link FsyncPolicy#ALWAYS} (durable; concurrent writers share
 * forces) or {@link FsyncPolicy#MANUAL} (unsynced). Default options otherwise (64 MiB segments).
 */
final class DatawalPeer implements Peer {
  private final DataWal store;

  DatawalPeer(Path dir, boolean durable) {
    store =
        DataWal.open(
            dir,
            DatawalOptions.builder()
                .fsyncPolicy(durable ? FsyncPolicy.ALWAYS : FsyncPolicy.MANUAL)
                .build());
  }

  @Override
  public void put(byte[] key, byte[] value) {
    store.put(key, value);
  }

  @Override
  public byte[] get(byte[] key) {
    return store.get(key).orElse(null);
  }

  @Override
  public void sync() {
    store.fsync();
  }

  @Override
  public void compact() {
    store.compact();
  }

  @Override
  public String compaction() {
    return "DataWal.compact() (sealed segments only; the active segment is kept)";
  }

  @Override
  public void close() {
    store.close();
  }
}
