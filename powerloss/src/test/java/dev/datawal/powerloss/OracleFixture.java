package dev.datawal.powerloss;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Crafts a store and an oracle in the workload's format: ops can be acknowledged (in the store and
 * the oracle), applied to the store only, or issued only, to build each verdict.
 */
final class OracleFixture implements AutoCloseable {
  static final long SEED = 42;
  private static final HexFormat HEX = HexFormat.of();

  final Path store;
  final Path oracle;
  final ReferenceWorkload workload = new ReferenceWorkload(SEED, 16, 96);
  private final DataWal kv;
  private final StringBuilder lines = new StringBuilder();

  OracleFixture(Path dir, int concurrency) {
    this.store = dir.resolve("store");
    this.oracle = dir.resolve("oracle.txt");
    // MANUAL: quick to craft; close() makes everything durable.
    this.kv = DataWal.open(store, DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build());
    lines.append(
        "# datawal-workload-oracle v1 seed="
            + SEED
            + " ops=0 key_len=16 value_len=96 concurrency="
            + concurrency
            + "\n");
  }

  /** Ops {@code from} to {@code to} - 1, acknowledged. */
  OracleFixture acknowledge(long from, long to) {
    for (long seq = from; seq < to; seq++) {
      issue(seq);
      apply(seq);
      line(seq);
    }
    return this;
  }

  /** The oracle's I line only. */
  OracleFixture issue(long seq) {
    lines.append("I ").append(seq).append('\n');
    return this;
  }

  /** The oracle's P or D line only. */
  OracleFixture line(long seq) {
    lines.append(acknowledgement(workload, seq));
    return this;
  }

  /**
   * Op {@code seq}'s acknowledgement line, newline included: {@code P seq key value} or {@code D
   * seq key}.
   */
  static String acknowledgement(ReferenceWorkload workload, long seq) {
    byte[] value = workload.value(seq);
    String line = (value == null ? "D " : "P ") + seq + ' ' + HEX.formatHex(workload.key(seq));
    return (value == null ? line : line + ' ' + HEX.formatHex(value)) + '\n';
  }

  /** The op in the store only. */
  OracleFixture apply(long seq) {
    byte[] value = workload.value(seq);
    if (value == null) {
      kv.delete(workload.key(seq));
    } else {
      kv.put(workload.key(seq), value);
    }
    return this;
  }

  DataWal store() {
    return kv;
  }

  /** Closes the store and writes the oracle. */
  @Override
  public void close() throws IOException {
    kv.close();
    Files.writeString(oracle, lines);
  }
}
