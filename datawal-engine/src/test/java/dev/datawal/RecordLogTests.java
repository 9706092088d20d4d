package dev.datawal;

import static dev.datawal.TestFiles.payloads;
import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference's RecordLog group. */
class RecordLogTests {
  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("store");
  }

  @Test
  void openingANewDirectoryCreatesTheFirstSegmentAndTheLock() {
    try (RecordLog log = RecordLog.open(dir())) {
      assertThat(segment(dir(), 1)).isRegularFile().isEmptyFile();
      assertThat(dir().resolve(".lock")).isRegularFile();
      assertThat(log.activeSegment()).isEqualTo(1);
      assertThat(log.dir()).isEqualTo(dir());
      assertThat(log.recoveryReport().recordsReplayed()).isZero();
      assertThat(log.recoveryReport().lastTxidSeen()).isZero();
    }
  }

  @Test
  @SuppressWarnings("try")
  void secondOpenOfTheSameDirectoryFailsAsLocked() {
    try (RecordLog log = RecordLog.open(dir())) {
      assertThatThrownBy(() -> RecordLog.open(dir()))
          .isInstanceOf(StoreLockedException.class)
          .hasMessageContaining("locked");
    }
    RecordLog.open(dir()).close();
  }

  @Test
  void firstAppendGoesToSegmentOneOffsetZeroWithTxidOne() {
    try (RecordLog log = RecordLog.open(dir())) {
      RecordRef ref = log.append(utf8("first"));
      assertThat(ref).isEqualTo(new RecordRef(1, 0, 28 + 5, 1));
      assertThat(log.lastTxid()).isEqualTo(1);
    }
  }

  @Test
  void fiftyAppendsKeepTheirOrderAndTxids() {
    try (RecordLog log = RecordLog.open(dir())) {
      List<RecordRef> refs = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        refs.add(log.append(utf8("record-" + i)));
      }
      List<Record> records = log.scan();
      assertThat(records).hasSize(50);
      for (int i = 0; i < 50; i++) {
        Record r = records.get(i);
        assertThat(r.txid()).isEqualTo(i + 1);
        assertThat(r.type()).isEqualTo(RecordType.RAW);
        assertThat(r.key()).isEmpty();
        assertThat(TestFiles.str(r.payload())).isEqualTo("record-" + i);
        assertThat(r.ref()).isEqualTo(refs.get(i));
      }
    }
  }

  @Test
  void scanOfAnEmptyLogIsEmpty() {
    try (RecordLog log = RecordLog.open(dir())) {
      assertThat(log.scan()).isEmpty();
      try (RecordIterator it = log.scanIter()) {
        assertThat(it.hasNext()).isFalse();
        assertThat(it.report().recordsReplayed()).isZero();
      }
    }
  }

  @Test
  void crcErrorInASealedSegmentFailsTheOpen() {
    try (RecordLog log = RecordLog.open(dir())) {
      log.append(utf8("one"));
      log.rotate();
      log.append(utf8("two"));
    }
    FixtureGenerator.flipByteUnchecked(segment(dir(), 1), 24);
    assertThatThrownBy(() -> RecordLog.open(dir()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH);
              assertThat(e.segment()).isEqualTo(1);
              assertThat(e.offset()).isZero();
              assertThat(e.file()).isEqualTo(segment(dir(), 1));
            })
        .hasMessageContaining("CRC mismatch in sealed segment 1 at offset 0");
    // The failed open released the lock and changed nothing.
    assertThatThrownBy(() -> RecordLog.open(dir())).isInstanceOf(CorruptStoreException.class);
  }

  @Test
  void truncatedTailGivesTheValidPrefixAndAReport() {
    // A crash (a killed writer), not a clean close: the close would record the whole segment as
    // durable, and a cut after it would be lost data (see theLastSegmentCutAfterACleanClose...).
    RecordLog log0 = RecordLog.open(dir());
    log0.append(utf8("r1"));
    log0.append(utf8("r2"));
    RecordRef third = log0.append(utf8("r3"));
    TestFiles.closeAsIfKilled(log0, dir());
    TestFiles.truncate(segment(dir(), 1), third.offset() + 25);
    try (RecordLog log = RecordLog.open(dir())) {
      assertThat(payloads(log.scan())).containsExactly("r1", "r2");
      RecoveryReport report = log.recoveryReport();
      assertThat(report.recordsReplayed()).isEqualTo(2);
      assertThat(report.tailTruncated()).isEqualTo(1);
      assertThat(report.tailBytesDiscarded()).isEqualTo(25);
      assertThat(report.lastTxidSeen()).isEqualTo(2);
      assertThat(report.damage())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.segment()).isEqualTo(1);
                assertThat(d.offset()).isEqualTo(third.offset());
                assertThat(d.kind()).isEqualTo(CorruptionKind.TRUNCATED);
                assertThat(d.bytes()).isEqualTo(25);
              });
      assertThat(log.append(utf8("r3 again")).txid()).isEqualTo(3);
    }
  }

  @Test
  void rotationKeepsOrderAcrossSegments() {
    try (RecordLog log = RecordLog.open(dir())) {
      log.append(utf8("a"));
      log.append(utf8("b"));
      log.rotate();
      assertThat(log.activeSegment()).isEqualTo(2);
      log.append(utf8("c"));
      log.rotate();
      log.append(utf8("d"));
      List<Record> records = log.scan();
      assertThat(payloads(records)).containsExactly("a", "b", "c", "d");
      assertThat(records).extracting(Record::txid).containsExactly(1L, 2L, 3L, 4L);
      assertThat(records).extracting(Record::segment).containsExactly(1L, 1L, 2L, 3L);
    }
    try (RecordLog log = RecordLog.open(dir())) {
      assertThat(payloads(log.scan())).containsExactly("a", "b", "c", "d");
      assertThat(log.recoveryReport().filesScanned()).isEqualTo(3);
    }
  }

  @Test
  void fsyncThreeTimesInARowIsFine() {
    try (RecordLog log = RecordLog.open(dir())) {
      log.append(utf8("x"));
      log.fsync();
      log.fsync();
      log.fsync();
      assertThat(log.scan()).hasSize(1);
    }
  }

  @Test
  void oversizeKeyIsRejectedAndTheNextAppendWorks() {
    try (RecordLog log = RecordLog.open(dir())) {
      assertThatThrownBy(
              () ->
                  log.appendRecord(
                      RecordType.PUT, new byte[RecordLog.MAX_KEY_LEN + 1], utf8("value")))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining("MAX_KEY_LEN");
      RecordRef ref = log.appendRecord(RecordType.PUT, utf8("k"), utf8("v"));
      assertThat(ref.txid()).isEqualTo(1);
      assertThat(ref.offset()).isZero();
      assertThat(log.isPoisoned()).isFalse();
    }
  }

  @Test
  void badMagicAtOffsetZeroFailsTheOpen() {
    TestFiles.rawStore(dir(), "one", "two");
    TestFiles.patch(segment(dir(), 1), 0, (byte) 'X');
    assertThatThrownBy(() -> RecordLog.open(dir()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> assertThat(e.kind()).isEqualTo(CorruptionKind.STRUCTURAL))
        .hasMessageContaining("bad magic")
        .hasMessageContaining("mid-stream");
  }

  @Test
  void versionFfffAtOffsetZeroFailsTheOpen() {
    TestFiles.rawStore(dir(), "one");
    TestFiles.patch(segment(dir(), 1), 4, (byte) 0xFF, (byte) 0xFF);
    assertThatThrownBy(() -> RecordLog.open(dir()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> assertThat(e.kind()).isEqualTo(CorruptionKind.UNSUPPORTED_VERSION))
        .hasMessageContaining("version 65535");
  }

  @Test
  void recordTypeEeAtOffsetZeroFailsTheOpen() {
    TestFiles.rawStore(dir(), "one", "two");
    TestFiles.patch(segment(dir(), 1), 6, (byte) 0xEE);
    assertThatThrownBy(() -> RecordLog.open(dir()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> assertThat(e.kind()).isEqualTo(CorruptionKind.STRUCTURAL))
        .hasMessageContaining("record type 238");
  }

  @Test
  void appendsSurviveCloseAndReopen() {
    try (RecordLog log = RecordLog.open(dir())) {
      IntStream.range(0, 10).forEach(i -> log.append(utf8("r" + i)));
      log.appendRecord(RecordType.PUT, utf8("key"), utf8("value"));
      log.appendRecord(RecordType.DELETE, utf8("key"), new byte[0]);
    }
    try (RecordLog log = RecordLog.open(dir())) {
      List<Record> records = log.scan();
      assertThat(records).hasSize(12);
      assertThat(records.get(10).type()).isEqualTo(RecordType.PUT);
      assertThat(records.get(11).type()).isEqualTo(RecordType.DELETE);
      assertThat(log.append(utf8("next")).txid()).isEqualTo(13);
    }
  }

  @Test
  void closeFsyncsAndIsIdempotent() {
    RecordingFileIo io = new RecordingFileIo();
    RecordLog log =
        RecordLog.open(dir(), DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build(), io);
    log.append(utf8("x"));
    io.clear();
    log.close();
    log.close();
    assertThat(io.ops())
        .containsExactly(
            "force 00000001.dwal",
            // the preallocated zeros are cut off, durably: a closed store is plain DWAL v1
            "truncate 00000001.dwal 29",
            "force 00000001.dwal",
            // the manifest records the clean close: every byte of the segment is durable
            "delete datawal.manifest.tmp",
            "create datawal.manifest.tmp",
            "write datawal.manifest.tmp 0 92",
            "force datawal.manifest.tmp",
            "move datawal.manifest.tmp datawal.manifest",
            "sync-dir");
    assertThatThrownBy(() -> log.append(utf8("y")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(log::scan).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void scanIterSeesOnlyRecordsAppendedBeforeItStarted() {
    try (RecordLog log = RecordLog.open(dir())) {
      log.append(utf8("before"));
      try (RecordIterator it = log.scanIter()) {
        log.append(utf8("after"));
        assertThat(TestFiles.str(it.next().payload())).isEqualTo("before");
        assertThat(it.hasNext()).isFalse();
        assertThat(it.report().recordsReplayed()).isEqualTo(1);
      }
    }
  }

  @Test
  void recordsKeepKeysAndTypesThroughReopen() throws Exception {
    try (RecordLog log = RecordLog.open(dir())) {
      log.appendRecord(RecordType.PUT, utf8("k1"), utf8("v1"));
      log.appendRecord(RecordType.RAW, utf8("event-key"), utf8("payload"));
    }
    assertThat(Files.size(segment(dir(), 1))).isEqualTo(28 + 2 + 2 + 28 + 9 + 7);
    try (RecordLog log = RecordLog.open(dir())) {
      List<Record> records = log.scan();
      assertThat(TestFiles.str(records.get(0).key())).isEqualTo("k1");
      assertThat(TestFiles.str(records.get(1).key())).isEqualTo("event-key");
      assertThat(records.get(1).type()).isEqualTo(RecordType.RAW);
    }
  }
}
