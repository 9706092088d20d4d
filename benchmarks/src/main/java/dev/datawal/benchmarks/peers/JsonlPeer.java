package dev.datawal.benchmarks.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;

/**
 * Hand-written JSONL: one line {@code {"k":"<base64>","v":"<base64>"}} per write, appended with
 * {@code FileChannel.write}, then {@code force(false)} (fdatasync) when durable; never forced when
 * unsynced. One writer (calls are synchronized, as an application would have to).
 */
final class JsonlPeer implements Peer {
  private static final Base64.Encoder BASE64 = Base64.getEncoder();

  private final boolean durable;
  private final FileChannel channel;

  JsonlPeer(Path dir, boolean durable) throws IOException {
    this.durable = durable;
    channel =
        FileChannel.open(
            dir.resolve("log.jsonl"),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
  }

  @Override
  public synchronized void put(byte[] key, byte[] value) throws IOException {
    String line =
        "{\"k\":\""
            + BASE64.encodeToString(key)
            + "\",\"v\":\""
            + BASE64.encodeToString(value)
            + "\"}\n";
    ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    if (durable) {
      channel.force(false);
    }
  }

  @Override
  public byte[] get(byte[] key) {
    throw new UnsupportedOperationException("JSONL is a log");
  }

  @Override
  public synchronized void sync() throws IOException {
    channel.force(false);
  }

  @Override
  public void compact() {
    throw new UnsupportedOperationException("JSONL has no compaction");
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
