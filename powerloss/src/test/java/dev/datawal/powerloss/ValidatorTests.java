package dev.datawal.powerloss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every verdict of the validator, on crafted stores and oracles, with its exit code. */
class ValidatorTests {
  @TempDir Path dir;

  private String output;

  private int validate(String... extra) {
    return validate(dir.resolve("store"), dir.resolve("oracle.txt"), extra);
  }

  private int validate(Path store, Path oracle, String... extra) {
    List<String> args = new ArrayList<>(List.of(extra));
    args.add(store.toString());
    args.add(oracle.toString());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code =
        Validator.run(
            args.toArray(String[]::new), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    output = bytes.toString(StandardCharsets.UTF_8);
    return code;
  }

  private OracleFixture fixture() {
    return new OracleFixture(dir, 1);
  }

  @Test
  void everyAcknowledgedOpInTheStorePasses() throws IOException {
    try (OracleFixture f = fixture()) {
      f.acknowledge(0, 300); // 300 distinct keys; seq 22, 45, ..., 298 delete: 13 deletes
    }
    assertThat(validate()).as(output).isEqualTo(0);
    assertThat(output)
        .contains("as found: files_scanned=1 records_replayed=300 tail_truncated=0")
        // The fixture closed its store cleanly, so the engine opens from its key-directory
        // snapshot; the validator still compares that view with its own full scan.
        .contains("recovery: files_scanned=1 records_replayed=0")
        .contains("snapshot_keys=287")
        .endsWith(
            "OK observed_live=287 oracle_live=287 survived=287 dropped=0 oracle_dead=13"
                + " in_flight=0 (extras=0)\n");
  }

  /** A store written over HTTP: keys are the hex text of the reference keys. */
  private void hexTextKeyStore(int ops, String extraKey) throws IOException {
    ReferenceWorkload w = new ReferenceWorkload(OracleFixture.SEED, 16, 96);
    HexFormat hex = HexFormat.of();
    StringBuilder oracle =
        new StringBuilder(
            "# datawal-workload-oracle v1 seed=42 ops=0 key_len=16 value_len=96 concurrency=1"
                + " key_encoding=hex\n");
    try (DataWal kv = DataWal.open(dir.resolve("store"))) {
      for (long seq = 0; seq < ops; seq++) {
        byte[] key = hex.formatHex(w.key(seq)).getBytes(StandardCharsets.US_ASCII);
        oracle.append("I ").append(seq).append('\n');
        if (ReferenceWorkload.isDelete(seq)) {
          kv.delete(key);
          oracle.append("D ").append(seq).append(' ').append(hex.formatHex(w.key(seq)));
        } else {
          kv.put(key, w.value(seq));
          oracle.append("P ").append(seq).append(' ').append(hex.formatHex(w.key(seq)));
          oracle.append(' ').append(hex.formatHex(w.value(seq)));
        }
        oracle.append('\n');
      }
      if (extraKey != null) {
        kv.put(extraKey.getBytes(StandardCharsets.UTF_8), new byte[] {1});
      }
    }
    Files.writeString(dir.resolve("oracle.txt"), oracle);
  }

  @Test
  void aStoreWrittenOverHttpWithHexTextKeysIsCheckedAgainstTheReferenceKeys() throws IOException {
    hexTextKeyStore(100, null);
    assertThat(validate()).as(output).isEqualTo(0);
    assertThat(output).contains("OK observed_live=96 oracle_live=96 survived=96 dropped=0");
  }

  @Test
  void aKeyThatIsNotTheHexOfAReferenceKeyIsInvented() throws IOException {
    hexTextKeyStore(50, "not a hex key");
    assertThat(validate()).as(output).isEqualTo(1);
    assertThat(output).contains("invariant 5: key not-hex:").contains("was never written");
  }

  @Test
  void anInFlightOpMayOrMayNotHaveLanded() throws IOException {
    try (OracleFixture f = fixture()) {
      f.acknowledge(0, 100).issue(100).apply(100);
    }
    assertThat(validate()).as(output).isEqualTo(0);
    assertThat(output).contains("in_flight=1 (extras=0)").contains("in_flight_landed=1");

    Files.createDirectories(dir.resolve("b"));
    try (OracleFixture f = new OracleFixture(dir.resolve("b"), 1)) {
      f.acknowledge(0, 100).issue(100);
    }
    assertThat(validate(dir.resolve("b/store"), dir.resolve("b/oracle.txt")))
        .as(output)
        .isEqualTo(0);
    assertThat(output).contains("in_flight=1 (extras=0)").contains("in_flight_landed=0");
  }

  @Test
  void concurrentStreamsEachHaveTheirOwnInFlightOp() throws IOException {
    try (OracleFixture f = new OracleFixture(dir, 4)) {
      // Threads 0-3 acknowledged seq 0..39; thread 1 has 41 in flight (landed), thread 2 42.
      f.acknowledge(0, 40).issue(41).issue(42).apply(41);
    }
    assertThat(validate()).as(output).isEqualTo(0);
    assertThat(output).contains("concurrency=4").contains("in_flight=2 (extras=0)");
  }

  @Test
  void aMissingAcknowledgedPutFailsUnlessDroppedWritesAreAllowed() throws IOException {
    try (OracleFixture f = fixture()) {
      f.acknowledge(0, 99).issue(99).line(99); // acknowledged, never in the store
    }
    assertThat(validate()).as(output).isEqualTo(1);
    assertThat(output)
        .contains("violation: invariant 6: acknowledged op 99 on key ")
        .contains("found absent")
        .contains("FAIL 1 violations: observed_live=95 oracle_live=96 survived=95 dropped=1");

    assertThat(validate("--allow-dropped")).as(output).isEqualTo(0);
    assertThat(output).contains("dropped=1");
  }

  /** The oracle's length in bytes now: where a cut that begins now leaves what is owed. */
  private long oracleLengthAfter(long ops) throws IOException {
    try (OracleFixture f = new OracleFixture(dir.resolve("length"), 1)) {
      f.acknowledge(0, ops);
    }
    return Files.size(dir.resolve("length/oracle.txt"));
  }

  @Test
  void anAcknowledgementWrittenDuringASlowCutIsNotOwed() throws IOException {
    long cutAt = oracleLengthAfter(99); // the cut began after op 98's acknowledgement
    try (OracleFixture f = fixture()) {
      // Op 99's fsync overlapped the cut and reported success, but its record did not survive.
      f.acknowledge(0, 99).issue(99).line(99).issue(100);
    }
    assertThat(validate()).as(output).isEqualTo(1); // without the cut's offset: owed, dropped
    assertThat(output).contains("dropped=1");

    assertThat(validate("--cut-at-byte=" + cutAt)).as(output).isEqualTo(0);
    assertThat(output)
        .contains("acknowledged=99 in_flight=2 acknowledged_during_cut=1")
        .contains("dropped=0")
        .contains("in_flight_landed=0");
  }

  @Test
  void anAcknowledgementWrittenDuringASlowCutMayHaveLanded() throws IOException {
    long cutAt = oracleLengthAfter(97);
    try (OracleFixture f = fixture()) {
      // Ops 97 and 98 acknowledged during the cut; 97 landed, 98 did not.
      f.acknowledge(0, 97).issue(97).apply(97).line(97).issue(98).line(98);
    }
    assertThat(validate("--cut-at-byte=" + cutAt)).as(output).isEqualTo(0);
    assertThat(output).contains("acknowledged_during_cut=2").contains("in_flight_landed=1");
  }

  @Test
  void anAcknowledgementWrittenBeforeTheCutBeganIsStillOwed() throws IOException {
    long cutAt = oracleLengthAfter(100);
    try (OracleFixture f = fixture()) {
      f.acknowledge(0, 99).issue(99).line(99); // op 99 acknowledged before the cut, then lost
    }
    assertThat(validate("--cut-at-byte=" + cutAt)).as(output).isEqualTo(1);
    assertThat(output)
        .contains("acknowledged_during_cut=0")
        .contains("invariant 6: acknowledged op 99 on key ");
  }

  @Test
  void aBadCutOffsetOrUnknownOptionIsASetupError() throws IOException {
    try (OracleFixture f = fixture()) {
      f.acknowledge(0, 5);
    }
    assertThat(validate("--cut-at-byte=-3")).as(output).isEqualTo(2);
    assertThat(output).contains("--cut-at-byte= needs a byte count >= 0, got: --cut-at-byte=-3");
    assertThat(validate("--cut-at-byte=ten")).as(output).isEqualTo(2);
    assertThat(validate("--cut-at")).as(output).isEqualTo(2);
    assertThat(output).contains("unknown option --cut-at");
  }

  @Test
  void aDeletedKeyThatComesBackFails() throws IOException {
    // seq 4116 deletes the key seq 20 put (4116 = 20 + 4096, and 4116 % 23 == 22).
    try (OracleFixture f = fixture()) {
      f.acknowledge(0, 4116).issue(4116).line(4116);
    }
    assertThat(validate()).as(output).isEqualTo(1);
    assertThat(output)
        .contains("invariant 6: acknowledged op 4116")
        .contains("expected absent (deleted), found value");
  }

  @Test
  void aKeyTheOracleNeverWroteFails() throws IOException {
    try (OracleFixture f = fixture()) {
      f.acknowledge(0, 50);
      f.store().put("invented".getBytes(StandardCharsets.UTF_8), new byte[] {1});
    }
    assertThat(validate()).as(output).isEqualTo(1);
    assertThat(output)
        .contains("invariant 5: key 696e76656e746564 was never written")
        .contains("(extras=1)");
  }

  @Test
  void anOpThatWasNeverIssuedFails() throws IOException {
    try (OracleFixture f = fixture()) {
      f.acknowledge(0, 50).apply(50); // in the store, but the oracle never issued it
    }
    assertThat(validate()).as(output).isEqualTo(1);
    assertThat(output).contains("FAIL").contains("was never written");
  }

  @Test
  void aValueNoOpWroteFails() throws IOException {
    try (OracleFixture f = fixture()) {
      f.acknowledge(0, 50).issue(50);
      f.store().put(f.workload.key(7), new byte[] {9, 9, 9});
    }
    assertThat(validate()).as(output).isEqualTo(1);
    assertThat(output)
        .contains("invariants 4 and 7: key ")
        .contains("holds value 090909, which is neither its acknowledged state");
  }

  @Test
  void aTornTailIsToleratedAndReported() throws IOException {
    try (OracleFixture f = fixture()) {
      f.acknowledge(0, 30);
    }
    try (FileChannel segment =
        FileChannel.open(dir.resolve("store/00000001.dwal"), StandardOpenOption.APPEND)) {
      segment.write(ByteBuffer.wrap(new byte[] {'D', 'W', 'A', 'L', 1, 0, 2})); // half a header
    }
    assertThat(validate()).as(output).isEqualTo(0);
    assertThat(output)
        .contains(
            "as found: files_scanned=1 records_replayed=30 tail_truncated=1 tail_bytes_discarded=7")
        .contains("OK observed_live=29");
  }

  @Test
  void damageBeforeValidRecordsFails() throws IOException {
    try (OracleFixture f = fixture()) {
      f.acknowledge(0, 30);
    }
    Path segment = dir.resolve("store/00000001.dwal");
    byte[] bytes = Files.readAllBytes(segment);
    bytes[bytes.length / 2] ^= 0x5A; // a payload byte of a record in the middle
    Files.write(segment, bytes);
    assertThat(validate()).as(output).isEqualTo(1);
    assertThat(output).contains("FAIL invariant 2");
  }

  @Test
  void setupErrorsExitWith2() throws IOException {
    assertThat(validate()).as(output).isEqualTo(2);
    assertThat(output).contains("SETUP ERROR store directory");

    try (OracleFixture f = fixture()) {
      f.acknowledge(0, 5);
    }
    assertThat(validate(dir.resolve("store"), dir.resolve("missing.txt"))).isEqualTo(2);
    assertThat(output).contains("SETUP ERROR cannot read oracle");

    Files.writeString(dir.resolve("other.txt"), "hello\n");
    assertThat(validate(dir.resolve("store"), dir.resolve("other.txt"))).isEqualTo(2);
    assertThat(output).contains("not a datawal workload oracle");

    String oracle = Files.readString(dir.resolve("oracle.txt"));
    Files.writeString(dir.resolve("tampered.txt"), oracle.replace("P 3 ", "P 4 "));
    assertThat(validate(dir.resolve("store"), dir.resolve("tampered.txt"))).isEqualTo(2);
    assertThat(output).contains("SETUP ERROR malformed oracle");

    Files.writeString(
        dir.resolve("generator.txt"), oracle.substring(0, oracle.length() - 3) + "00\n");
    assertThat(validate(dir.resolve("store"), dir.resolve("generator.txt"))).isEqualTo(2);
    assertThat(output).contains("differs from the reference generator");

    assertThat(
            Validator.run(new String[] {"only-one"}, new PrintStream(new ByteArrayOutputStream())))
        .isEqualTo(2);
  }

  @Test
  void aTornLastOracleLineIsLeftOut() throws IOException {
    try (OracleFixture f = fixture()) {
      f.acknowledge(0, 20).issue(20).apply(20);
    }
    Files.writeString(dir.resolve("oracle.txt"), "P 20 0123", StandardOpenOption.APPEND);
    assertThat(validate()).as(output).isEqualTo(0);
    assertThat(output).contains("torn_last_line=true").contains("in_flight=1");
  }
}
