package dev.datawal.benchmarks.peers;

import java.nio.file.Path;
import java.util.List;

/** Opens a {@link Peer} by name; the names are the values of the benchmarks' {@code peer} param. */
public final class Peers {
  /** Every peer, in report order: the stores, then the two FileChannel baselines. */
  public static final List<String> ALL =
      List.of(
          "datawal",
          "sqlite",
          "rocksdb",
          "mvstore",
          "tape",
          "chronicle",
          "jsonl",
          "append-loop",
          "prealloc-loop");

  /**
   * The FileChannel loops ({@link AppendLoopPeer}, {@link PreallocLoopPeer}): the I/O floor datawal
   * is measured against, not stores a team would pick, so "ahead of every peer" leaves them out.
   */
  public static final List<String> BASELINES = List.of("append-loop", "prealloc-loop");

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
   * @throws UnsupportedOperationException if the peer has no such mode (Tape and prealloc-loop
   *     unsynced)
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
      case "append-loop":
        return new AppendLoopPeer(dir, durable);
      case "prealloc-loop":
        return new PreallocLoopPeer(dir, durable);
      default:
        throw new IllegalArgumentException("unknown peer: " + name);
    }
  }

  /** Whether the peer takes concurrent writers (Tape, JSONL and the baselines take one). */
  public static boolean concurrentWriters(String name) {
    return !name.equals("tape") && !name.equals("jsonl") && !BASELINES.contains(name);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
