package dev.datawal.benchmarks.peers;

import com.squareup.tape2.QueueFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Square's Tape 2 {@code QueueFile}: one {@code add(key + value)} per write. QueueFile opens its
 * file in {@code "rwd"} mode, so every add is synchronously written (data, then the header) before
 * it returns: durable by design, and it has no unsynced mode. Not thread-safe: one writer.
 */
final class TapePeer implements Peer {
  private final QueueFile queue;

  TapePeer(Path dir, boolean durable) throws IOException {
    if (!durable) {
      throw new UnsupportedOperationException(
          "Tape fsyncs every operation; it has no unsynced mode");
    }
    queue = new QueueFile.Builder(dir.resolve("queue").toFile()).build();
  }

  @Override
  public void put(byte[] key, byte[] value) throws IOException {
    queue.add(Peers.concat(key, value));
  }

  @Override
  public byte[] get(byte[] key) {
    throw new UnsupportedOperationException("Tape is a queue");
  }

  @Override
  public void sync() {
    // every add is already synchronous
  }

  @Override
  public void compact() {
    throw new UnsupportedOperationException("Tape has no compaction");
  }

  @Override
  public String compaction() {
    return "none";
  }

  @Override
  public void close() throws IOException {
    queue.close();
  }
}
