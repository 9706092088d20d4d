package dev.datawal;

import static dev.datawal.TestFiles.payloads;
import static dev.datawal.TestFiles.read;
import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.internal.format.DecodedFrame;
import dev.datawal.internal.format.FrameFormat;
import dev.datawal.internal.format.GroupMarker;
import dev.datawal.testing.TestSeed;
import dev.datawal.tools.SegmentWalker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic record groups ({@link RecordLog#appendAtomically}, {@link DataWal#writeAtomically}): a
 * group survives whole, and whatever a crash leaves of one at the end of the log (a cut at any
 * byte, zero fill, garbage, a damaged member) recovers as the state before it, with the cut bytes
 * kept as evidence; what no crash leaves is a hard error; no reader ever sees part of a group.
 */
class RecordGroupTests {
  private static final long SEED = TestSeed.of(RecordGroupTests.class, "datawal.test.seed");

  /** Small segments, so that nothing is preallocated: every append is a plain write. */
  private static final DatawalOptions SMALL =
      DatawalOptions.builder().maxSegmentSize(256 * 1024).build();

  @TempDir Path tmp;

  private static Entry put(String key, String value) {
    return Entry.put(utf8(key), utf8(value));
  }

  private static Entry del(String key) {
    return Entry.delete(utf8(key));
  }

  private static long end(RecordRef ref) {
    return ref.offset() + ref.length();
  }

  // --- a group survives, and how it looks on disk ---------------------------------------------

  @Test
  void aGroupSurvivesReopenAndItsMarkerTakesTheTxidBeforeItsRecords() {
    Path d = tmp.resolve("s");
    RecordRef a;
    List<RecordRef> group;
    try (RecordLog log = RecordLog.open(d)) {
      a = log.append(utf8("a"));
      group =
          log.appendAtomically(
              List.of(Entry.raw(utf8("x")), put("k", "v"), Entry.delete(utf8("gone"))));
      assertThat(a.txid()).isEqualTo(1);
      assertThat(group).extracting(RecordRef::txid).containsExactly(3L, 4L, 5L);
      assertThat(group.get(0).offset()).isEqualTo(end(a) + GroupMarker.FRAME_LENGTH);
      assertThat(log.append(utf8("b")).txid()).isEqualTo(6);
      assertThat(log.scan()).extracting(Record::txid).containsExactly(1L, 3L, 4L, 5L, 6L);
    }
    try (RecordLog log = RecordLog.open(d)) {
      List<Record> records = log.scan();
      assertThat(records).extracting(Record::txid).containsExactly(1L, 3L, 4L, 5L, 6L);
      assertThat(records)
          .extracting(Record::type)
          .containsExactly(
              RecordType.RAW, RecordType.RAW, RecordType.PUT, RecordType.DELETE, RecordType.RAW);
      assertThat(payloads(records)).containsExactly("a", "x", "v", "", "b");
      assertThat(log.recoveryReport().recordsReplayed()).isEqualTo(5);
      assertThat(log.recoveryReport().damageFound()).isFalse();
      assertThat(log.append(utf8("c")).txid()).isEqualTo(7);
    }
    assertThat(RecordLogReader.open(d).scan())
        .extracting(Record::txid)
        .containsExactly(1L, 3L, 4L, 5L, 6L, 7L);

    // The marker, byte for byte as docs/format.md documents it: a Delete of a reserved key.
    long membersLength = end(group.get(2)) - group.get(0).offset();
    byte[] bytes = read(segment(d, 1));
    DecodedFrame marker =
        FrameFormat.decode(
            Arrays.copyOfRange(bytes, (int) end(a), (int) end(a) + GroupMarker.FRAME_LENGTH));
    assertThat(marker.valid()).isTrue();
    assertThat(marker.type()).isEqualTo(RecordType.DELETE);
    assertThat(marker.txid()).isEqualTo(2);
    assertThat(marker.payload()).isEmpty();
    assertThat(HexFormat.of().formatHex(marker.key()))
        .isEqualTo(
            "006461746177616c2e67726f757000" // 00 "datawal.group" 00
                + "03000000" // u32 members
                + HexFormat.of().formatHex(le64(membersLength))); // u64 their bytes
    assertThat(bytes[(int) end(a) + FrameFormat.FLAGS_OFFSET]).isZero();
  }

  @Test
  void aGroupOfOneRecordWritesNoMarkerAndAnEmptyGroupWritesNothing() {
    Path d = tmp.resolve("s");
    try (DataWal w = DataWal.open(d)) {
      RecordRef a = w.put(utf8("a"), utf8("1"));
      List<RecordRef> one = w.writeAtomically(List.of(put("b", "2")));
      assertThat(one).singleElement().satisfies(r -> assertThat(r.txid()).isEqualTo(2));
      assertThat(one.get(0).offset()).isEqualTo(end(a)); // nothing between them
      assertThat(w.writeAtomically(List.of())).isEmpty();
      assertThat(w.log().appendAtomically(List.of())).isEmpty();
      assertThat(w.log().lastTxid()).isEqualTo(2);
      assertThat(w.log().segmentSizes()).containsEntry(1L, end(one.get(0)));
    }
    try (DataWal w = DataWal.open(d)) {
      assertThat(w.get(utf8("b"))).hasValueSatisfying(v -> assertThat(str(v)).isEqualTo("2"));
      assertThat(w.log().scan()).extracting(Record::txid).containsExactly(1L, 2L);
    }
  }

  @Test
  void aFollowerReturnsAGroupsRecordsAndNeverItsMarker() throws InterruptedException {
    try (RecordLog log = RecordLog.open(tmp.resolve("s"));
        LogFollower durable = log.follow(1);
        LogFollower written = log.follow(1, true)) {
      log.append(utf8("a"));
      log.appendAtomically(List.of(Entry.raw(utf8("x")), Entry.raw(utf8("y"))));
      log.append(utf8("b"));
      for (LogFollower follower : List.of(durable, written)) {
        List<Record> seen = new ArrayList<>();
        for (Record r = follower.poll(Duration.ZERO); r != null; r = follower.poll(Duration.ZERO)) {
          seen.add(r);
        }
        assertThat(payloads(seen)).containsExactly("a", "x", "y", "b");
        assertThat(seen).extracting(Record::txid).containsExactly(1L, 3L, 4L, 5L);
      }
      // The marker's txid (2) is told with the record that opens the group, and only with it.
      try (LogFollower follower = log.follow(1)) {
        List<Long> markers = new ArrayList<>();
        while (follower.poll(Duration.ZERO) != null) {
          markers.add(follower.markerBeforeLast());
        }
        assertThat(markers).containsExactly(0L, 2L, 0L, 0L);
      }
    }
  }

  @Test
  void aGroupLargerThanTheSegmentSizeGetsASegmentOfItsOwn() {
    Path d = tmp.resolve("s");
    DatawalOptions options = DatawalOptions.builder().maxSegmentSize(4096).build();
    byte[] big = new byte[3000];
    try (RecordLog log = RecordLog.open(d, options)) {
      log.append(utf8("a"));
      List<RecordRef> group =
          log.appendAtomically(List.of(Entry.raw(big), Entry.raw(big), Entry.raw(big)));
      assertThat(group).extracting(RecordRef::segment).containsOnly(2L);
      assertThat(group.get(0).offset()).isEqualTo(GroupMarker.FRAME_LENGTH);
      assertThat(log.append(utf8("b")).segment()).isEqualTo(3);
    }
    try (RecordLog log = RecordLog.open(d, options)) {
      assertThat(log.scan()).extracting(Record::segment).containsExactly(1L, 2L, 2L, 2L, 3L);
      assertThat(log.verify().problems()).isEmpty();
    }
  }

  // --- whatever a crash leaves of a group at the end of the log -------------------------------

  /**
   * A key/value store whose last segment ends with a group, as a process killed after the group's
   * fsync leaves it.
   *
   * @param dir the store
   * @param before the state before the group
   * @param keys every key written, the group's too
   * @param groupStart the marker's offset in segment 1
   * @param members the group's records
   * @param bytes segment 1 as written
   */
  private record Template(
      Path dir,
      Map<String, String> before,
      Set<String> keys,
      long groupStart,
      List<RecordRef> members,
      byte[] bytes) {
    long groupEnd() {
      return end(members.get(members.size() - 1));
    }
  }

  private Template template() {
    Path dir = tmp.resolve("template");
    Map<String, String> before = new TreeMap<>();
    DataWal w = DataWal.open(dir, SMALL);
    for (String k : List.of("k1", "k2", "k3")) {
      w.put(utf8(k), utf8("old-" + k));
      before.put(k, "old-" + k);
    }
    w.delete(utf8("k3"));
    before.remove("k3");
    long groupStart = w.log().segmentSizes().get(1L);
    List<RecordRef> members =
        w.writeAtomically(
            List.of(
                put("k1", "new-k1"),
                del("k2"),
                put("k3", "back"),
                Entry.raw(utf8("raw")),
                put("k4", "fresh")));
    w.fsync();
    TestFiles.closeAsIfKilled(w, dir);
    Set<String> keys = new LinkedHashSet<>(List.of("k1", "k2", "k3", "k4", "after"));
    return new Template(dir, before, keys, groupStart, members, read(segment(dir, 1)));
  }

  private Path copy(Path from, String name) {
    Path to = tmp.resolve(name);
    try (Stream<Path> files = Files.list(from)) {
      Files.createDirectories(to);
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  private static Map<String, String> state(DataWal w, Set<String> keys) {
    Map<String, String> state = new TreeMap<>();
    for (String k : keys) {
      w.get(utf8(k)).ifPresent(v -> state.put(k, str(v)));
    }
    assertThat(w.size()).as("live keys").isEqualTo(state.size());
    return state;
  }

  /**
   * Opens a store whose last segment holds {@code t}'s group damaged or cut short, and checks that
   * it recovers the state before the group: the read-only reader first (which changes nothing),
   * then the writer, whose report names the damage from the marker on and keeps its bytes as
   * evidence; a write after that lands right after the state before and survives another open.
   */
  private void recoversTheStateBefore(Template t, Path d, String what) {
    byte[] damaged = read(segment(d, 1));
    byte[] tail = Arrays.copyOfRange(damaged, (int) t.groupStart(), damaged.length);
    Map<String, String> files = bytesOf(d);
    RecordLogReader reader = RecordLogReader.open(d);
    assertThat(reader.scan())
        .as(what)
        .allSatisfy(r -> assertThat(end(r)).isLessThanOrEqualTo(t.groupStart()));
    assertThat(reader.report().damage())
        .as(what)
        .singleElement()
        .satisfies(e -> assertThat(e.offset()).isEqualTo(t.groupStart()));
    assertThat(bytesOf(d)).as(what + ": the reader changed nothing").isEqualTo(files);
    try (DataWal w = DataWal.open(d)) {
      assertThat(state(w, t.keys())).as(what).isEqualTo(t.before());
      RecoveryReport report = w.recoveryReport();
      assertThat(report.tailTruncated()).as(what).isEqualTo(1);
      assertThat(report.tailBytesDiscarded()).as(what).isEqualTo(tail.length);
      DamageEvent damage = report.damage().get(0);
      assertThat(damage.offset()).as(what).isEqualTo(t.groupStart());
      assertThat(read(damage.keptIn())).as(what + ": the evidence").isEqualTo(tail);
      RecordRef after = w.put(utf8("after"), utf8("x"));
      assertThat(after.offset()).as(what).isEqualTo(t.groupStart());
    }
    try (DataWal w = DataWal.open(d)) {
      Map<String, String> expected = new TreeMap<>(t.before());
      expected.put("after", "x");
      assertThat(state(w, t.keys())).as(what + ", reopened").isEqualTo(expected);
      assertThat(w.recoveryReport().damageFound()).as(what).isFalse();
    }
  }

  /** Every file of the store but the lock (a writer's open writes its pid), in hex. */
  private static Map<String, String> bytesOf(Path d) {
    Map<String, String> files = new TreeMap<>(TestFiles.snapshot(d));
    files.remove(".lock");
    return files;
  }

  private static long end(Record r) {
    return r.offset() + r.length();
  }

  @Test
  void everyCutInsideAGroupAtTheLogEndRecoversTheStateBeforeIt() {
    Template t = template();
    assertThat(t.bytes()).hasSize((int) t.groupEnd());
    for (long cut = t.groupStart() + 1; cut < t.groupEnd(); cut++) {
      Path d = copy(t.dir(), "cut-" + cut);
      TestFiles.truncate(segment(d, 1), cut);
      recoversTheStateBefore(t, d, "cut at " + cut);
    }
    // The kind says what was dropped: a frame cut short inside the marker, else the group.
    Path inMarker = copy(t.dir(), "in-marker");
    TestFiles.truncate(segment(inMarker, 1), t.groupStart() + GroupMarker.FRAME_LENGTH - 1);
    assertThat(RecordLogReader.open(inMarker).report().damage().get(0).kind())
        .isEqualTo(CorruptionKind.TRUNCATED);
    Path afterMarker = copy(t.dir(), "after-marker");
    TestFiles.truncate(segment(afterMarker, 1), t.groupStart() + GroupMarker.FRAME_LENGTH);
    assertThat(RecordLogReader.open(afterMarker).report().damage().get(0).kind())
        .isEqualTo(CorruptionKind.INCOMPLETE_GROUP);
    // Cut at the group's end, nothing is missing.
    try (DataWal w = DataWal.open(copy(t.dir(), "whole"))) {
      assertThat(state(w, t.keys()))
          .containsExactlyEntriesOf(
              new TreeMap<>(Map.of("k1", "new-k1", "k3", "back", "k4", "fresh")));
      assertThat(w.recoveryReport().damageFound()).isFalse();
    }
  }

  @Test
  void zeroFillOrGarbageOverPartOfAGroupRecoversTheStateBeforeIt() {
    Template t = template();
    Random random = new Random(SEED);
    int length = (int) (t.groupEnd() - t.groupStart());
    for (int i = 0; i < 60; i++) {
      int from = (int) t.groupStart() + (i < 6 ? boundary(t, i) : random.nextInt(length));
      int mode = i % 4;
      byte[] damaged = Arrays.copyOf(t.bytes(), from);
      byte[] fill =
          switch (mode) {
            case 0, 1 -> new byte[mode == 0 ? t.bytes().length - from : 1 + random.nextInt(5000)];
            default -> new byte[mode == 2 ? t.bytes().length - from : 1 + random.nextInt(5000)];
          };
      if (mode >= 2) {
        random.nextBytes(fill);
      }
      String what =
          String.format(
              "seed %d, case %d: %s of %d bytes from offset %d",
              SEED, i, mode < 2 ? "zeros" : "garbage", fill.length, from);
      Path d = copy(t.dir(), "fill-" + i);
      TestFiles.write(segment(d, 1), concat(damaged, fill));
      recoversTheStateBefore(t, d, what);
    }
  }

  /**
   * The offset in the group of its {@code i}th frame boundary: the marker's start, each member's.
   */
  private static int boundary(Template t, int i) {
    if (i == 0) {
      return 0;
    }
    int member = Math.min(i - 1, t.members().size() - 1);
    return (int) (t.members().get(member).offset() - t.groupStart());
  }

  @Test
  void aDamagedLastMemberDropsTheGroupAsATornTail() {
    Template t = template();
    Path d = copy(t.dir(), "s");
    RecordRef last = t.members().get(t.members().size() - 1);
    flipByte(segment(d, 1), end(last) - 5); // in its payload
    recoversTheStateBefore(t, d, "a damaged last member");
    Path again = copy(t.dir(), "again");
    flipByte(segment(again, 1), end(last) - 5);
    assertThat(RecordLogReader.open(again).report().damage())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.INCOMPLETE_GROUP);
              assertThat(e.bytes()).isEqualTo(t.groupEnd() - t.groupStart());
            });
  }

  @Test
  void aDamagedMemberThatValidMembersFollowIsMidStreamCorruption() {
    Template t = template();
    Path d = copy(t.dir(), "s");
    RecordRef second = t.members().get(1);
    flipByte(segment(d, 1), end(second) - 5);
    Map<String, String> before = bytesOf(d);
    for (ThrowingCallable open :
        List.<ThrowingCallable>of(
            () -> DataWal.open(d).close(), () -> RecordLogReader.open(d).scan())) {
      assertThatThrownBy(open)
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(CorruptionKind.INCOMPLETE_GROUP);
                assertThat(e.segment()).isEqualTo(1);
                assertThat(e.offset()).isEqualTo(t.groupStart());
              })
          .hasMessageContaining("at offset " + second.offset())
          .hasMessageContaining("a valid frame follows at offset " + end(second))
          .hasMessageContaining("mid-stream corruption");
    }
    assertThat(bytesOf(d)).as("nothing changed").isEqualTo(before);
  }

  // --- what no crash leaves: hard errors ------------------------------------------------------

  /** A frame as bytes, with the txid given. */
  private static byte[] frame(RecordType type, long txid, byte[] key, byte[] payload) {
    ByteBuffer buf = FrameFormat.encode(type, txid, key, payload);
    return Arrays.copyOfRange(buf.array(), 0, buf.limit());
  }

  private static byte[] marker(long txid, long members, long length) {
    return frame(RecordType.DELETE, txid, new GroupMarker(members, length).key(), new byte[0]);
  }

  @Test
  void anIncompleteGroupInASealedSegmentIsAHardErrorNamingItsSegmentAndOffset() throws IOException {
    Path d = Files.createDirectories(tmp.resolve("s"));
    byte[] a = frame(RecordType.RAW, 1, new byte[0], utf8("a"));
    byte[] m1 = frame(RecordType.PUT, 3, utf8("k1"), utf8("v1"));
    byte[] m2 = frame(RecordType.PUT, 4, utf8("k2"), utf8("v2"));
    long length = m1.length + m2.length + 30L; // a third member of 30 bytes never made it
    TestFiles.write(segment(d, 1), concat(a, marker(2, 3, length), m1, m2));
    TestFiles.write(segment(d, 2), frame(RecordType.RAW, 5, new byte[0], utf8("b")));
    int segment1 = read(segment(d, 1)).length;
    Map<String, String> before = bytesOf(d);
    for (ThrowingCallable open :
        List.<ThrowingCallable>of(
            () -> RecordLog.open(d).close(),
            () -> DataWal.open(d).close(),
            () -> RecordLogReader.open(d).scan())) {
      assertThatThrownBy(open)
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(CorruptionKind.INCOMPLETE_GROUP);
                assertThat(e.segment()).isEqualTo(1);
                assertThat(e.offset()).isEqualTo(a.length);
                assertThat(e.file()).isEqualTo(segment(d, 1));
              })
          .hasMessageContaining("incomplete record group in sealed segment 1 at offset " + a.length)
          .hasMessageContaining("declares 3 members in " + length + " bytes")
          .hasMessageContaining("ends after 2 of them");
    }
    assertThat(bytesOf(d)).as("nothing changed").isEqualTo(before);
    try (SegmentWalker walker = SegmentWalker.open(d, 1, false)) {
      assertThat(walker.next()).isInstanceOf(SegmentWalker.Frame.class);
      assertThat(walker.next())
          .isInstanceOfSatisfying(
              SegmentWalker.Damage.class,
              damage -> {
                assertThat(damage.kind()).isEqualTo(CorruptionKind.INCOMPLETE_GROUP);
                assertThat(damage.offset()).isEqualTo(a.length);
                assertThat(damage.end()).isEqualTo(segment1);
                assertThat(damage.tornTail(false)).isFalse();
                assertThat(damage.tornTail(true)).isTrue();
              });
      assertThat(walker.next()).isNull();
    }
  }

  @Test
  void aMarkerThatDisagreesWithTheFramesAfterItIsAHardError() {
    Template t = template();
    long count = t.members().size();
    long length = t.groupEnd() - t.groupStart() - GroupMarker.FRAME_LENGTH;
    int at = (int) t.groupStart();
    List<byte[]> edits =
        List.of(
            new GroupMarker(count - 1, length).key(),
            new GroupMarker(count + 1, length).key(),
            new GroupMarker(count, length + 1).key(),
            new GroupMarker(count, length - 1).key());
    for (int i = 0; i < edits.size(); i++) {
      Path d = copy(t.dir(), "edit-" + i);
      byte[] bytes = read(segment(d, 1));
      System.arraycopy(
          edits.get(i), 0, bytes, at + FrameFormat.HEADER_SIZE, GroupMarker.KEY_LENGTH);
      fixCrc(bytes, at, GroupMarker.FRAME_LENGTH);
      TestFiles.write(segment(d, 1), bytes);
      assertMismatch(d, at, "edit " + i);
    }
    // A member whose txid is not the next one, its CRC fixed.
    Path d = copy(t.dir(), "txid");
    byte[] bytes = read(segment(d, 1));
    RecordRef second = t.members().get(1);
    ByteBuffer.wrap(bytes)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong((int) second.offset() + FrameFormat.TXID_OFFSET, second.txid() + 1);
    fixCrc(bytes, (int) second.offset(), second.length());
    TestFiles.write(segment(d, 1), bytes);
    assertMismatch(d, at, "a member's txid");
  }

  private void assertMismatch(Path d, long at, String what) {
    Map<String, String> before = bytesOf(d);
    for (ThrowingCallable open :
        List.<ThrowingCallable>of(
            () -> DataWal.open(d).close(), () -> RecordLogReader.open(d).report())) {
      assertThatThrownBy(open)
          .as(what)
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> {
                assertThat(e.kind()).as(what).isEqualTo(CorruptionKind.GROUP_MISMATCH);
                assertThat(e.segment()).isEqualTo(1);
                assertThat(e.offset()).isEqualTo(at);
              })
          .hasMessageContaining("record group mismatch in segment 1 at offset " + at);
    }
    assertThat(bytesOf(d)).as(what + ": nothing changed").isEqualTo(before);
  }

  @Test
  void aVerificationFindsABrokenGroupInASealedSegmentThatAnOpenFromTheSnapshotDidNotRead() {
    Path d = tmp.resolve("s");
    DatawalOptions options =
        DatawalOptions.builder().maxSegmentSize(64 * 1024).verifyAfterOpen(false).build();
    List<RecordRef> group;
    try (DataWal w = DataWal.open(d, options)) {
      group = w.writeAtomically(List.of(put("a", "1"), put("b", "2"), put("c", "3")));
      for (int i = 0; i < 100; i++) {
        w.put(utf8("filler-" + i), new byte[100]); // the group lies before the last 4 KiB
      }
      w.log().rotate();
      w.put(utf8("d"), utf8("4"));
    }
    int at = (int) (group.get(0).offset() - GroupMarker.FRAME_LENGTH);
    byte[] bytes = read(segment(d, 1));
    byte[] edited = new GroupMarker(2, end(group.get(2)) - group.get(0).offset()).key();
    System.arraycopy(edited, 0, bytes, at + FrameFormat.HEADER_SIZE, GroupMarker.KEY_LENGTH);
    fixCrc(bytes, at, GroupMarker.FRAME_LENGTH);
    TestFiles.write(segment(d, 1), bytes);
    try (DataWal w = DataWal.open(d, options)) {
      assertThat(w.recoveryReport().snapshotUsed()).isTrue();
      assertThat(w.verify().problems())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.kind()).isEqualTo(CorruptionKind.GROUP_MISMATCH);
                assertThat(p.segment()).isEqualTo(1);
                assertThat(p.offset()).isEqualTo(at);
                assertThat(p.message()).contains("declares 2 members");
              });
    }
    assertThatThrownBy(() -> DataWal.open(d, options).close())
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> assertThat(e.kind()).isEqualTo(CorruptionKind.GROUP_MISMATCH));
  }

  @Test
  void aRepairQuarantinesAGroupCutShortWholeAndAMarkerThatDisagreesAlone() throws IOException {
    // Sealed segment 1: Put a, then a group of three Puts whose last member never made it.
    Path cut = Files.createDirectories(tmp.resolve("cut"));
    byte[] a = frame(RecordType.PUT, 1, utf8("a"), utf8("1"));
    byte[] m1 = frame(RecordType.PUT, 3, utf8("b"), utf8("2"));
    byte[] m2 = frame(RecordType.PUT, 4, utf8("c"), utf8("3"));
    TestFiles.write(segment(cut, 1), concat(a, marker(2, 3, m1.length + m2.length + 30L), m1, m2));
    TestFiles.write(segment(cut, 2), frame(RecordType.PUT, 5, utf8("d"), utf8("4")));
    try (dev.datawal.tools.StoreRepair repair = dev.datawal.tools.StoreRepair.lock(cut)) {
      repair.apply(repair.plan());
    }
    try (DataWal w = DataWal.open(cut)) {
      assertThat(state(w, Set.of("a", "b", "c", "d")))
          .isEqualTo(new TreeMap<>(Map.of("a", "1", "d", "4"))); // none of the group
    }
    assertThat(read(cut.resolve("00000001.dwal.quarantine-at-" + a.length)))
        .hasSize(GroupMarker.FRAME_LENGTH + m1.length + m2.length);

    // The same group whole, but its marker says two members: its frames stay as plain records.
    Path mismatch = Files.createDirectories(tmp.resolve("mismatch"));
    byte[] m3 = frame(RecordType.PUT, 5, utf8("e"), utf8("5"));
    long length = m1.length + m2.length + m3.length;
    TestFiles.write(segment(mismatch, 1), concat(a, marker(2, 2, length), m1, m2, m3));
    assertThatThrownBy(() -> RecordLogReader.open(mismatch).scan())
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> assertThat(e.kind()).isEqualTo(CorruptionKind.GROUP_MISMATCH));
    try (dev.datawal.tools.StoreRepair repair = dev.datawal.tools.StoreRepair.lock(mismatch)) {
      repair.apply(repair.plan());
    }
    try (DataWal w = DataWal.open(mismatch)) {
      assertThat(state(w, Set.of("a", "b", "c", "e")))
          .isEqualTo(new TreeMap<>(Map.of("a", "1", "b", "2", "c", "3", "e", "5")));
    }
    assertThat(read(mismatch.resolve("00000001.dwal.quarantine-at-" + a.length)))
        .hasSize(GroupMarker.FRAME_LENGTH);
  }

  // --- reserved keys ---------------------------------------------------------------------------

  @Test
  void keysWithTheReservedPrefixAreRejectedBeforeAnythingIsWritten() {
    byte[] reserved = concat(GroupMarker.prefixBytes(), utf8("x"));
    byte[] prefixOnly = GroupMarker.prefixBytes();
    Path d = tmp.resolve("s");
    try (DataWal w = DataWal.open(d)) {
      w.put(utf8("ok"), utf8("1"));
      long bytes = w.log().diskBytes();
      List<ThrowingCallable> writes =
          List.of(
              () -> w.put(reserved, utf8("v")),
              () -> w.put(prefixOnly, utf8("v")),
              () -> w.delete(reserved),
              () -> w.writeBatch(List.of(put("fine", "1"), Entry.put(reserved, utf8("v")))),
              () -> w.writeAtomically(List.of(put("fine", "1"), Entry.delete(reserved))),
              () ->
                  w.writeAtomically(
                      List.of(
                          Entry.raw(utf8("r")), new Entry(RecordType.RAW, reserved, utf8("p")))),
              () -> w.log().appendRecord(RecordType.RAW, reserved, utf8("p")),
              () -> w.log().appendBatch(List.of(Entry.raw(utf8("r")), Entry.delete(prefixOnly))),
              () -> w.log().appendAtomically(List.of(Entry.delete(reserved))),
              () -> w.log().appendRecordAsync(RecordType.PUT, reserved, utf8("v")));
      for (int i = 0; i < writes.size(); i++) {
        assertThatThrownBy(writes.get(i))
            .as("write %d", i)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("0x00 \"datawal.group\" 0x00")
            .hasMessageContaining("reserved");
        assertThat(w.log().diskBytes()).as("write %d", i).isEqualTo(bytes);
        assertThat(w.log().lastTxid()).as("write %d", i).isEqualTo(1);
      }
      assertThat(w.log().isPoisoned()).isFalse();
      // Keys that only resemble the prefix are ordinary keys.
      w.put(utf8("datawal.group"), utf8("2"));
      w.put(Arrays.copyOf(prefixOnly, prefixOnly.length - 1), utf8("3"));
      w.put(concat(utf8("x"), prefixOnly), utf8("4"));
    }
    try (DataWal w = DataWal.open(d)) {
      assertThat(w.size()).isEqualTo(4);
      assertThat(w.get(utf8("fine"))).isEmpty();
      assertThat(w.log().scan()).hasSize(4);
    }
  }

  // --- no reader sees part of a group ---------------------------------------------------------

  @Test
  void noReaderSeesAGroupWhileItIsHalfWritten() throws IOException {
    Path d = tmp.resolve("s");
    RecordingFileIo io = new RecordingFileIo();
    byte[] big = new byte[700 * 1024]; // two of them exceed one write buffer: two writes
    List<String> seen = new ArrayList<>();
    try (DataWal w = DataWal.open(d, SMALL, io);
        LogFollower written = w.log().follow(1, true);
        LogFollower durable = w.log().follow(1)) {
      w.put(utf8("k1"), utf8("old"));
      io.beforeNth(
          "write 00000002.dwal",
          2,
          () -> {
            // Segment 2 now holds the marker and the first member; the second is next.
            assertThat(read(segment(d, 2))).hasSize(GroupMarker.FRAME_LENGTH + 28 + 2 + big.length);
            seen.addAll(keysOf(w.log().scan()));
            seen.addAll(keysOf(drain(written)));
            seen.addAll(keysOf(drain(durable)));
            seen.addAll(keysOf(RecordLogReader.open(d).scan()));
            assertThat(RecordLogReader.open(d).report().damage())
                .singleElement()
                .satisfies(e -> assertThat(e.kind()).isEqualTo(CorruptionKind.INCOMPLETE_GROUP));
            assertThat(w.get(utf8("k1")))
                .hasValueSatisfying(v -> assertThat(str(v)).isEqualTo("old"));
            assertThat(w.get(utf8("k2"))).isEmpty();
          });
      w.writeAtomically(List.of(Entry.put(utf8("k1"), big), Entry.put(utf8("k2"), big)));
      assertThat(io.count("write 00000002.dwal")).isEqualTo(2);
      assertThat(seen).containsOnly("k1"); // the Put before the group, never a member
      assertThat(keysOf(drain(written))).containsExactly("k1", "k2");
      assertThat(keysOf(drain(durable))).containsExactly("k1", "k2");
      assertThat(keysOf(w.log().scan())).containsExactly("k1", "k1", "k2");
    }
  }

  @Test
  void aGroupWhoseWriteFailsPartWayIsNeverSeenAndIsDroppedAtTheNextOpen()
      throws InterruptedException {
    Path d = tmp.resolve("s");
    RecordingFileIo io = new RecordingFileIo();
    byte[] big = new byte[700 * 1024];
    try (DataWal w = DataWal.open(d, SMALL, io);
        LogFollower written = w.log().follow(1, true)) {
      w.put(utf8("k1"), utf8("old"));
      io.failNth("write 00000002.dwal", 2, "injected: disk gone");
      assertThatThrownBy(
              () ->
                  w.writeAtomically(
                      List.of(Entry.put(utf8("k1"), big), Entry.put(utf8("k2"), big))))
          .isInstanceOf(WriterPoisonedException.class);
      assertThat(read(segment(d, 2))).hasSize(GroupMarker.FRAME_LENGTH + 28 + 2 + big.length);
      assertThat(keysOf(w.log().scan())).containsExactly("k1");
      assertThat(keysOf(drain(written))).containsExactly("k1");
      assertThat(w.get(utf8("k1"))).hasValueSatisfying(v -> assertThat(str(v)).isEqualTo("old"));
      assertThat(w.get(utf8("k2"))).isEmpty();
    }
    try (DataWal w = DataWal.open(d, SMALL)) {
      assertThat(w.get(utf8("k1"))).hasValueSatisfying(v -> assertThat(str(v)).isEqualTo("old"));
      assertThat(w.get(utf8("k2"))).isEmpty();
      assertThat(w.recoveryReport().damage())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.kind()).isEqualTo(CorruptionKind.INCOMPLETE_GROUP);
                assertThat(e.segment()).isEqualTo(2);
                assertThat(e.offset()).isZero();
              });
      assertThat(w.put(utf8("k2"), utf8("new")).segment()).isEqualTo(2);
    }
  }

  private static List<Record> drain(LogFollower follower) {
    List<Record> records = new ArrayList<>();
    try {
      for (Record r = follower.poll(Duration.ZERO); r != null; r = follower.poll(Duration.ZERO)) {
        records.add(r);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return records;
  }

  private static List<String> keysOf(List<Record> records) {
    return records.stream().map(r -> str(r.key())).toList();
  }

  // --- compaction, retention, and batches -----------------------------------------------------

  @Test
  void compactionDropsGroupMarkersAndKeepsTheState() {
    Path d = tmp.resolve("s");
    DatawalOptions options = DatawalOptions.builder().maxSegmentSize(600).build();
    Map<String, String> model = new TreeMap<>();
    Set<String> keys = new LinkedHashSet<>();
    try (DataWal w = DataWal.open(d, options)) {
      // First segments holding nothing but live Puts and a marker: compaction rewrites them only
      // to drop the markers.
      for (int i = 0; i < 3; i++) {
        List<Entry> group = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
          String k = "unique-" + i + "-" + j;
          group.add(put(k, "x".repeat(120)));
          model.put(k, "x".repeat(120));
          keys.add(k);
        }
        w.writeAtomically(group);
      }
      assertThat(w.log().activeSegment()).isEqualTo(3);
      for (int i = 0; i < 30; i++) {
        List<Entry> group = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
          String k = "k" + ((i * 3 + j) % 7);
          group.add(put(k, "v" + i + "-" + j));
          model.put(k, "v" + i + "-" + j);
          keys.add(k);
        }
        if (i % 4 == 1) {
          String k = "k" + (i % 7);
          group.add(del(k));
          model.remove(k);
        }
        w.writeAtomically(group);
      }
      assertThat(markers(d)).isPositive();
      w.compact();
      assertThat(state(w, keys)).isEqualTo(model);
      assertThat(markersInSealedSegments(w)).isZero();
      assertThat(w.verify().problems()).isEmpty();
    }
    try (DataWal w = DataWal.open(d, options)) {
      assertThat(state(w, keys)).isEqualTo(model);
      w.compact();
      assertThat(state(w, keys)).isEqualTo(model);
    }
    try (DataWal w = DataWal.open(d, options.toBuilder().verifyAfterOpen(false).build())) {
      assertThat(state(w, keys)).isEqualTo(model);
      assertThat(w.recoveryReport().damageFound()).isFalse();
    }
  }

  /** The group markers in every segment of the store. */
  private static long markers(Path d) {
    long markers = 0;
    for (long id : RecordLogReader.open(d).segments()) {
      markers += markersIn(d, id);
    }
    return markers;
  }

  private static long markersInSealedSegments(DataWal w) {
    long markers = 0;
    for (long id : w.log().segmentSizes().keySet()) {
      if (id != w.log().activeSegment()) {
        markers += markersIn(w.log().dir(), id);
      }
    }
    return markers;
  }

  private static long markersIn(Path d, long id) {
    long markers = 0;
    try (SegmentWalker walker = SegmentWalker.open(d, id, false)) {
      for (SegmentWalker.Item item = walker.next(); item != null; item = walker.next()) {
        if (item instanceof SegmentWalker.Frame f && f.isGroupMarker()) {
          assertThat(f.groupMembers()).isPresent();
          markers++;
        }
      }
    }
    return markers;
  }

  @Test
  void retentionDeletesWholeGroupsOnly() {
    Path d = tmp.resolve("s");
    DatawalOptions options =
        DatawalOptions.builder().maxSegmentSize(300).retentionMaxBytes(1000).build();
    try (RecordLog log = RecordLog.open(d, options)) {
      for (int i = 0; i < 40; i++) {
        log.appendAtomically(
            List.of(
                Entry.raw(utf8(i + "-a")), Entry.raw(utf8(i + "-b")), Entry.raw(utf8(i + "-c"))));
      }
      RetentionStats stats = log.applyRetention();
      assertThat(stats.segmentsDeleted()).isPositive();
      assertWholeGroupsOfASuffix(log.scan());
    }
    try (RecordLog log = RecordLog.open(d, options)) {
      assertWholeGroupsOfASuffix(log.scan());
      assertThat(log.recoveryReport().damageFound()).isFalse();
    }
  }

  private static void assertWholeGroupsOfASuffix(List<Record> records) {
    List<String> payloads = payloads(records);
    assertThat(payloads).hasSizeGreaterThan(0);
    assertThat(payloads.size() % 3).isZero();
    int first = Integer.parseInt(payloads.get(0).split("-")[0]);
    List<String> expected = new ArrayList<>();
    for (int i = first; i < 40; i++) {
      expected.addAll(List.of(i + "-a", i + "-b", i + "-c"));
    }
    assertThat(payloads).containsExactlyElementsOf(expected);
  }

  @Test
  void aBatchIsUnchangedNoMarkerAndACrashMayKeepAnyPrefixOfIt() {
    Path d = tmp.resolve("s");
    RecordLog log = RecordLog.open(d);
    RecordRef a = log.append(utf8("a"));
    List<RecordRef> batch =
        log.appendBatch(List.of(Entry.raw(utf8("x")), Entry.raw(utf8("y")), Entry.raw(utf8("z"))));
    assertThat(batch).extracting(RecordRef::txid).containsExactly(2L, 3L, 4L);
    assertThat(batch.get(0).offset()).isEqualTo(end(a));
    log.fsync();
    TestFiles.closeAsIfKilled(log, d);
    TestFiles.truncate(segment(d, 1), end(batch.get(2)) - 1);
    try (RecordLog reopened = RecordLog.open(d)) {
      assertThat(payloads(reopened.scan())).containsExactly("a", "x", "y");
      assertThat(reopened.recoveryReport().damage().get(0).kind())
          .isEqualTo(CorruptionKind.TRUNCATED);
    }
  }

  // --- random writes, cut anywhere ------------------------------------------------------------

  /** One call: its records and where they went; a group's survive together. */
  private record Written(List<Entry> entries, List<RecordRef> refs, boolean atomic) {}

  @Test
  void randomWritesCutAnywhereKeepEachGroupWholeOrNotAtAll() {
    for (int store = 0; store < 12; store++) {
      Random random = new Random(TestSeed.derive(SEED, 1, store));
      String what = "seed " + SEED + ", store " + store;
      Path dir = tmp.resolve("random-" + store);
      List<Written> log = new ArrayList<>();
      Set<String> keys = new LinkedHashSet<>();
      DataWal w = DataWal.open(dir, DatawalOptions.builder().maxSegmentSize(2048).build());
      for (int op = 0; op < 40; op++) {
        int n = 1 + random.nextInt(4);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String k = "k" + random.nextInt(8);
          keys.add(k);
          entries.add(
              random.nextInt(4) == 0
                  ? del(k)
                  : put(k, "v" + op + "." + i + "." + "x".repeat(random.nextInt(60))));
        }
        int kind = random.nextInt(3);
        List<RecordRef> refs =
            switch (kind) {
              case 0 -> w.writeAtomically(entries);
              case 1 -> w.writeBatch(entries);
              default -> entries.stream().map(e -> single(w, e)).toList();
            };
        log.add(new Written(entries, refs, kind == 0));
      }
      long last = w.log().activeSegment();
      w.fsync();
      TestFiles.closeAsIfKilled(w, dir);
      long size = read(segment(dir, last)).length;
      for (int c = 0; c < 8; c++) {
        long cut = c == 0 ? size : random.nextLong(size);
        Path d = copy(dir, "random-" + store + "-cut-" + c);
        TestFiles.truncate(segment(d, last), cut);
        Map<String, String> expected = survivors(log, last, cut);
        try (DataWal reopened = DataWal.open(d)) {
          assertThat(state(reopened, keys)).as("%s, cut at %d", what, cut).isEqualTo(expected);
        }
      }
    }
  }

  /** Writes one entry alone; through the log, a Delete still goes to the store's directory. */
  private static RecordRef single(DataWal w, Entry e) {
    return e.type() == RecordType.PUT
        ? w.put(e.key(), e.payload())
        : w.log().appendRecord(e.type(), e.key(), e.payload());
  }

  /** The state of the writes that survive segment {@code last} cut at {@code cut}: a prefix. */
  private static Map<String, String> survivors(List<Written> log, long last, long cut) {
    Map<String, String> state = new TreeMap<>();
    for (Written written : log) {
      int kept = 0;
      for (RecordRef ref : written.refs()) {
        if (ref.segment() < last || end(ref) <= cut) {
          kept++;
        }
      }
      if (written.atomic() && kept < written.refs().size()) {
        kept = 0;
      }
      for (int i = 0; i < kept; i++) {
        Entry e = written.entries().get(i);
        if (e.type() == RecordType.PUT) {
          state.put(str(e.key()), str(e.payload()));
        } else {
          state.remove(str(e.key()));
        }
      }
      if (kept < written.refs().size()) {
        break;
      }
    }
    return state;
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  private static byte[] le64(long value) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
  }

  private static void flipByte(Path file, long offset) {
    byte[] bytes = read(file);
    bytes[(int) offset] ^= (byte) 0xFF;
    TestFiles.write(file, bytes);
  }

  /** Sets the CRC of the frame of {@code length} bytes at {@code at} to match its bytes. */
  private static void fixCrc(byte[] bytes, int at, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, at, length - FrameFormat.CRC_SIZE);
    ByteBuffer.wrap(bytes)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(at + length - FrameFormat.CRC_SIZE, (int) crc.getValue());
  }
}
