package dev.datawal.benchmarks.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Baseline {@code prealloc-loop}, durable only: the floor of a durable write that changes no file
 * metadata. At open a file of {@value #FILE_BYTES} bytes is preallocated by writing zeros into it
 * (real writes, not {@code fallocate} or a sparse file), then forced ({@code force(true)}) with its
 * directory. Every put then overwrites the next record's bytes (the same records as {@link
 * AppendLoopPeer}: a datawal frame's byte count) with one positional {@code write} call and calls
 * {@code force(false)} (fdatasync), which then has no file size to commit. When the next record
 * does not fit before the end of the file the loop wraps to its start, as preallocating WALs
 * recycle their files. One writer (calls are synchronized). A log: no {@link #get}. Unsynced it is
 * not run, like Tape: without a force per write it would be the append loop.
 */
final class PreallocLoopPeer implements Peer {
  /** Bytes of zeros written at open: 64 MiB, a datawal segment's default size. */
  static final long FILE_BYTES = 64L << 20;

  private final FileChannel channel;
  private ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
  private long position;

  PreallocLoopPeer(Path dir, boolean durable) throws IOException {
    if (!durable) {
      throw new UnsupportedOperationException(
          "prealloc-loop forces every write; it has no unsynced mode");
    }
    channel =
        FileChannel.open(
            dir.resolve("prealloc-loop.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
    long written = 0;
    while (written < FILE_BYTES) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), FILE_BYTES - written));
      while (zeros.hasRemaining()) {
        written += channel.write(zeros, written);
      }
    }
    channel.force(true);
    PeerFiles.syncDirectory(dir);
  }

  @Override
  public synchronized void put(byte[] key, byte[] value) throws IOException {
    buffer = PeerFiles.frame(buffer, key, value);
    if (position + buffer.remaining() > FILE_BYTES) {
      position = 0;
    }
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
    channel.force(false);
  }

  @Override
  public byte[] get(byte[] key) {
    throw new UnsupportedOperationException("prealloc-loop is a log");
  }

  @Override
  public void sync() {
    // every put is already forced
  }

  @Override
  public void compact() {
    throw new UnsupportedOperationException("prealloc-loop has no compaction");
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
