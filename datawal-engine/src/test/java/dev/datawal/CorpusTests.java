package dev.datawal;

import static dev.datawal.TestFiles.copyFixture;
import static dev.datawal.TestFiles.payloads;
import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reference's Corpus group: the six fixtures of docs/reference/format-v1.md in both directions.
 * Reading the committed reference bytes gives the expected results, and datawal's generator writes
 * exactly those bytes.
 */
class CorpusTests {
  @TempDir Path tmp;

  private Path fixture(String name) {
    return copyFixture(name, tmp.resolve(name));
  }

  @Test
  void validLogHoldsThreeRawRecords() {
    try (RecordLog log = RecordLog.open(fixture("valid_log"))) {
      List<Record> records = log.scan();
      assertThat(payloads(records)).containsExactly("alpha", "beta", "gamma");
      assertThat(records).extracting(Record::txid).containsExactly(1L, 2L, 3L);
      assertThat(records).allSatisfy(r -> assertThat(r.type()).isEqualTo(RecordType.RAW));
      RecoveryReport report = log.recoveryReport();
      assertThat(report.recordsReplayed()).isEqualTo(3);
      assertThat(report.tailTruncated()).isZero();
      assertThat(report.tailBytesDiscarded()).isZero();
      assertThat(report.damage()).isEmpty();
    }
  }

  @Test
  void truncatedTailHoldsTwoRecordsAndReportsTwentyEightBytes() throws IOException {
    Path dir = fixture("truncated_tail");
    byte[] original = TestFiles.read(segment(dir, 1));
    try (RecordLog log = RecordLog.open(dir)) {
      assertThat(payloads(log.scan())).containsExactly("one", "two");
      RecoveryReport report = log.recoveryReport();
      assertThat(report.tailTruncated()).isEqualTo(1);
      assertThat(report.tailBytesDiscarded()).isEqualTo(28);
      assertThat(report.lastTxidSeen()).isEqualTo(2);
      DamageEvent damage = report.damage().get(0);
      assertThat(damage.offset()).isEqualTo(62);
      assertThat(damage.kind()).isEqualTo(CorruptionKind.TRUNCATED);
      assertThat(damage.keptIn()).isEqualTo(dir.resolve("00000001.dwal.torn-at-62"));
      assertThat(Files.readAllBytes(damage.keptIn()))
          .isEqualTo(java.util.Arrays.copyOfRange(original, 62, 90));
      assertThat(log.append(TestFiles.utf8("three")).txid()).isEqualTo(3);
    }
  }

  @Test
  void badCrcFailsTheOpenInSealedSegmentTwo() {
    Path dir = fixture("bad_crc");
    assertThatThrownBy(() -> RecordLog.open(dir))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH);
              assertThat(e.segment()).isEqualTo(2);
              assertThat(e.offset()).isZero();
            })
        .hasMessageContaining("CRC mismatch in sealed segment 2");
    assertThatThrownBy(() -> RecordLogReader.open(dir).scan())
        .isInstanceOf(CorruptStoreException.class);
  }

  @Test
  void unknownVersionFailsTheOpen() {
    Path dir = fixture("unknown_version");
    assertThatThrownBy(() -> RecordLog.open(dir))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION);
              assertThat(e.segment()).isEqualTo(1);
              assertThat(e.offset()).isZero();
            })
        .hasMessageContaining("unsupported version")
        .hasMessageContaining("version 51966");
    assertThat(TestFiles.read(segment(dir, 1))).hasSize(33); // untouched
  }

  @Test
  void deleteTombstoneHoldsThreePutsAndADeleteAllKeyed() {
    try (RecordLog log = RecordLog.open(fixture("delete_tombstone"))) {
      List<Record> records = log.scan();
      assertThat(records)
          .extracting(Record::type)
          .containsExactly(RecordType.PUT, RecordType.PUT, RecordType.PUT, RecordType.DELETE);
      assertThat(records)
          .extracting(r -> str(r.key()))
          .containsExactly("alpha", "beta", "alpha", "beta");
      assertThat(payloads(records)).containsExactly("1", "2", "3", "");
    }
  }

  @Test
  void compactToOutputHoldsTwoPutsInKeyOrder() {
    try (RecordLog log = RecordLog.open(fixture("compact_to_output"))) {
      List<Record> records = log.scan();
      assertThat(records).extracting(Record::type).containsOnly(RecordType.PUT);
      assertThat(records).extracting(r -> str(r.key())).containsExactly("keep", "other");
      assertThat(payloads(records)).containsExactly("final", "value");
      assertThat(records).extracting(Record::txid).containsExactly(1L, 2L);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "valid_log",
        "truncated_tail",
        "bad_crc",
        "unknown_version",
        "delete_tombstone",
        "compact_to_output"
      })
  void generatorWritesTheReferenceBytes(String name) throws IOException {
    Path out = tmp.resolve("generated").resolve(name);
    FixtureGenerator.generate(name, out);
    assertThat(TestFiles.names(out)).containsExactlyElementsOf(TestFiles.fixtureFiles(name));
    for (String file : TestFiles.fixtureFiles(name)) {
      byte[] generated = Files.readAllBytes(out.resolve(file));
      assertThat(sha256(generated))
          .as(file)
          .isEqualTo(FixtureGenerator.SHA256.get(name + "/" + file));
    }
  }

  @Test
  void committedFixturesAreTheReferenceBytes() throws IOException {
    for (String name : FixtureGenerator.NAMES) {
      for (String file : TestFiles.fixtureFiles(name)) {
        try (InputStream in = TestFiles.resource("fixtures/" + name + "/" + file)) {
          assertThat(sha256(in.readAllBytes()))
              .as(name + "/" + file)
              .isEqualTo(FixtureGenerator.SHA256.get(name + "/" + file));
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"valid_log", "truncated_tail", "delete_tombstone", "compact_to_output"})
  void reopeningTwiceGivesIdenticalRecordsAndReports(String name) {
    Path dir = fixture(name);
    RecordLogReader reader = RecordLogReader.open(dir);
    assertThat(reader.scan()).isEqualTo(RecordLogReader.open(dir).scan());
    assertThat(reader.report()).isEqualTo(RecordLogReader.open(dir).report());

    List<Record> first;
    try (RecordLog log = RecordLog.open(dir)) {
      first = log.scan();
      assertThat(first).isEqualTo(reader.scan());
    }
    RecoveryReport second;
    try (RecordLog log = RecordLog.open(dir)) {
      assertThat(log.scan()).isEqualTo(first);
      second = log.recoveryReport();
      assertThat(second.damage()).isEmpty(); // the first open cut the torn tail, if any
    }
    try (RecordLog log = RecordLog.open(dir)) {
      assertThat(log.scan()).isEqualTo(first);
      assertThat(log.recoveryReport()).isEqualTo(second);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
