package dev.datawal.benchmarks.peers;

import java.nio.file.Path;
import java.util.List;

/** Opens a {@link Peer} by name; the names are the values of the benchmarks' {@code peer} param. */
public final class Peers {
  /** Every peer, in report order. */
  public static final List<String> ALL =
      List.of("datawal", "sqlite", "rocksdb", "mvstore", "tape", "chronicle", "jsonl");

  /** The peers that are key/value stores (point reads, reopen, disk usage). */
  public static final List<String> KEY_VALUE = List.of("datawal", "sqlite", "rocksdb", "mvstore");

  /*
   * Chronicle Queue needs --add-exports/--add-opens flags on Java 17 (and its analytics switched
   * off): they are in the @Fork(jvmArgsAppend) of every benchmark class of this package, since an
   * annotation cannot take them from a constant array.
   */

  private Peers() {}

  /**
   * Opens (creating if needed) the store of peer {@code name} in the existing directory {@code
   * dir}.
   *
   * @param durable every put on disk when it returns, else the peer's nearest unsynced mode
   * @throws UnsupportedOperationException if the peer has no such mode (Tape unsynced)
   * @throws IllegalArgumentException for an unknown name
   */
  public static Peer open(String name, Path dir, boolean durable) throws Exception {
    switch (name) {
      case "datawal":
        return new DatawalPeer(dir, durable);
      case "sqlite":
        return new SqlitePeer(dir, durable);
      case "rocksdb":
        return new RocksDbPeer(dir, durable);
      case "mvstore":
        return new MvStorePeer(dir, durable);
      case "tape":
        return new TapePeer(dir, durable);
      case "chronicle":
        return new ChroniclePeer(dir, durable);
      case "jsonl":
        return new JsonlPeer(dir, durable);
      default:
        throw new IllegalArgumentException("unknown peer: " + name);
    }
  }

  /** Whether the peer takes concurrent writers (Tape and JSONL take one). */
  public static boolean concurrentWriters(String name) {
    return !name.equals("tape") && !name.equals("jsonl");
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
