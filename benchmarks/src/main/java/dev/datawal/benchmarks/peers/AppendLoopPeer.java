package dev.datawal.benchmarks.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Baseline {@code append-loop}: the least a durable log can do per write. A plain {@link
 * FileChannel} loop: every put writes one record of the same byte count as a datawal frame ({@link
 * PeerFiles#frame}: 28 bytes of framing plus the key and value) at the end of one growing file,
 * with one positional {@code write} call, then {@code force(false)} (fdatasync) when durable; never
 * forced when unsynced. The file grows with every put, so each fdatasync also commits the new file
 * size, as datawal's appends to its active segment do. No checksum, no index, no rollover to a new
 * file. One writer (calls are synchronized). A log: no {@link #get}.
 */
final class AppendLoopPeer implements Peer {
  private final boolean durable;
  private final FileChannel channel;
  private ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
  private long position;

  AppendLoopPeer(Path dir, boolean durable) throws IOException {
    this.durable = durable;
    channel =
        FileChannel.open(
            dir.resolve("append-loop.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    position = channel.size();
    PeerFiles.syncDirectory(dir); // the file itself is durable before the first put
  }

  @Override
  public synchronized void put(byte[] key, byte[] value) throws IOException {
    buffer = PeerFiles.frame(buffer, key, value);
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
    if (durable) {
      channel.force(false);
    }
  }

  @Override
  public byte[] get(byte[] key) {
    throw new UnsupportedOperationException("append-loop is a log");
  }

  @Override
  public synchronized void sync() throws IOException {
    channel.force(false);
  }

  @Override
  public void compact() {
    throw new UnsupportedOperationException("append-loop has no compaction");
  }

  @Override
  public String compaction() {
    return "none";
  }

  @Override
  public synchronized void close() throws IOException {
    channel.close();
  }
}
