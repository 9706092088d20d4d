package dev.datawal;

import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.internal.format.FrameFormat;
import dev.datawal.testing.TestSeed;
import dev.datawal.tools.StoreRepair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to whole segment files, as an adversary makes it: every frame left passes its CRC, yet
 * durable data is gone. Each class of damage must end in a typed {@link CorruptStoreException} that
 * names what is gone, with every file left exactly as it was; never in an open with a wrong or
 * missing value. Then {@code StoreRepair} accepts the loss, and the keys it names as lost, set back
 * or come back are exactly those the model says.
 *
 * <p>The store: 4,000 puts and deletes over 400 keys (the second half over 100 of them, so that
 * every segment holds some key's latest value), each with a value of its own, in about ten
 * segments, closed cleanly (so it has a manifest and a key-directory snapshot). Seeded; the seed is
 * printed.
 */
class StoreIntegrityTests {
  private static final long SEED = TestSeed.of(StoreIntegrityTests.class, "datawal.test.seed");
  private static final int KEYS = 400;
  private static final int WRITES = 4_000;

  @TempDir Path tmp;
  private Path dir;
  private Map<String, String> model;

  @BeforeEach
  void buildStore() {
    dir = tmp.resolve("store");
    model = new TreeMap<>();
    SplittableRandom r = new SplittableRandom(SEED);
    try (DataWal store = DataWal.open(dir, options())) {
      for (int i = 0; i < WRITES; i++) {
        // Later writes touch only a quarter of the keys, so every segment holds latest values.
        String key = "key-" + r.nextInt(i < WRITES / 2 ? KEYS : KEYS / 4);
        if (r.nextInt(8) == 0) {
          store.delete(utf8(key));
          model.remove(key);
        } else {
          String value = "value-" + i + "-" + Long.toHexString(r.nextLong());
          store.put(utf8(key), utf8(value));
          model.put(key, value);
        }
      }
    }
    assertThat(segments()).as("seed %d", SEED).hasSizeBetween(8, 14);
  }

  private static DatawalOptions options() {
    return DatawalOptions.builder()
        .fsyncPolicy(FsyncPolicy.MANUAL)
        .maxSegmentSize(20_000)
        .verifyAfterOpen(false) // the tests call verify() themselves
        .build();
  }

  private List<Long> segments() {
    List<Long> ids = new ArrayList<>();
    for (String name : TestFiles.names(dir)) {
      if (name.matches("\\d{8}\\.dwal")) {
        ids.add(Long.parseLong(name.substring(0, 8)));
      }
    }
    return ids;
  }

  /** The open fails with {@code kind} naming {@code segment}, and changes no file. */
  private CorruptStoreException assertRefused(CorruptionKind kind, long segment) {
    Map<String, String> before = TestFiles.snapshot(dir);
    CorruptStoreException e =
        (CorruptStoreException)
            org.assertj.core.api.Assertions.catchThrowable(() -> DataWal.open(dir, options()));
    assertThat(e).as("seed %d: the open of a store that lost data", SEED).isNotNull();
    assertThat(e.kind()).as("seed %d: %s", SEED, e.getMessage()).isEqualTo(kind);
    assertThat(e.segment()).as("seed %d: %s", SEED, e.getMessage()).isEqualTo(segment);
    assertThat(TestFiles.snapshot(dir)).as("the files after the refused open").isEqualTo(before);
    // The reader (and so the CLI) says the same; a reference-style store without the snapshot too.
    assertThatThrownBy(() -> RecordLogReader.open(dir).report())
        .isInstanceOfSatisfying(
            CorruptStoreException.class, r -> assertThat(r.kind()).isEqualTo(kind));
    return e;
  }

  /**
   * Repairs the store and checks, key by key, that it now holds what its remaining records say, and
   * that the repair named exactly the keys whose state differs from the model.
   */
  private void repairAndCompareWithTheModel() {
    StoreRepair.Result result;
    try (StoreRepair repair = StoreRepair.lock(dir)) {
      StoreRepair.Plan plan = repair.plan();
      assertThat(plan.needed()).isTrue();
      result = repair.apply(plan);
    }
    StoreRepair.KeyChanges keys = result.plan().keys();
    assertThat(keys.evidence()).as("the snapshot is the evidence").isNotNull();
    Map<String, String> after = new TreeMap<>();
    long txidBefore = result.plan().txidFloor();
    try (DataWal store = DataWal.open(dir, options())) {
      store.forEach((k, v) -> after.put(str(k), str(v)));
      assertThat(store.recoveryReport().damageFound()).isFalse();
      assertThat(store.put(utf8("after-repair"), utf8("x")).txid())
          .as("no txid is handed out twice")
          .isGreaterThan(txidBefore);
    }
    TreeSet<String> lost = new TreeSet<>();
    TreeSet<String> changed = new TreeSet<>();
    TreeSet<String> back = new TreeSet<>();
    for (Map.Entry<String, String> e : model.entrySet()) {
      String now = after.get(e.getKey());
      if (now == null) {
        lost.add(e.getKey());
      } else if (!now.equals(e.getValue())) {
        changed.add(e.getKey());
      }
    }
    for (String k : after.keySet()) {
      if (!model.containsKey(k)) {
        back.add(k);
      }
    }
    assertThat(strings(keys.lost())).as("lost keys, seed %d", SEED).isEqualTo(lost);
    assertThat(strings(keys.reverted())).as("reverted keys, seed %d", SEED).isEqualTo(changed);
    assertThat(strings(keys.cameBack())).as("keys come back, seed %d", SEED).isEqualTo(back);
    assertThat(lost.size() + changed.size() + back.size())
        .as("the damage must have changed some key")
        .isPositive();
  }

  private static TreeSet<String> strings(List<byte[]> keys) {
    TreeSet<String> s = new TreeSet<>();
    keys.forEach(k -> s.add(str(k)));
    return s;
  }

  private void copy(Path from, Path to) {
    try {
      Files.copy(from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void move(Path from, Path to) {
    try {
      Files.move(from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A sealed segment (not the first) that holds the latest value of the most keys, so that damage
   * to it changes keys.
   */
  private long middle() {
    Map<Long, Integer> latest = new TreeMap<>();
    try (DataWal store = DataWal.open(dir, options())) {
      long active = store.log().activeSegment();
      for (String k : model.keySet()) {
        long segment = store.refOf(utf8(k)).orElseThrow().segment();
        if (segment < active && segment > segments().get(0)) {
          latest.merge(segment, 1, Integer::sum);
        }
      }
    }
    return latest.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  /**
   * Changes one byte of the value of the first Put with a value in sealed segment {@code id} that
   * lies before the segment's last 4 KiB, and gives the frame its new CRC: a frame that passes
   * every check but holds another value.
   */
  private void editAValueAndFixItsCrc(long id) {
    Path file = segment(dir, id);
    byte[] bytes = TestFiles.read(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int at = 0;
    while (true) {
      int keyLen = b.getInt(at + 16);
      int payloadLen = b.getInt(at + 20);
      int length = FrameFormat.frameLength(keyLen, payloadLen);
      assertThat(at + length).as("a value before the last 4 KiB").isLessThan(bytes.length - 4096);
      if (payloadLen > 0) {
        bytes[at + 24 + keyLen] ^= 0x01;
        CRC32C crc = new CRC32C();
        crc.update(bytes, at, length - 4);
        b.putInt(at + length - 4, (int) crc.getValue());
        TestFiles.write(file, bytes);
        return;
      }
      at += length;
    }
  }

  /** The offset of every frame boundary in a segment. */
  private static List<Long> frameEnds(Path file) {
    byte[] bytes = TestFiles.read(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    List<Long> ends = new ArrayList<>();
    long at = 0;
    while (at + FrameFormat.HEADER_SIZE <= bytes.length) {
      at += FrameFormat.frameLength(b.getInt((int) at + 16), b.getInt((int) at + 20));
      ends.add(at);
    }
    return ends;
  }

  @Test
  void aSealedSegmentCopiedUnderAHigherIdIsRefusedForItsTxids() {
    List<Long> ids = segments();
    long last = ids.get(ids.size() - 1);
    copy(segment(dir, ids.get(2)), segment(dir, last + 1)); // a new last segment
    CorruptStoreException e = assertRefused(CorruptionKind.TXID_ORDER, last + 1);
    assertThat(e).hasMessageContaining("txids only go up");
    repairAndCompareWithTheModelOrNoKeyChanged();
  }

  /** A copied segment adds nothing new: after the repair quarantines it, no key changed. */
  private void repairAndCompareWithTheModelOrNoKeyChanged() {
    StoreRepair.Result result;
    try (StoreRepair repair = StoreRepair.lock(dir)) {
      result = repair.apply(repair.plan());
    }
    assertThat(result.plan().keys().any()).isFalse();
    Map<String, String> after = new TreeMap<>();
    try (DataWal store = DataWal.open(dir, options())) {
      store.forEach((k, v) -> after.put(str(k), str(v)));
    }
    assertThat(after).as("seed %d", SEED).isEqualTo(model);
  }

  @Test
  void twoSealedSegmentsSwappedAreRefusedNamingWhatEachHolds() {
    List<Long> ids = segments();
    long a = ids.get(1);
    long b = ids.get(4);
    Path spare = dir.resolve("spare");
    move(segment(dir, a), spare);
    move(segment(dir, b), segment(dir, a));
    move(spare, segment(dir, b));
    Map<String, String> before = TestFiles.snapshot(dir);
    CorruptStoreException e =
        (CorruptStoreException)
            org.assertj.core.api.Assertions.catchThrowable(() -> DataWal.open(dir, options()));
    assertThat(e.kind())
        .as("%s", e.getMessage())
        .isIn(CorruptionKind.SEGMENT_CHANGED, CorruptionKind.SEGMENT_SHORTER);
    assertThat(e.segment()).isEqualTo(a);
    assertThat(e).hasMessageContaining("records for segment " + b);
    assertThat(TestFiles.snapshot(dir)).isEqualTo(before);
    repairAndCompareWithTheModel();
  }

  /**
   * Segments of equal length pass the first shape check (names and sizes) and fail only the scan,
   * whose first complaint is the next segment's txids going backwards; the report still names the
   * swapped segment and what it holds.
   */
  @Test
  void twoSealedSegmentsOfTheSameLengthSwappedAreRefusedNamingTheFirst() {
    dir = tmp.resolve("same-length");
    try (DataWal store = DataWal.open(dir, options())) {
      for (int i = 0; i < 2_000; i++) { // every record the same size: every sealed segment too
        store.put(utf8(String.format("key-%05d", i)), utf8(String.format("value-%010d", i)));
      }
    }
    List<Long> ids = segments();
    long a = ids.get(1);
    long b = ids.get(3);
    assertThat(segment(dir, a).toFile().length()).isEqualTo(segment(dir, b).toFile().length());
    Path spare = dir.resolve("spare");
    move(segment(dir, a), spare);
    move(segment(dir, b), segment(dir, a));
    move(spare, segment(dir, b));
    CorruptStoreException e = assertRefused(CorruptionKind.SEGMENT_CHANGED, a);
    assertThat(e).hasMessageContaining("records for segment " + b);
    assertThat(e.getSuppressed()).hasSize(1); // the scan's own complaint, kept
    assertThat(e.getSuppressed()[0]).hasMessageContaining("txids out of order");
  }

  @Test
  void aSegmentMovedIntoAGapThatCompactionLeftIsRefused() {
    try (DataWal store = DataWal.open(dir, options())) {
      // Delete every key of the oldest segment's Puts, so compaction leaves nothing of it.
      List<String> keys = new ArrayList<>(model.keySet());
      for (String k : keys) {
        store.delete(utf8(k));
      }
      model.clear();
      // Two sealed segments of live keys after the old ones, which compaction deletes.
      for (int s = 0; s < 2; s++) {
        store.log().rotate();
        for (int i = 0; i < 50; i++) {
          store.put(utf8("new-" + s + "-" + i), utf8("v" + i));
        }
      }
      store.log().rotate();
      store.compact();
    }
    List<Long> ids = segments();
    long gap = -1;
    for (long id = ids.get(0) + 1; id < ids.get(ids.size() - 1); id++) {
      if (!ids.contains(id)) {
        gap = id;
        break;
      }
    }
    if (gap < 0) {
      gap = ids.get(0) - 1; // compaction deleted the first ones: a gap before what is left
    }
    assertThat(gap).as("compaction left a gap, seed %d", SEED).isPositive();
    long moved = ids.get(ids.size() - 2); // the last sealed segment
    move(segment(dir, moved), segment(dir, gap));
    CorruptStoreException e =
        (CorruptStoreException)
            org.assertj.core.api.Assertions.catchThrowable(() -> DataWal.open(dir, options()));
    assertThat(e.kind())
        .as("%s", e.getMessage())
        .isIn(CorruptionKind.SEGMENT_MISSING, CorruptionKind.SEGMENT_UNEXPECTED);
    assertThat(e.segment()).isIn(gap, moved);
  }

  @Test
  void aMiddleSegmentDeletedIsRefusedNamingItsRecords() {
    long id = middle();
    TestFiles.delete(segment(dir, id));
    CorruptStoreException e = assertRefused(CorruptionKind.SEGMENT_MISSING, id);
    assertThat(e).hasMessageContaining("records, txids ").hasMessageContaining("lost from the log");
    repairAndCompareWithTheModel();
  }

  @Test
  void aMiddleSegmentEmptiedIsRefused() {
    long id = middle();
    long size = TestFiles.read(segment(dir, id)).length;
    TestFiles.truncate(segment(dir, id), 0);
    CorruptStoreException e = assertRefused(CorruptionKind.SEGMENT_SHORTER, id);
    assertThat(e)
        .hasMessageContaining("the segment is empty")
        .hasMessageContaining(size + " bytes");
    repairAndCompareWithTheModel();
  }

  @Test
  void aMiddleSegmentCutAtAFrameBoundaryIsRefused() {
    long id = middle();
    List<Long> ends = frameEnds(segment(dir, id));
    long cut = ends.get(ends.size() / 2);
    long size = TestFiles.read(segment(dir, id)).length;
    TestFiles.truncate(segment(dir, id), cut);
    CorruptStoreException e = assertRefused(CorruptionKind.SEGMENT_SHORTER, id);
    assertThat(e.offset()).isEqualTo(cut);
    assertThat(e).hasMessageContaining((size - cut) + " bytes at its end are gone");
    repairAndCompareWithTheModel();
  }

  @Test
  void theLastSegmentCutAtAFrameBoundaryAfterACleanCloseIsRefused() {
    List<Long> ids = segments();
    long last = ids.get(ids.size() - 1);
    List<Long> ends = frameEnds(segment(dir, last));
    long cut = ends.get(Math.max(0, ends.size() - 21)); // 20 fsynced records gone
    TestFiles.truncate(segment(dir, last), cut);
    assertRefused(CorruptionKind.SEGMENT_SHORTER, last);
    repairAndCompareWithTheModel();
  }

  @Test
  void aFrameEditedWithAFixedCrcIsFoundByTheFullReadAndByVerification() {
    long id = segments().get(1);
    editAValueAndFixItsCrc(id);
    // From the snapshot the open reads none of that segment: a verification finds the edit.
    try (DataWal store = DataWal.open(dir, options())) {
      assertThat(store.recoveryReport().snapshotUsed()).isTrue();
      VerificationReport report = store.verify();
      assertThat(report.problems())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.kind()).isEqualTo(CorruptionKind.SEGMENT_CHANGED);
                assertThat(p.segment()).isEqualTo(id);
                assertThat(p.message()).contains("the frame digest differs");
              });
      assertThat(store.integrity().damaged()).isTrue();
    }
    // Recorded in the manifest: every later open refuses the store until a repair.
    CorruptStoreException e = assertRefused(CorruptionKind.SEGMENT_CHANGED, id);
    assertThat(e).hasMessageContaining("found while the store was open");
  }

  @Test
  void aFullReadFindsAFrameEditedWithAFixedCrc() {
    TestFiles.delete(dir.resolve("keydir.snapshot")); // every open reads every segment
    long id = segments().get(1);
    editAValueAndFixItsCrc(id);
    CorruptStoreException e = assertRefused(CorruptionKind.SEGMENT_CHANGED, id);
    assertThat(e).hasMessageContaining("frame digest differs");
  }

  @Test
  void aDamagedManifestIsRefusedAndRepairWritesANewOne() {
    Path manifest = dir.resolve("datawal.manifest");
    byte[] bytes = TestFiles.read(manifest);
    bytes[40] ^= 0x10;
    TestFiles.write(manifest, bytes);
    Map<String, String> before = TestFiles.snapshot(dir);
    assertThatThrownBy(() -> DataWal.open(dir, options()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> assertThat(e.kind()).isEqualTo(CorruptionKind.MANIFEST_DAMAGED))
        .hasMessageContaining("CRC mismatch")
        .hasMessageContaining("datawal repair");
    assertThat(TestFiles.snapshot(dir)).isEqualTo(before);
    try (StoreRepair repair = StoreRepair.lock(dir)) {
      StoreRepair.Plan plan = repair.plan();
      assertThat(plan.losses())
          .singleElement()
          .satisfies(l -> assertThat(l.kind()).isEqualTo(CorruptionKind.MANIFEST_DAMAGED));
      repair.apply(plan);
    }
    Map<String, String> after = new HashMap<>();
    try (DataWal store = DataWal.open(dir, options())) {
      store.forEach((k, v) -> after.put(str(k), str(v)));
    }
    assertThat(after).isEqualTo(model);
  }

  @Test
  void aStrayEmptyLastSegmentWithTheLargestIdIsRefused() {
    TestFiles.write(dir.resolve("99999999.dwal"), new byte[0]);
    assertThatThrownBy(() -> DataWal.open(dir, options()))
        .isInstanceOfSatisfying(
            CorruptStoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(CorruptionKind.SEGMENT_UNEXPECTED);
              assertThat(e.segment()).isEqualTo(99_999_999L);
            })
        .hasMessageContaining("99999999");
  }

  @Test
  void aSymlinkedSegmentIsRefusedWithAClearError() throws IOException {
    long id = middle();
    Path real = tmp.resolve("elsewhere.dwal");
    move(segment(dir, id), real);
    Files.createSymbolicLink(segment(dir, id), real);
    assertThatThrownBy(() -> DataWal.open(dir, options()))
        .isInstanceOf(DatawalException.class)
        .hasMessageContaining(segment(dir, id).getFileName().toString())
        .hasMessageContaining("symbolic link");
  }

  @Test
  void txidsNeverRepeatAfterEverySealedSegmentIsGone() {
    Path log = tmp.resolve("log");
    long last;
    DatawalOptions small =
        DatawalOptions.builder().maxSegmentSize(300).retentionMaxBytes(1).build();
    try (RecordLog writer = RecordLog.open(log, small)) {
      for (int i = 0; i < 40; i++) {
        writer.append(utf8("record " + i));
      }
      writer.rotate(); // the active segment is empty
      last = writer.lastTxid();
      assertThat(writer.applyRetention().segmentsDeleted()).isPositive();
      assertThat(writer.segmentSizes()).hasSize(1);
    }
    try (RecordLog reopened = RecordLog.open(log, small)) {
      assertThat(reopened.scan()).isEmpty();
      assertThat(reopened.append(utf8("next")).txid()).isEqualTo(last + 1);
    }
    // A key/value store whose compaction removed every sealed segment, reopened without its
    // snapshot: the manifest's floor keeps the txids going up.
    long kvLast;
    try (DataWal store = DataWal.open(dir, options())) {
      for (String k : new ArrayList<>(model.keySet())) {
        store.delete(utf8(k));
      }
      store.log().rotate();
      store.compact();
      kvLast = store.log().lastTxid();
    }
    TestFiles.delete(dir.resolve("keydir.snapshot"));
    try (DataWal store = DataWal.open(dir, options())) {
      assertThat(store.size()).isZero();
      assertThat(store.put(utf8("k"), utf8("v")).txid()).isGreaterThan(kvLast);
    }
  }

  @Test
  void aDamagedFrameFoundByAGetIsRecordedAndRefusesTheNextOpen() {
    // A key whose latest Put lies in a sealed segment, which the snapshot open does not read.
    String key = null;
    RecordRef ref = null;
    try (DataWal store = DataWal.open(dir, options())) {
      long active = store.log().activeSegment();
      for (String k : model.keySet()) {
        RecordRef r = store.refOf(utf8(k)).orElseThrow();
        long segmentSize = store.log().segmentSizes().get(r.segment());
        // In a sealed segment, before the last 4 KiB that an open compares with the manifest.
        if (r.segment() < active && r.offset() + r.length() < segmentSize - 4096) {
          key = k;
          ref = r;
          break;
        }
      }
    }
    assertThat(ref).as("a key in a sealed segment, seed %d", SEED).isNotNull();
    // Flip a byte of its value, leaving the CRC wrong.
    Path file = segment(dir, ref.segment());
    byte[] bytes = TestFiles.read(file);
    bytes[(int) ref.offset() + 24 + utf8(key).length] ^= 0x01;
    TestFiles.write(file, bytes);
    String damagedKey = key;
    try (DataWal store = DataWal.open(dir, options())) {
      assertThatThrownBy(() -> store.get(utf8(damagedKey)))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> assertThat(e.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH));
      assertThat(store.integrity().problems())
          .singleElement()
          .satisfies(p -> assertThat(p.foundBy()).isEqualTo(IntegrityProblem.FoundBy.READ));
    }
    assertRefused(CorruptionKind.CRC_MISMATCH, ref.segment());
  }
}
