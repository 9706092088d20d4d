package dev.datawal;

import static dev.datawal.TestFiles.payloads;
import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference's Reader group: read-only, lockless, usable beside a live writer. */
class RecordLogReaderTests {
  @TempDir Path tmp;

  private Path store(String... payloads) {
    return TestFiles.rawStore(tmp.resolve("store"), payloads);
  }

  @Test
  void readsEveryRecordOfAClosedStore() {
    Path d = store("a", "b", "c");
    RecordLogReader reader = RecordLogReader.open(d);
    assertThat(reader.segments()).containsExactly(1L);
    assertThat(payloads(reader.scan())).containsExactly("a", "b", "c");
    assertThat(reader.report().recordsReplayed()).isEqualTo(3);
  }

  @Test
  void worksWhileAWriterHoldsTheLockAndTakesNoLock() {
    Path d = tmp.resolve("store");
    try (RecordLog log = RecordLog.open(d)) {
      log.append(utf8("live"));
      assertThat(payloads(RecordLogReader.open(d).scan())).containsExactly("live");
      // The writer's lock is intact: a second writer is still refused.
      assertThatThrownBy(() -> RecordLog.open(d)).isInstanceOf(StoreLockedException.class);
    }
  }

  @Test
  void seesFramesAWriterAppendsAfterTheReaderOpened() {
    Path d = tmp.resolve("store");
    try (RecordLog log = RecordLog.open(d)) {
      log.append(utf8("before"));
      RecordLogReader reader = RecordLogReader.open(d);
      log.append(utf8("after"));
      assertThat(payloads(reader.scan())).containsExactly("before", "after");
    }
  }

  @Test
  void segmentIdsAreFixedWhenTheReaderOpens() {
    Path d = tmp.resolve("store");
    try (RecordLog log = RecordLog.open(d)) {
      log.append(utf8("one"));
      RecordLogReader reader = RecordLogReader.open(d);
      log.append(utf8("two"));
      log.rotate();
      log.append(utf8("three"));
      assertThat(reader.segments()).containsExactly(1L);
      assertThat(payloads(reader.scan())).containsExactly("one", "two");
      assertThat(payloads(RecordLogReader.open(d).scan())).containsExactly("one", "two", "three");
    }
  }

  @Test
  void aWritersPartialFrameLooksLikeATornTail() {
    Path d = store("a", "b");
    byte[] partial = Arrays.copyOf(TestFiles.read(segment(d, 1)), 20); // a frame's first bytes
    TestFiles.append(segment(d, 1), partial);
    RecordLogReader reader = RecordLogReader.open(d);
    try (RecordIterator it = reader.scanIter()) {
      assertThat(it.next().txid()).isEqualTo(1);
      assertThat(it.next().txid()).isEqualTo(2);
      assertThat(it.hasNext()).isFalse();
      RecoveryReport report = it.report();
      assertThat(report.tailBytesDiscarded()).isEqualTo(20);
      assertThat(report.damage().get(0).keptIn()).isEqualTo(segment(d, 1));
    }
  }

  @Test
  void neverCreatesOrChangesAnything() throws IOException {
    Path d = store("a");
    TestFiles.append(segment(d, 1), utf8("torn"));
    Files.delete(d.resolve(".lock"));
    byte[] before = TestFiles.read(segment(d, 1));
    java.util.Map<String, String> files = TestFiles.snapshot(d);
    RecordLogReader reader = RecordLogReader.open(d);
    reader.scan();
    reader.report();
    assertThat(TestFiles.names(d)).containsExactly("00000001.dwal", "datawal.manifest");
    assertThat(TestFiles.snapshot(d)).isEqualTo(files);
    assertThat(TestFiles.read(segment(d, 1))).isEqualTo(before);

    Path empty = Files.createDirectory(tmp.resolve("empty"));
    assertThat(RecordLogReader.open(empty).scan()).isEmpty();
    assertThat(TestFiles.names(empty)).isEmpty();
  }

  @Test
  void aMissingPathFailsClearlyAndIsNotCreated() {
    Path missing = tmp.resolve("no-such-store");
    assertThatThrownBy(() -> RecordLogReader.open(missing))
        .isInstanceOf(DatawalException.class)
        .hasMessageContaining("no store at " + missing)
        .hasMessageContaining("no such directory");
    assertThat(missing).doesNotExist();
  }

  @Test
  void aFileInsteadOfADirectoryFailsClearly() throws IOException {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertThatThrownBy(() -> RecordLogReader.open(file))
        .isInstanceOf(DatawalException.class)
        .hasMessageContaining("not a directory");
  }

  @Test
  void corruptionInASealedSegmentIsAnError() {
    Path d = tmp.resolve("store");
    try (RecordLog log = RecordLog.open(d)) {
      log.append(utf8("a"));
      log.rotate();
      log.append(utf8("b"));
    }
    FixtureGenerator.flipByteUnchecked(segment(d, 1), 10);
    RecordLogReader reader = RecordLogReader.open(d);
    assertThatThrownBy(reader::scan)
        .isInstanceOf(CorruptStoreException.class)
        .hasMessageContaining("sealed segment 1");
    assertThatThrownBy(reader::report).isInstanceOf(CorruptStoreException.class);
  }

  @Test
  void itsReportIsWhatTheWritersRecoveryWillFind() {
    Path d = store("a", "b");
    TestFiles.append(segment(d, 1), new byte[50]);
    RecoveryReport predicted = RecordLogReader.open(d).report();
    try (RecordLog log = RecordLog.open(d)) {
      RecoveryReport actual = log.recoveryReport();
      assertThat(predicted.recordsReplayed()).isEqualTo(actual.recordsReplayed());
      assertThat(predicted.tailBytesDiscarded())
          .isEqualTo(actual.tailBytesDiscarded())
          .isEqualTo(50);
      assertThat(predicted.damage().get(0).offset()).isEqualTo(actual.damage().get(0).offset());
      assertThat(predicted.damage().get(0).keptIn()).isEqualTo(segment(d, 1));
      assertThat(actual.damage().get(0).keptIn()).isNotEqualTo(segment(d, 1));
    }
  }
}
