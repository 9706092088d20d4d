package dev.datawal.benchmarks.peers;

import java.nio.file.Path;

/** Bulk loads of the read and reopen benchmarks. Not a benchmark. */
final class PeerLoad {
  private PeerLoad() {}

  /**
   * Writes keys {@code (0, 0)} to {@code (0, keys - 1)} in order into a new store of {@code peer}
   * in {@code dir}, unsynced, with deterministic values; syncs, closes, and reopens it (durable).
   *
   * @return the reopened store
   */
  static Peer load(String peer, Path dir, int keys, int valueSize) throws Exception {
    byte[] value = PeerFiles.randomBytes(valueSize, PeerFiles.SEED);
    try (Peer store = Peers.open(peer, dir, false)) {
      for (int i = 0; i < keys; i++) {
        value[0] = (byte) i;
        store.put(PeerFiles.key(0, i), value);
      }
      store.sync();
    }
    return Peers.open(peer, dir, true);
  }
}
