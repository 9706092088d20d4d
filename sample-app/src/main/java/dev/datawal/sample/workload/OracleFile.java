package dev.datawal.sample.workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;

/**
 * The workload's oracle: a text file, one line per event, which the validator reads after a fault.
 * Format (version 1):
 *
 * <pre>
 * # datawal-workload-oracle v1 seed=42 ops=50000 key_len=16 value_len=96 concurrency=1
 * I &lt;seq&gt;                          op seq is about to be sent to the store (issued)
 * P &lt;seq&gt; &lt;key hex&gt; &lt;value hex&gt;    put seq is durable in the store (acknowledged)
 * D &lt;seq&gt; &lt;key hex&gt;                delete seq is durable in the store (acknowledged)
 * # end puts=47827 deletes=2173 live_keys=3918
 * </pre>
 *
 * <p>seq is decimal, hex is lower case; {@code ops=0} means no op limit. The header is forced with
 * the file's directory entry before the first op; every P and D line is written and forced ({@code
 * fdatasync}) after the store made the op durable and before the thread issues its next op. An I
 * line is written (into the page cache, which a SIGKILL does not lose) before the op is sent, and
 * forced too only with {@code issuedFsync}. The end line is written when the workload finishes.
 *
 * <p>Thread-safe: lines are whole, never interleaved.
 */
final class OracleFile implements AutoCloseable {
  private static final HexFormat HEX = HexFormat.of();

  private final FileChannel channel;
  private final boolean forceIssued;

  private OracleFile(FileChannel channel, boolean forceIssued) {
    this.channel = channel;
    this.forceIssued = forceIssued;
  }

  /** Creates or truncates {@code path} and writes {@code header} (without "# "), durably. */
  static OracleFile create(Path path, String header, boolean forceIssued) {
    Path file = path.toAbsolutePath();
    try {
      FileChannel channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING);
      OracleFile oracle = new OracleFile(channel, forceIssued);
      oracle.line("# " + header, true);
      // The file may be new: sync its directory so the entry survives a power cut too.
      try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      }
      return oracle;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the oracle file " + file, e);
    }
  }

  void issued(long seq) {
    line("I " + seq, forceIssued);
  }

  void acknowledged(WorkloadOp op) {
    line(
        op.delete()
            ? "D " + op.seq() + " " + HEX.formatHex(op.key())
            : "P " + op.seq() + " " + HEX.formatHex(op.key()) + " " + HEX.formatHex(op.value()),
        true);
  }

  void end(String summary) {
    line("# end " + summary, true);
  }

  private synchronized void line(String text, boolean force) {
    ByteBuffer bytes = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.US_ASCII));
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      if (force) {
        channel.force(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the oracle file", e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the oracle file", e);
    }
  }
}
