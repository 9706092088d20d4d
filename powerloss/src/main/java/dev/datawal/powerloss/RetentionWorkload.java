package dev.datawal.powerloss;

import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RecordRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A power-loss workload for a plain log with retention: one writer appends records to a {@link
 * RecordLog} on small segments, each durable when {@code append} returns, and applies retention (a
 * byte budget) every {@value #RETENTION_EVERY} appends, so the log keeps rotating and deleting its
 * oldest segments while it is cut. Its oracle ({@link LogOracle}) is what {@link LogValidator}
 * checks.
 *
 * <pre>
 * java dev.datawal.powerloss.RetentionWorkload &lt;store dir&gt; &lt;oracle file&gt; &lt;seed&gt; &lt;seconds&gt;
 * </pre>
 *
 * <p>It appends for {@code seconds} from its first durable append, then closes the log.
 *
 * <p>Every "A" line is written after the append returned (durable under the {@code always} policy);
 * every "I" line before the append is sent. The oracle lives on another file system, and is not
 * forced: a power cut of the store's device does not touch it.
 */
public final class RetentionWorkload {
  // Small enough that even a 10 s round under emulation (about 400 appends of 240 bytes with their
  // frames) seals segments and has retention delete some.
  static final int RETENTION_EVERY = 50;
  static final long SEGMENT_BYTES = 16 << 10;
  static final long RETAINED_BYTES = 64 << 10;
  static final int PAYLOAD_BYTES = 200;

  private RetentionWorkload() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      System.err.println("usage: RetentionWorkload <store dir> <oracle file> <seed> <seconds>");
      System.exit(2);
    }
    Path store = Path.of(args[0]);
    long seed = Long.parseLong(args[2]);
    long runNanos = Long.parseLong(args[3]) * 1_000_000_000L;
    DatawalOptions options =
        DatawalOptions.builder()
            .fsyncPolicy(FsyncPolicy.ALWAYS)
            .maxSegmentSize(SEGMENT_BYTES)
            .retentionMaxBytes(RETAINED_BYTES)
            .build();
    try (FileChannel oracle =
            FileChannel.open(
                Path.of(args[1]),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        RecordLog log = RecordLog.open(store, options)) {
      line(oracle, LogOracle.header(seed, PAYLOAD_BYTES));
      long seq = 0;
      long deleted = 0;
      long deadline = Long.MAX_VALUE; // counted from the first durable append, not the JVM's start
      while (System.nanoTime() < deadline) {
        line(oracle, "I " + seq);
        RecordRef ref = log.append(LogOracle.payload(seed, seq, PAYLOAD_BYTES));
        line(oracle, "A " + seq + " " + ref.txid());
        if (seq == 0) {
          deadline = System.nanoTime() + runNanos;
        }
        seq++;
        if (seq % RETENTION_EVERY == 0) {
          deleted += log.applyRetention().segmentsDeleted();
        }
      }
      System.out.printf(
          "retention workload: done seed=%d appends=%d segments_deleted=%d%n", seed, seq, deleted);
    }
  }

  private static void line(FileChannel oracle, String text) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.US_ASCII));
    while (bytes.hasRemaining()) {
      oracle.write(bytes);
    }
  }
}
