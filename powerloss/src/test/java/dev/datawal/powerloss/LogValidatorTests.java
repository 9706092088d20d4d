package dev.datawal.powerloss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DatawalOptions;
import dev.datawal.RecordLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plain-log validator against crafted logs and oracles: retention's deletions from the front
 * pass; a lost owed tail, a hole, an append nobody issued and a wrong txid each fail, saying which.
 */
class LogValidatorTests {
  private static final long SEED = 7;
  private static final int PAYLOAD = RetentionWorkload.PAYLOAD_BYTES;

  @TempDir Path dir;
  private final StringBuilder oracle =
      new StringBuilder(LogOracle.header(SEED, PAYLOAD)).append('\n');

  private RecordLog open() {
    return RecordLog.open(
        dir.resolve("store"),
        DatawalOptions.builder()
            .maxSegmentSize(RetentionWorkload.SEGMENT_BYTES)
            .retentionMaxBytes(RetentionWorkload.RETAINED_BYTES)
            .build());
  }

  /** Appends seqs {@code from..to - 1} to the log and acknowledges them in the oracle. */
  private void acknowledge(RecordLog log, long from, long to) {
    for (long seq = from; seq < to; seq++) {
      long txid = log.append(LogOracle.payload(SEED, seq, PAYLOAD)).txid();
      oracle.append("I ").append(seq).append("\nA ").append(seq).append(' ').append(txid);
      oracle.append('\n');
    }
  }

  private String validate(int expectedExit, String... options) throws IOException {
    Path file = Files.writeString(dir.resolve("oracle"), oracle);
    String[] args = new String[options.length + 2];
    System.arraycopy(options, 0, args, 0, options.length);
    args[options.length] = dir.resolve("store").toString();
    args[options.length + 1] = file.toString();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = LogValidator.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isEqualTo(expectedExit);
    return text;
  }

  @Test
  void aLogThatRetentionShortenedFromTheFrontPassesWithEveryOwedAppend() throws IOException {
    try (RecordLog log = open()) {
      for (int batch = 0; batch < 20; batch++) {
        acknowledge(log, batch * 100L, (batch + 1) * 100L);
        log.applyRetention();
      }
    }
    String text = validate(0);
    assertThat(text).contains("OK records=", "last_seq=1999 owed=2000");
    assertThat(text).doesNotContain("deleted_by_retention=0");
  }

  @Test
  void anOwedAppendMissingAtTheEndFails() throws IOException {
    try (RecordLog log = open()) {
      acknowledge(log, 0, 50);
    }
    oracle.append("I 50\nA 50 51\n"); // acknowledged, but never appended
    assertThat(validate(1))
        .contains("FAIL invariant 4: owed appends up to seq 50, the log ends at seq 49");
    // Not owed when the cut began before its acknowledgement: in flight, either way is right.
    long owedBytes = oracle.length() - "A 50 51\n".length();
    assertThat(validate(0, "--cut-at-byte=" + owedBytes)).contains("owed=50 in_flight_landed=0");
  }

  @Test
  void anOracleThatAcknowledgesAnAppendTwiceIsRefusedAsASetupError() throws IOException {
    try (RecordLog log = open()) {
      acknowledge(log, 0, 3);
    }
    oracle.append("A 2 3\n");
    assertThat(validate(2)).contains("SETUP ERROR", "line 8: out of order or unknown: A 2 3");
  }

  @Test
  void aHoleAnAppendNobodyIssuedAndAWrongTxidFailSayingWhich() throws IOException {
    try (RecordLog log = open()) {
      acknowledge(log, 0, 10);
      log.append(LogOracle.payload(SEED, 11, PAYLOAD)); // skips seq 10
    }
    oracle.append("I 10\nA 10 11\nI 11\nA 11 12\n");
    assertThat(validate(1)).contains("FAIL invariant 3: seq 11 follows seq 9");

    Files.walk(dir.resolve("store"))
        .sorted(java.util.Comparator.reverseOrder())
        .forEach(p -> p.toFile().delete());
    oracle.setLength(0);
    oracle.append(LogOracle.header(SEED, PAYLOAD)).append('\n');
    try (RecordLog log = open()) {
      acknowledge(log, 0, 5);
      log.append(LogOracle.payload(SEED, 5, PAYLOAD)); // never issued
    }
    assertThat(validate(1)).contains("FAIL invariant 2: txid 6 holds no issued append (seq 5)");

    oracle.append("I 5\nA 5 99\n");
    assertThat(validate(1)).contains("FAIL invariant 5: seq 5 has txid 6, its append returned 99");
  }
}
