package dev.datawal.benchmarks.peers;

import java.nio.file.Path;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * Chronicle Queue (memory-mapped, binary wire, default daily roll cycle): one excerpt per write
 * holding the key then the value as raw bytes, from one appender per writer thread ({@code
 * createAppender()}; concurrent appenders serialize on the queue's write lock). Durable: the queue
 * is built with {@code syncMode(SyncMode.SYNC)} and {@code appender.sync()} follows every write
 * ({@code msync(MS_SYNC)} of the mapped pages written since the last sync; with the default {@code
 * SyncMode.NONE} that call does nothing). Unsynced: {@code SyncMode.NONE} and no sync (the OS
 * writes the mapped pages back when it likes).
 */
final class ChroniclePeer implements Peer {
  private final boolean durable;
  private final SingleChronicleQueue queue;
  private final ThreadLocal<ExcerptAppender> appenders;

  ChroniclePeer(Path dir, boolean durable) {
    this.durable = durable;
    queue =
        SingleChronicleQueueBuilder.binary(dir)
            .syncMode(durable ? SyncMode.SYNC : SyncMode.NONE)
            .build();
    appenders = ThreadLocal.withInitial(queue::createAppender);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    ExcerptAppender appender = appenders.get();
    appender.writeBytes(b -> b.write(key).write(value));
    if (durable) {
      appender.sync();
    }
  }

  @Override
  public byte[] get(byte[] key) {
    throw new UnsupportedOperationException("Chronicle Queue is a queue");
  }

  @Override
  public void sync() {
    appenders.get().sync();
  }

  @Override
  public void compact() {
    throw new UnsupportedOperationException("Chronicle Queue has no compaction");
  }

  @Override
  public String compaction() {
    return "none";
  }

  @Override
  public void close() {
    queue.close();
  }
}
