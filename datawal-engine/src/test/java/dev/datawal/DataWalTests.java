package dev.datawal;

import static dev.datawal.TestFiles.copyFixture;
import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference's DataWal group (the first nine tests), then datawal's own cases for the key/value
 * projection: the reference fixtures read and written through DataWal, unsigned key order,
 * compaction and export contracts, tombstones for absent keys, batches and limits.
 */
class DataWalTests {
  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("store");
  }

  private static Optional<String> getString(DataWal kv, String key) {
    return kv.get(utf8(key)).map(TestFiles::str);
  }

  // The reference's DataWal group.

  @Test
  void putThenGetReturnsTheValue() {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("k1"), utf8("v1"));
      kv.put(utf8("k2"), utf8("v2"));
      assertThat(getString(kv, "k1")).contains("v1");
      assertThat(getString(kv, "k2")).contains("v2");
      assertThat(kv.get(utf8("missing"))).isEmpty();
      assertThat(kv.size()).isEqualTo(2);
    }
  }

  @Test
  void lastWriteWins() {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("k"), utf8("v1"));
      kv.put(utf8("k"), utf8("v2"));
      kv.put(utf8("k"), utf8("v3"));
      assertThat(getString(kv, "k")).contains("v3");
      assertThat(kv.size()).isEqualTo(1);
    }
  }

  @Test
  void deleteRemovesTheKey() {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("k"), utf8("v"));
      assertThat(kv.containsKey(utf8("k"))).isTrue();
      assertThat(kv.delete(utf8("k"))).isTrue();
      assertThat(kv.containsKey(utf8("k"))).isFalse();
      assertThat(kv.get(utf8("k"))).isEmpty();
      assertThat(kv.size()).isZero();
      assertThat(kv.keys()).isEmpty();
    }
  }

  @Test
  void putAfterDeleteResurrectsOnlyTheNewValue() {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("k"), utf8("old"));
      kv.delete(utf8("k"));
      kv.put(utf8("k"), utf8("new"));
      assertThat(getString(kv, "k")).contains("new");
      assertThat(kv.size()).isEqualTo(1);
    }
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(getString(kv, "k")).contains("new");
    }
  }

  @Test
  void sizeCountsLiveKeysOnly() {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("a"), utf8("1"));
      kv.put(utf8("b"), utf8("2"));
      kv.put(utf8("c"), utf8("3"));
      kv.delete(utf8("b"));
      kv.put(utf8("a"), utf8("1-bis"));
      assertThat(kv.size()).isEqualTo(2);
      assertThat(kv.keys()).extracting(TestFiles::str).containsExactly("a", "c");
    }
  }

  @Test
  void reopenRebuildsTheKeyDirectoryFromTheLog() throws IOException {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("a"), utf8("1"));
      kv.put(utf8("b"), utf8("2"));
      kv.put(utf8("a"), utf8("3"));
      kv.delete(utf8("b"));
      kv.fsync();
    }
    Files.delete(dir().resolve("keydir.snapshot")); // from the log alone, not the snapshot
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(kv.size()).isEqualTo(1);
      assertThat(getString(kv, "a")).contains("3");
      assertThat(kv.get(utf8("b"))).isEmpty();
      assertThat(kv.containsKey(utf8("b"))).isFalse();
      assertThat(kv.recoveryReport().recordsReplayed()).isEqualTo(4);
    }
  }

  @Test
  void reopenAfterACleanCloseReadsTheSnapshotInPlaceWithoutHeapPerKey() {
    int keys = 20_000;
    long heapBuilt;
    try (DataWal kv =
        DataWal.open(dir(), DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build())) {
      for (int i = 0; i < keys; i++) {
        kv.put(utf8("key-" + i), utf8("value-" + i));
      }
      heapBuilt = kv.keyDirectoryBytes();
    }
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(kv.recoveryReport().snapshotUsed()).isTrue();
      assertThat(kv.recoveryReport().snapshotKeys()).isEqualTo(keys);
      assertThat(kv.recoveryReport().recordsReplayed()).isZero();
      assertThat(kv.size()).isEqualTo(keys);
      // The keys stay in the mapped snapshot: the heap holds its page checks and an empty overlay.
      assertThat(kv.keyDirectoryBytes()).isLessThan(heapBuilt / 10);
      assertThat(getString(kv, "key-12345")).contains("value-12345");
      assertThat(kv.get(utf8("key-" + keys))).isEmpty();
      // Writes after it go to the heap, and win over the snapshot.
      kv.put(utf8("key-7"), utf8("seven"));
      kv.delete(utf8("key-8"));
      assertThat(getString(kv, "key-7")).contains("seven");
      assertThat(kv.get(utf8("key-8"))).isEmpty();
      assertThat(kv.size()).isEqualTo(keys - 1);
      assertThat(kv.keys()).hasSize(keys - 1);
    }
  }

  @Test
  void compactToKeepsTheLiveState() {
    Path out = tmp.resolve("out").resolve("compacted");
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("a"), utf8("1"));
      kv.put(utf8("b"), utf8("2"));
      kv.put(utf8("a"), utf8("3"));
      kv.put(utf8("c"), utf8("4"));
      CompactionStats stats = kv.compactTo(out);
      assertThat(stats.liveKeys()).isEqualTo(3);
      assertThat(stats.recordsWritten()).isEqualTo(3);
      assertThat(stats.bytesWritten()).isPositive();
    }
    try (DataWal kv = DataWal.open(out)) {
      assertThat(kv.size()).isEqualTo(3);
      assertThat(getString(kv, "a")).contains("3");
      assertThat(getString(kv, "b")).contains("2");
      assertThat(getString(kv, "c")).contains("4");
    }
  }

  @Test
  void compactToDoesNotResurrectADeletedKey() {
    Path out = tmp.resolve("out").resolve("compacted");
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("keep"), utf8("1"));
      kv.put(utf8("gone"), utf8("2"));
      kv.delete(utf8("gone"));
      kv.compactTo(out);
    }
    try (DataWal kv = DataWal.open(out)) {
      assertThat(kv.size()).isEqualTo(1);
      assertThat(kv.containsKey(utf8("keep"))).isTrue();
      assertThat(kv.containsKey(utf8("gone"))).isFalse();
      assertThat(kv.log().scan()).extracting(r -> str(r.key())).containsExactly("keep");
    }
  }

  @Test
  void exportHoldsLiveKeysOnly() {
    Path file = tmp.resolve("export.jsonl");
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("a"), utf8("alpha"));
      kv.put(utf8("b"), utf8("beta"));
      kv.put(utf8("a"), utf8("alpha2"));
      kv.delete(utf8("b"));
      assertThat(kv.exportJsonl(file)).isEqualTo(1);
    }
    // {"key_b64":"YQ==","value_b64":"YWxwaGEy"} is docs/reference/format-v1.md's own example line.
    assertThat(new String(TestFiles.read(file), StandardCharsets.UTF_8))
        .isEqualTo("{\"key_b64\":\"YQ==\",\"value_b64\":\"YWxwaGEy\"}\n");
  }

  // The reference fixtures through DataWal.

  @Test
  void deleteTombstoneFixtureHoldsOnlyAlphaThree() {
    try (DataWal kv = DataWal.open(copyFixture("delete_tombstone", tmp.resolve("fixture")))) {
      assertThat(kv.size()).isEqualTo(1);
      assertThat(getString(kv, "alpha")).contains("3");
      assertThat(kv.get(utf8("beta"))).isEmpty();
      assertThat(kv.containsKey(utf8("beta"))).isFalse();
      assertThat(kv.keys()).extracting(TestFiles::str).containsExactly("alpha");
    }
  }

  @Test
  void compactToWritesTheReferenceFixtureBytes() throws IOException {
    Path out = tmp.resolve("compacted");
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("keep"), utf8("final"));
      kv.put(utf8("keep"), utf8("old"));
      kv.put(utf8("keep"), utf8("final"));
      kv.put(utf8("gone"), utf8("nope"));
      kv.delete(utf8("gone"));
      kv.put(utf8("other"), utf8("value"));
      CompactionStats stats = kv.compactTo(out);
      assertThat(stats.liveKeys()).isEqualTo(2);
      assertThat(stats.recordsWritten()).isEqualTo(2);
      assertThat(stats.bytesWritten()).isEqualTo(75);
      assertThat(stats.segmentsAfter()).isEqualTo(1);
    }
    byte[] written = TestFiles.read(segment(out, 1));
    assertThat(sha256(written))
        .isEqualTo(FixtureGenerator.SHA256.get("compact_to_output/00000001.dwal"));
    try (InputStream committed = TestFiles.resource("fixtures/compact_to_output/00000001.dwal")) {
      assertThat(written).isEqualTo(committed.readAllBytes());
    }
    assertThat(segmentNames(out)).containsExactly("00000001.dwal");
  }

  // Unsigned key order.

  @Test
  void keysSortByUnsignedByteOrderEverywhere() {
    byte[][] ordered = {{0x01}, {0x7F}, {(byte) 0x80}, {(byte) 0xFF}};
    Path out = tmp.resolve("compacted");
    Path file = tmp.resolve("export.jsonl");
    try (DataWal kv = DataWal.open(dir())) {
      for (int i : new int[] {3, 0, 2, 1}) { // written out of order
        kv.put(ordered[i], new byte[] {(byte) i});
      }
      assertThat(kv.keys()).containsExactly(ordered);
      List<byte[]> visited = new ArrayList<>();
      kv.forEach((k, v) -> visited.add(k));
      assertThat(visited).containsExactly(ordered);
      kv.compactTo(out);
      kv.exportJsonl(file);
    }
    try (RecordLog log = RecordLog.open(out)) {
      List<Record> records = log.scan();
      assertThat(records).extracting(Record::key).containsExactly(ordered);
      assertThat(records).extracting(Record::txid).containsExactly(1L, 2L, 3L, 4L);
    }
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < ordered.length; i++) {
      expected.append(jsonLine(ordered[i], new byte[] {(byte) i}));
    }
    assertThat(new String(TestFiles.read(file), StandardCharsets.UTF_8))
        .isEqualTo(expected.toString());
  }

  @Test
  void aShorterKeySortsBeforeTheKeysItPrefixes() {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(new byte[] {(byte) 0x80, 0x00}, utf8("3"));
      kv.put(new byte[] {(byte) 0x80}, utf8("2"));
      kv.put(new byte[0], utf8("1"));
      kv.put(new byte[] {(byte) 0x80, (byte) 0xFF}, utf8("4"));
      List<String> values = new ArrayList<>();
      kv.forEach((k, v) -> values.add(str(v)));
      assertThat(values).containsExactly("1", "2", "3", "4");
      assertThat(kv.get(new byte[0]).map(TestFiles::str)).contains("1");
    }
  }

  // compactTo.

  @Test
  void compactToRefusesANonEmptyTargetAndChangesNeitherDirectory() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("out"));
    TestFiles.write(out.resolve("unrelated.txt"), utf8("keep me"));
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("a"), utf8("1"));
      kv.delete(utf8("b"));
      Map<String, String> sourceBefore = TestFiles.snapshot(dir());
      Map<String, String> targetBefore = TestFiles.snapshot(out);
      assertThatThrownBy(() -> kv.compactTo(out))
          .isExactlyInstanceOf(DatawalException.class)
          .hasMessage(
              "datawal: compaction target " + out + " is not empty; refusing to write into it");
      assertThat(TestFiles.snapshot(dir())).isEqualTo(sourceBefore);
      assertThat(TestFiles.snapshot(out)).isEqualTo(targetBefore);
      assertThat(kv.log().isPoisoned()).isFalse();
      kv.put(utf8("c"), utf8("3")); // the source is still writable
    }
  }

  @Test
  void compactToRefusesATargetThatIsAFile() {
    Path out = tmp.resolve("out.dwal");
    TestFiles.write(out, utf8("not a store"));
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("a"), utf8("1"));
      assertThatThrownBy(() -> kv.compactTo(out))
          .isExactlyInstanceOf(DatawalException.class)
          .hasMessageContaining("compaction target " + out)
          .hasMessageContaining("not a directory");
    }
    assertThat(TestFiles.read(out)).isEqualTo(utf8("not a store"));
  }

  @Test
  void compactToWorksIntoAMissingDirectoryAndAnEmptyOne() throws IOException {
    Path missing = tmp.resolve("a").resolve("b").resolve("c");
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("k"), utf8("v"));
      kv.compactTo(missing);
      kv.compactTo(empty);
    }
    for (Path out : List.of(missing, empty)) {
      try (DataWal kv = DataWal.open(out)) {
        assertThat(getString(kv, "k")).as(out.toString()).contains("v");
      }
    }
  }

  @Test
  void compactToReportsLiveKeysRecordsAndTheOutputSize() throws IOException {
    Path out = tmp.resolve("compacted");
    CompactionStats stats;
    try (DataWal kv = DataWal.open(dir())) {
      for (int i = 0; i < 30; i++) {
        kv.put(utf8("key-" + i), utf8("value-" + i + "-".repeat(i)));
      }
      for (int i = 0; i < 30; i += 3) {
        kv.delete(utf8("key-" + i));
      }
      kv.put(utf8("key-1"), utf8("overwritten"));
      stats = kv.compactTo(out);
    }
    assertThat(stats.liveKeys()).isEqualTo(20);
    assertThat(stats.recordsWritten()).isEqualTo(20);
    assertThat(stats.bytesWritten()).isEqualTo(Files.size(segment(out, 1)));
    assertThat(segmentNames(out)).containsExactly("00000001.dwal");
  }

  @Test
  void compactToOfAnEmptyStoreWritesAnEmptySegment() throws IOException {
    Path out = tmp.resolve("compacted");
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("a"), utf8("1"));
      kv.delete(utf8("a"));
      CompactionStats empty = kv.compactTo(out);
      assertThat(empty.liveKeys()).isZero();
      assertThat(empty.recordsWritten()).isZero();
      assertThat(empty.bytesWritten()).isZero();
    }
    assertThat(Files.size(segment(out, 1))).isZero();
  }

  @Test
  void compactToNeverChangesTheSource() {
    Path out = tmp.resolve("compacted");
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("a"), utf8("1"));
      kv.log().rotate();
      kv.put(utf8("a"), utf8("2"));
      kv.put(utf8("b"), utf8("3"));
      kv.fsync();
      Map<String, String> before = TestFiles.snapshot(dir());
      List<Record> recordsBefore = kv.log().scan();
      kv.compactTo(out);
      assertThat(TestFiles.snapshot(dir())).isEqualTo(before);
      assertThat(kv.log().scan()).isEqualTo(recordsBefore);
      assertThat(kv.size()).isEqualTo(2);
    }
  }

  // exportJsonl.

  @Test
  void exportWritesTheExactLinesSortedByKey() {
    Path file = tmp.resolve("export.jsonl");
    byte[] binaryKey = {(byte) 0xFF, 0x00, (byte) 0xFE};
    byte[] binaryValue = {0x00, (byte) 0x80, 0x7F, (byte) 0xFF, 0x0A};
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("b"), utf8("beta"));
      kv.put(binaryKey, binaryValue);
      kv.put(utf8("a"), utf8("alpha"));
      kv.put(utf8("empty"), new byte[0]);
      kv.put(utf8("gone"), utf8("x"));
      kv.delete(utf8("gone"));
      assertThat(kv.exportJsonl(file)).isEqualTo(4);
    }
    String expected =
        jsonLine(utf8("a"), utf8("alpha"))
            + jsonLine(utf8("b"), utf8("beta"))
            + jsonLine(utf8("empty"), new byte[0])
            + jsonLine(binaryKey, binaryValue);
    assertThat(new String(TestFiles.read(file), StandardCharsets.US_ASCII)).isEqualTo(expected);
    assertThat(expected)
        .contains("{\"key_b64\":\"YQ==\",\"value_b64\":\"YWxwaGE=\"}\n")
        .contains("{\"key_b64\":\"ZW1wdHk=\",\"value_b64\":\"\"}\n")
        .contains("{\"key_b64\":\"/wD+\",\"value_b64\":\"AIB//wo=\"}\n");
  }

  @Test
  void exportOfAnEmptyStoreIsAnEmptyFile() {
    Path file = tmp.resolve("export.jsonl");
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(kv.exportJsonl(file)).isZero();
      kv.put(utf8("a"), utf8("1"));
      kv.delete(utf8("a"));
      Path second = tmp.resolve("second.jsonl");
      assertThat(kv.exportJsonl(second)).isZero();
      assertThat(second).isRegularFile().isEmptyFile();
    }
    assertThat(file).isRegularFile().isEmptyFile();
  }

  @Test
  void aSecondExportReplacesTheFirstAndLeavesNoTempFile() throws IOException {
    Path file = tmp.resolve("out").resolve("export.jsonl");
    Files.createDirectories(file.getParent());
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("a"), utf8("1"));
      kv.put(utf8("b"), utf8("2"));
      kv.exportJsonl(file);
      assertThat(TestFiles.read(file))
          .asString(StandardCharsets.US_ASCII)
          .isEqualTo(jsonLine(utf8("a"), utf8("1")) + jsonLine(utf8("b"), utf8("2")));
      kv.delete(utf8("a"));
      kv.exportJsonl(file);
    }
    assertThat(TestFiles.read(file))
        .asString(StandardCharsets.US_ASCII)
        .isEqualTo(jsonLine(utf8("b"), utf8("2")));
    assertThat(TestFiles.names(file.getParent())).containsExactly("export.jsonl");
  }

  @Test
  void exportReplacesAStaleTempFileLeftByAnEarlierCrash() throws IOException {
    Path file = tmp.resolve("out").resolve("export.jsonl");
    Files.createDirectories(file.getParent());
    TestFiles.write(file.resolveSibling("export.jsonl.tmp"), utf8("half a line from a crash"));
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("k"), utf8("v"));
      kv.exportJsonl(file);
    }
    assertThat(TestFiles.read(file))
        .asString(StandardCharsets.US_ASCII)
        .isEqualTo(jsonLine(utf8("k"), utf8("v")));
    assertThat(TestFiles.names(file.getParent())).containsExactly("export.jsonl");
  }

  // delete, containsKey, refOf, forEach, writeBatch.

  @Test
  void deleteOfAnAbsentKeyReturnsFalseButWritesATombstone() {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("present"), utf8("v"));
      assertThat(kv.delete(utf8("absent"))).isFalse();
      assertThat(kv.delete(utf8("present"))).isTrue();
      assertThat(kv.delete(utf8("present"))).isFalse();
      List<Record> records = kv.log().scan();
      assertThat(records)
          .extracting(Record::type)
          .containsExactly(RecordType.PUT, RecordType.DELETE, RecordType.DELETE, RecordType.DELETE);
      assertThat(records)
          .extracting(r -> str(r.key()))
          .containsExactly("present", "absent", "present", "present");
      assertThat(records.get(1).payload()).isEmpty();
      assertThat(records).extracting(Record::txid).containsExactly(1L, 2L, 3L, 4L);
      assertThat(kv.size()).isZero();
    }
  }

  @Test
  void containsKeyRefOfAndForEachFollowTheLiveState() {
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(kv.containsKey(utf8("x"))).isFalse();
      assertThat(kv.refOf(utf8("x"))).isEmpty();
      RecordRef x = kv.put(utf8("x"), utf8("1"));
      RecordRef y = kv.put(utf8("y"), utf8("22"));
      kv.log().append(utf8("raw records are ignored"));
      RecordRef z = kv.put(utf8("z"), utf8("333"));
      kv.delete(utf8("y"));
      assertThat(kv.containsKey(utf8("x"))).isTrue();
      assertThat(kv.containsKey(utf8("y"))).isFalse();
      assertThat(kv.refOf(utf8("x"))).contains(x);
      assertThat(kv.refOf(utf8("y"))).isEmpty();
      assertThat(kv.refOf(utf8("z"))).contains(z);
      assertThat(z.txid()).isEqualTo(y.txid() + 2);
      Map<String, String> seen = new TreeMap<>();
      kv.forEach((k, v) -> seen.put(str(k), str(v)));
      assertThat(seen).containsExactly(Map.entry("x", "1"), Map.entry("z", "333"));
    }
  }

  @Test
  void keysAndForEachHandOutCopies() {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("key"), utf8("value"));
      kv.keys().get(0)[0] = 'X';
      kv.forEach(
          (k, v) -> {
            k[0] = 'Y';
            v[0] = 'Z';
          });
      assertThat(kv.keys()).extracting(TestFiles::str).containsExactly("key");
      assertThat(getString(kv, "key")).contains("value");
    }
  }

  @Test
  void putCopiesTheCallersKey() {
    try (DataWal kv = DataWal.open(dir())) {
      byte[] key = utf8("key");
      kv.put(key, utf8("value"));
      key[0] = 'X';
      assertThat(getString(kv, "key")).contains("value");
      assertThat(kv.get(key)).isEmpty();
    }
  }

  @Test
  void writeBatchAppliesPutsAndDeletesInOrder() {
    List<RecordRef> refs;
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("d"), utf8("before"));
      refs =
          kv.writeBatch(
              List.of(
                  Entry.put(utf8("a"), utf8("1")),
                  Entry.put(utf8("b"), utf8("2")),
                  Entry.delete(utf8("a")),
                  Entry.put(utf8("c"), utf8("3")),
                  Entry.raw(utf8("a raw entry")),
                  Entry.put(utf8("b"), utf8("4")),
                  Entry.delete(utf8("d")),
                  Entry.delete(utf8("never"))));
      assertThat(refs).extracting(RecordRef::txid).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
      assertState(kv, Map.of("b", "4", "c", "3"));
      assertThat(kv.refOf(utf8("b"))).contains(refs.get(5));
      assertThat(kv.writeBatch(List.of())).isEmpty();
    }
    try (DataWal kv = DataWal.open(dir())) {
      assertState(kv, Map.of("b", "4", "c", "3"));
      assertThat(kv.log().scan()).extracting(Record::ref).endsWith(refs.toArray(RecordRef[]::new));
    }
  }

  // Limits and values.

  @Test
  void anOversizeKeyIsRejectedAndNothingIsWritten() throws IOException {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("a"), utf8("1"));
      long sizeBefore = Files.size(segment(dir(), 1));
      byte[] oversize = new byte[RecordLog.MAX_KEY_LEN + 1];
      assertThatThrownBy(() -> kv.put(oversize, utf8("v")))
          .isInstanceOfSatisfying(
              LimitExceededException.class,
              e -> {
                assertThat(e.limit()).isEqualTo(Limit.MAX_KEY_LEN);
                assertThat(e.actual()).isEqualTo(RecordLog.MAX_KEY_LEN + 1);
              })
          .hasMessageContaining("MAX_KEY_LEN");
      assertThatThrownBy(() -> kv.delete(oversize)).isInstanceOf(LimitExceededException.class);
      assertThatThrownBy(
              () ->
                  kv.writeBatch(
                      List.of(Entry.put(utf8("b"), utf8("2")), Entry.put(oversize, utf8("3")))))
          .isInstanceOf(LimitExceededException.class);
      assertThat(Files.size(segment(dir(), 1))).isEqualTo(sizeBefore);
      assertThat(kv.log().lastTxid()).isEqualTo(1);
      assertThat(kv.log().isPoisoned()).isFalse();
      assertState(kv, Map.of("a", "1"));
      assertThat(kv.put(utf8("c"), utf8("3")).txid()).isEqualTo(2);
      byte[] maxKey = new byte[RecordLog.MAX_KEY_LEN];
      Arrays.fill(maxKey, (byte) 0xAB);
      kv.put(maxKey, utf8("the largest key is fine"));
      assertThat(kv.get(maxKey).map(TestFiles::str)).contains("the largest key is fine");
    }
  }

  @Test
  void anOversizeValueIsRejectedAndNothingIsWritten() throws IOException {
    try (DataWal kv = DataWal.open(dir())) {
      assertThatThrownBy(() -> kv.put(utf8("k"), new byte[RecordLog.MAX_PAYLOAD_LEN + 1]))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining("MAX_PAYLOAD_LEN");
      assertThat(Files.size(segment(dir(), 1))).isZero();
      assertThat(kv.containsKey(utf8("k"))).isFalse();
      assertThat(kv.log().scan()).isEmpty();
    }
  }

  @Test
  void getOfAnOverwrittenKeyReadsTheNewestValue() {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("k"), utf8("a much longer first value"));
      assertThat(getString(kv, "k")).contains("a much longer first value");
      kv.put(utf8("other"), utf8("between"));
      kv.put(utf8("k"), utf8("short"));
      assertThat(getString(kv, "k")).contains("short");
      kv.put(utf8("k"), new byte[0]);
      assertThat(kv.get(utf8("k"))).hasValueSatisfying(v -> assertThat(v).isEmpty());
      kv.put(utf8("k"), utf8("last"));
      assertThat(getString(kv, "k")).contains("last");
    }
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(getString(kv, "k")).contains("last");
    }
  }

  @Test
  void emptyAndOneMebibyteValuesRoundTrip() {
    byte[] big = new byte[1 << 20];
    new java.util.SplittableRandom(20240601).nextBytes(big);
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("empty"), new byte[0]);
      kv.put(utf8("big"), big);
      assertThat(kv.get(utf8("empty"))).hasValueSatisfying(v -> assertThat(v).isEmpty());
      assertThat(kv.get(utf8("big"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(big));
      assertThat(kv.containsKey(utf8("empty"))).isTrue();
      assertThat(kv.size()).isEqualTo(2);
    }
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(kv.get(utf8("empty"))).hasValueSatisfying(v -> assertThat(v).isEmpty());
      assertThat(kv.get(utf8("big"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(big));
      assertThat(kv.refOf(utf8("big")).orElseThrow().length()).isEqualTo(28 + 3 + (1 << 20));
    }
  }

  @Test
  void aClosedStoreRefusesReadsAndWrites() {
    DataWal kv = DataWal.open(dir());
    kv.put(utf8("k"), utf8("v"));
    kv.close();
    kv.close(); // idempotent
    assertThatThrownBy(() -> kv.get(utf8("k")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> kv.put(utf8("k"), utf8("w")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    try (DataWal again = DataWal.open(dir())) {
      assertThat(getString(again, "k")).contains("v");
    }
  }

  // Helpers.

  private static void assertState(DataWal kv, Map<String, String> expected) {
    Map<String, String> actual = new TreeMap<>();
    for (byte[] key : kv.keys()) {
      actual.put(str(key), str(kv.get(key).orElseThrow()));
    }
    assertThat(actual).isEqualTo(new TreeMap<>(expected));
    assertThat(kv.size()).isEqualTo(expected.size());
  }

  static String jsonLine(byte[] key, byte[] value) {
    Base64.Encoder b64 = Base64.getEncoder();
    return "{\"key_b64\":\""
        + b64.encodeToString(key)
        + "\",\"value_b64\":\""
        + b64.encodeToString(value)
        + "\"}\n";
  }

  private static List<String> segmentNames(Path dir) {
    return TestFiles.names(dir).stream().filter(n -> n.endsWith(".dwal")).toList();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
