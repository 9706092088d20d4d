package dev.datawal;

import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reference's Poisoning group for the key/value store: a failed write or fsync poisons the
 * writer, every later change fails with the exact message, reads keep showing the state before the
 * failure, and a reopen clears the poison with every acknowledged write in place. Failures are
 * injected with {@link RecordingFileIo}, under both the MANUAL and ALWAYS policies.
 */
class DataWalPoisoningTests {
  private static final String ENOSPC = "No space left on device";
  private static final String EIO = "Input/output error";

  @TempDir Path tmp;
  private final RecordingFileIo io = new RecordingFileIo();

  private Path dir() {
    return tmp.resolve("store");
  }

  private DataWal open(FsyncPolicy policy) {
    return DataWal.open(dir(), DatawalOptions.builder().fsyncPolicy(policy).build(), io);
  }

  private static String poisoned(String reason) {
    return "datawal: writer poisoned: " + reason + "; drop handle and reopen";
  }

  private String writeFailed() {
    return "write to " + segment(dir(), 1) + " failed: IOException: " + ENOSPC;
  }

  /** Writes a=1, b=2, c=3, deletes a, overwrites c: live {b=2, c=33}. */
  private static void writeAcknowledged(DataWal kv) {
    kv.put(utf8("a"), utf8("1"));
    kv.put(utf8("b"), utf8("2"));
    kv.put(utf8("c"), utf8("3"));
    kv.delete(utf8("a"));
    kv.put(utf8("c"), utf8("33"));
  }

  private static final Map<String, String> ACKNOWLEDGED = Map.of("b", "2", "c", "33");

  @ParameterizedTest
  @EnumSource(
      value = FsyncPolicy.class,
      names = {"MANUAL", "ALWAYS"})
  void aFreshStoreIsNotPoisoned(FsyncPolicy policy) {
    try (DataWal kv = open(policy)) {
      writeAcknowledged(kv);
      kv.fsync();
      assertThat(kv.log().isPoisoned()).isFalse();
      assertState(kv, ACKNOWLEDGED);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = FsyncPolicy.class,
      names = {"MANUAL", "ALWAYS"})
  void aFailedWritePoisonsTheWriterWithTheExactMessage(FsyncPolicy policy) {
    try (DataWal kv = open(policy)) {
      writeAcknowledged(kv);
      io.failOnce("write 00000001.dwal", ENOSPC);
      assertThatThrownBy(() -> kv.put(utf8("d"), utf8("lost")))
          .isInstanceOfSatisfying(
              WriterPoisonedException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(writeFailed());
                assertThat(e.getCause()).isInstanceOf(IOException.class).hasMessage(ENOSPC);
              })
          .hasMessage(poisoned(writeFailed()));
      assertThat(kv.log().isPoisoned()).isTrue();
      assertThatThrownBy(() -> kv.put(utf8("e"), utf8("after")))
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessage(poisoned(writeFailed())); // the first reason stays
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = FsyncPolicy.class,
      names = {"MANUAL", "ALWAYS"})
  void everyChangeFailsOncePoisoned(FsyncPolicy policy) {
    try (DataWal kv = open(policy)) {
      writeAcknowledged(kv);
      io.failOnce("write 00000001.dwal", ENOSPC);
      assertThatThrownBy(() -> kv.delete(utf8("b"))).isInstanceOf(WriterPoisonedException.class);
      io.clear();
      String message = poisoned(writeFailed());
      assertThatThrownBy(() -> kv.put(utf8("x"), utf8("y")))
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessage(message);
      assertThatThrownBy(() -> kv.delete(utf8("b")))
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessage(message);
      assertThatThrownBy(() -> kv.delete(utf8("never-written")))
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessage(message);
      assertThatThrownBy(kv::fsync).isInstanceOf(WriterPoisonedException.class).hasMessage(message);
      assertThatThrownBy(
              () ->
                  kv.writeBatch(List.of(Entry.put(utf8("x"), utf8("y")), Entry.delete(utf8("c")))))
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessage(message);
      assertThatThrownBy(() -> kv.log().rotate())
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessage(message);
      assertThatThrownBy(() -> kv.log().append(utf8("raw")))
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessage(message);
      assertThat(io.ops()).isEmpty(); // refused before any I/O: no write, and no retried force
      assertState(kv, ACKNOWLEDGED);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = FsyncPolicy.class,
      names = {"MANUAL", "ALWAYS"})
  void readsKeepWorkingAndShowTheStateBeforeTheFailure(FsyncPolicy policy) throws IOException {
    Path export = tmp.resolve("export.jsonl");
    Path compacted = tmp.resolve("compacted");
    try (DataWal kv = open(policy)) {
      writeAcknowledged(kv);
      RecordRef refOfC = kv.refOf(utf8("c")).orElseThrow();
      List<Record> records = kv.log().scan();
      io.failOnce("write 00000001.dwal", ENOSPC);
      assertThatThrownBy(() -> kv.put(utf8("c"), utf8("lost")))
          .isInstanceOf(WriterPoisonedException.class);
      assertThatThrownBy(
              () ->
                  kv.writeBatch(
                      List.of(Entry.put(utf8("b"), utf8("lost")), Entry.delete(utf8("c")))))
          .isInstanceOf(WriterPoisonedException.class);

      assertState(kv, ACKNOWLEDGED);
      assertThat(kv.containsKey(utf8("a"))).isFalse();
      assertThat(kv.get(utf8("a"))).isEmpty();
      assertThat(kv.refOf(utf8("c"))).contains(refOfC);
      assertThat(kv.log().scan()).isEqualTo(records);
      assertThat(kv.recoveryReport().recordsReplayed()).isZero();
      assertThat(kv.log().lastTxid()).isEqualTo(5);
      // Exporting and compacting read the store; neither needs the poisoned writer.
      assertThat(kv.exportJsonl(export)).isEqualTo(2);
      assertThat(kv.compactTo(compacted).liveKeys()).isEqualTo(2);
    }
    assertThat(Files.readString(export, StandardCharsets.US_ASCII))
        .isEqualTo(
            DataWalTests.jsonLine(utf8("b"), utf8("2"))
                + DataWalTests.jsonLine(utf8("c"), utf8("33")));
    try (DataWal kv = DataWal.open(compacted)) {
      assertState(kv, ACKNOWLEDGED);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = FsyncPolicy.class,
      names = {"MANUAL", "ALWAYS"})
  void reopenClearsThePoisonAndHoldsEveryAcknowledgedWrite(FsyncPolicy policy) {
    try (DataWal kv = open(policy)) {
      writeAcknowledged(kv);
      if (policy == FsyncPolicy.MANUAL) {
        kv.fsync(); // under MANUAL a write is acknowledged as durable by fsync
      }
      io.failOnce("write 00000001.dwal", ENOSPC);
      assertThatThrownBy(() -> kv.put(utf8("d"), utf8("lost")))
          .isInstanceOf(WriterPoisonedException.class);
      io.clear();
    }
    assertThat(io.ops()).noneMatch(op -> op.startsWith("force")); // close did not retry a force
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(kv.log().isPoisoned()).isFalse();
      assertThat(kv.recoveryReport().damageFound()).isFalse();
      assertState(kv, ACKNOWLEDGED);
      kv.put(utf8("d"), utf8("after reopen"));
      assertThat(kv.delete(utf8("b"))).isTrue();
    }
    try (DataWal kv = DataWal.open(dir())) {
      assertState(kv, Map.of("c", "33", "d", "after reopen"));
    }
  }

  @Test
  void thePoisonMessageHasTheExactFormat() {
    try (DataWal kv = open(FsyncPolicy.MANUAL)) {
      kv.put(utf8("a"), utf8("1"));
      io.failOnce("write 00000001.dwal", "synthetic");
      assertThatThrownBy(() -> kv.put(utf8("b"), utf8("2")))
          .hasMessage(
              "datawal: writer poisoned: write to "
                  + dir().resolve("00000001.dwal")
                  + " failed: IOException: synthetic; drop handle and reopen");
      assertThatThrownBy(() -> kv.delete(utf8("a")))
          .hasMessageStartingWith("datawal: writer poisoned: ")
          .hasMessageEndingWith("; drop handle and reopen");
    }
  }

  @Test
  void underManualAFailedFsyncPoisonsAndIsNeverRetried() {
    try (DataWal kv = open(FsyncPolicy.MANUAL)) {
      writeAcknowledged(kv);
      io.failOnce("force 00000001.dwal", EIO);
      String reason = "fsync of " + segment(dir(), 1) + " failed: IOException: " + EIO;
      assertThatThrownBy(kv::fsync)
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessage(poisoned(reason));
      io.clear();
      assertThatThrownBy(kv::fsync).isInstanceOf(WriterPoisonedException.class);
      assertThatThrownBy(() -> kv.put(utf8("x"), utf8("y")))
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessage(poisoned(reason));
      assertThat(io.ops()).isEmpty();
      // The writes were made before the fsync failed: readable, though no longer known durable.
      assertState(kv, ACKNOWLEDGED);
    }
    // Close did not force again either; it only cut the preallocated zeros off the segment.
    assertThat(io.ops()).noneMatch(op -> op.startsWith("force"));
    assertThat(io.ops()).allMatch(op -> op.startsWith("truncate 00000001.dwal"));
  }

  @Test
  void underAlwaysAFailedForceDuringPutThrowsFromThatPut() {
    try (DataWal kv = open(FsyncPolicy.ALWAYS)) {
      writeAcknowledged(kv);
      long durable = kv.log().durableTxid();
      assertThat(durable).isEqualTo(5);
      io.failOnce("force 00000001.dwal", EIO);
      String reason = "fsync of " + segment(dir(), 1) + " failed: IOException: " + EIO;
      assertThatThrownBy(() -> kv.put(utf8("d"), utf8("not acknowledged")))
          .isInstanceOfSatisfying(
              WriterPoisonedException.class, e -> assertThat(e.getCause()).hasMessage(EIO))
          .hasMessage(poisoned(reason));
      assertThat(kv.log().durableTxid()).isEqualTo(durable);
      io.clear();
      assertThatThrownBy(() -> kv.put(utf8("e"), utf8("refused")))
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessage(poisoned(reason));
      assertThatThrownBy(() -> kv.delete(utf8("b"))).isInstanceOf(WriterPoisonedException.class);
      assertThat(io.ops()).isEmpty();
      // Reads keep working. The unacknowledged put was written before its force failed, so the
      // view may show it; whatever it shows, it must be the log's own projection.
      assertThat(kv.containsKey(utf8("e"))).isFalse();
      assertThat(kv.get(utf8("b")).map(TestFiles::str)).contains("2");
      assertThat(kv.get(utf8("c")).map(TestFiles::str)).contains("33");
      assertThat(liveState(kv)).isEqualTo(projection(kv.log().scan()));
    }
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(kv.log().isPoisoned()).isFalse();
      Map<String, String> state = liveState(kv);
      assertThat(state).containsAllEntriesOf(ACKNOWLEDGED); // every acknowledged write survived
      assertThat(state).isEqualTo(projection(kv.log().scan()));
      assertThat(state.keySet()).isSubsetOf("b", "c", "d");
    }
  }

  @Test
  void aFailedWriteInABatchAppliesNoneOfIt() {
    try (DataWal kv = open(FsyncPolicy.MANUAL)) {
      writeAcknowledged(kv);
      io.failOnce("write 00000001.dwal", ENOSPC);
      assertThatThrownBy(
              () ->
                  kv.writeBatch(
                      List.of(
                          Entry.put(utf8("new"), utf8("1")),
                          Entry.delete(utf8("b")),
                          Entry.put(utf8("c"), utf8("changed")))))
          .isInstanceOf(WriterPoisonedException.class)
          .hasMessage(poisoned(writeFailed()));
      assertState(kv, ACKNOWLEDGED);
      assertThat(kv.log().lastTxid()).isEqualTo(5);
    }
    try (DataWal kv = DataWal.open(dir())) {
      assertState(kv, ACKNOWLEDGED);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"create 00000001.dwal", "write 00000001.dwal", "force 00000001.dwal", "sync-dir"})
  void aFailedCompactToTargetDoesNotPoisonTheSource(String failingOp) {
    Path target = tmp.resolve("compacted");
    try (DataWal kv = open(FsyncPolicy.MANUAL)) {
      writeAcknowledged(kv);
      kv.log().rotate();
      kv.log().rotate(); // the source now appends to 00000003.dwal: 00000001.dwal is the target's
      kv.put(utf8("d"), utf8("4"));
      kv.fsync();
      Map<String, String> sourceBefore = TestFiles.snapshot(dir());
      io.failOnce(failingOp, ENOSPC);
      if (failingOp.startsWith("write")) {
        io.andFailNth(failingOp, 1); // a full disk fails the preallocated zeros, then the frames
      }
      assertThatThrownBy(() -> kv.compactTo(target))
          .isInstanceOf(DatawalException.class)
          .hasMessageContaining(target.toString())
          .hasMessageContaining(ENOSPC);
      assertThat(io.ops()).anyMatch(op -> op.startsWith(failingOp)); // the target's step failed
      assertThat(TestFiles.snapshot(dir())).isEqualTo(sourceBefore);
      assertThat(kv.log().isPoisoned()).isFalse();
      Map<String, String> expected = new TreeMap<>(ACKNOWLEDGED);
      expected.put("d", "4");
      assertState(kv, expected);

      kv.put(utf8("e"), utf8("5")); // the source is still writable
      kv.fsync();
      expected.put("e", "5");
      Path retry = tmp.resolve("retry");
      assertThat(kv.compactTo(retry).liveKeys()).isEqualTo(4);
      try (DataWal out = DataWal.open(retry)) {
        assertState(out, expected);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "create export.jsonl.tmp",
        "write export.jsonl.tmp",
        "force export.jsonl.tmp",
        "move export.jsonl.tmp export.jsonl"
      })
  void aFailedExportKeepsThePreviousFileAndDoesNotPoisonTheStore(String failingOp) {
    Path file = tmp.resolve("export.jsonl");
    try (DataWal kv = open(FsyncPolicy.MANUAL)) {
      kv.put(utf8("old"), utf8("1"));
      kv.exportJsonl(file);
      byte[] previous = TestFiles.read(file);
      writeAcknowledged(kv);
      io.failOnce(failingOp, ENOSPC);
      assertThatThrownBy(() -> kv.exportJsonl(file))
          .isExactlyInstanceOf(DatawalException.class)
          .hasMessageContaining("export to " + file + " failed")
          .hasMessageContaining(ENOSPC);
      assertThat(io.ops()).anyMatch(op -> op.startsWith(failingOp));
      assertThat(TestFiles.read(file)).isEqualTo(previous); // readers still see the whole old file
      assertThat(kv.log().isPoisoned()).isFalse();
      kv.put(utf8("d"), utf8("4"));

      assertThat(kv.exportJsonl(file)).isEqualTo(4);
      assertThat(TestFiles.names(tmp)).doesNotContain("export.jsonl.tmp");
    }
    assertThat(new String(TestFiles.read(file), StandardCharsets.US_ASCII))
        .isEqualTo(
            DataWalTests.jsonLine(utf8("b"), utf8("2"))
                + DataWalTests.jsonLine(utf8("c"), utf8("33"))
                + DataWalTests.jsonLine(utf8("d"), utf8("4"))
                + DataWalTests.jsonLine(utf8("old"), utf8("1")));
  }

  // Helpers.

  private static void assertState(DataWal kv, Map<String, String> expected) {
    assertThat(liveState(kv)).isEqualTo(new TreeMap<>(expected));
    assertThat(kv.size()).isEqualTo(expected.size());
    for (String key : expected.keySet()) {
      assertThat(kv.containsKey(utf8(key))).as(key).isTrue();
    }
  }

  /** Every live key with its value, read through keys() and get(). */
  private static Map<String, String> liveState(DataWal kv) {
    Map<String, String> state = new TreeMap<>();
    for (byte[] key : kv.keys()) {
      state.put(str(key), str(kv.get(key).orElseThrow()));
    }
    return state;
  }

  /** The last-write-wins state of a log, computed from its records. */
  private static Map<String, String> projection(List<Record> records) {
    Map<String, String> state = new TreeMap<>();
    for (Record r : records) {
      if (r.type() == RecordType.PUT) {
        state.put(str(r.key()), str(r.payload()));
      } else if (r.type() == RecordType.DELETE) {
        state.remove(str(r.key()));
      }
    }
    return state;
  }
}
