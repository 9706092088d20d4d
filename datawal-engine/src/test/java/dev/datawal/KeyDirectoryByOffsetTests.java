package dev.datawal;

import static dev.datawal.TestFiles.segment;
import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference's "key directory by offset" group: the key directory holds where each live key's
 * latest Put lies, and every get re-reads that frame from disk and re-checks it. Then datawal's
 * additions: the stored key must be the key asked for, and refs point at the latest Put, also after
 * a reopen.
 */
class KeyDirectoryByOffsetTests {
  private static final int HEADER = 24;

  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("store");
  }

  // The reference's eight cases.

  @Test
  void getReadsTheValueFromDiskAfterReopen() {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("alpha"), utf8("one"));
      kv.put(utf8("beta"), utf8("two"));
    }
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(kv.openReadHandles()).isZero(); // the rebuild holds places, not values
      assertThat(kv.get(utf8("alpha")).map(TestFiles::str)).contains("one");
      assertThat(kv.get(utf8("beta")).map(TestFiles::str)).contains("two");
      assertThat(kv.get(utf8("missing"))).isEmpty();
      assertThat(kv.openReadHandles()).isEqualTo(1);
    }
  }

  @Test
  void getRevalidatesTheCrcAfterTheFileIsCorruptedUnderALiveHandle() {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("first"), utf8("stays intact"));
      RecordRef ref = kv.put(utf8("k"), utf8("some-payload-that-will-be-corrupted-on-disk"));
      assertThat(kv.get(utf8("k")).map(TestFiles::str))
          .contains("some-payload-that-will-be-corrupted-on-disk");
      assertThat(kv.openReadHandles()).isEqualTo(1); // the read handle is open now

      long payloadByte = ref.offset() + HEADER + 1 + 5;
      byte original = TestFiles.read(segment(dir(), 1))[(int) payloadByte];
      TestFiles.patch(segment(dir(), 1), payloadByte, (byte) (original ^ 0xFF));

      assertThatThrownBy(() -> kv.get(utf8("k")))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH);
                assertThat(e.segment()).isEqualTo(1);
                assertThat(e.offset()).isEqualTo(ref.offset());
                assertThat(e.file()).isEqualTo(segment(dir(), 1));
              })
          .hasMessageContaining("segment 1")
          .hasMessageContaining("offset " + ref.offset())
          .hasMessageContaining("CRC");
      assertThatThrownBy(() -> kv.refOf(utf8("k"))).isInstanceOf(CorruptStoreException.class);
      assertThat(kv.get(utf8("first")).map(TestFiles::str)).contains("stays intact");
      assertThat(kv.containsKey(utf8("k"))).isTrue(); // no I/O: the directory is unchanged

      TestFiles.patch(segment(dir(), 1), payloadByte, original);
      assertThat(kv.get(utf8("k")).map(TestFiles::str)) // the error was not cached either
          .contains("some-payload-that-will-be-corrupted-on-disk");
    }
  }

  @Test
  void refOfTracksLiveKeysAndIsEmptyAfterDelete() {
    try (DataWal kv = DataWal.open(dir())) {
      assertThat(kv.refOf(utf8("x"))).isEmpty();
      kv.put(utf8("x"), utf8("v1"));
      RecordRef ref = kv.refOf(utf8("x")).orElseThrow();
      assertThat(ref.segment()).isEqualTo(1);
      assertThat(ref.offset()).isZero();
      assertThat(ref.length()).isEqualTo(28 + 1 + 2);
      assertThat(ref.txid()).isEqualTo(1);
      kv.delete(utf8("x"));
      assertThat(kv.refOf(utf8("x"))).isEmpty();
      assertThat(kv.get(utf8("x"))).isEmpty();
    }
  }

  @Test
  void refOfAdvancesToTheLatestOverwrite() {
    try (DataWal kv = DataWal.open(dir())) {
      RecordRef first = kv.put(utf8("k"), utf8("first"));
      assertThat(kv.refOf(utf8("k"))).contains(first);
      RecordRef second = kv.put(utf8("k"), utf8("second-longer"));
      RecordRef r2 = kv.refOf(utf8("k")).orElseThrow();
      assertThat(r2).isEqualTo(second);
      assertThat(r2.segment()).isEqualTo(first.segment());
      assertThat(r2.offset()).isEqualTo(first.offset() + first.length());
      assertThat(kv.get(utf8("k")).map(TestFiles::str)).contains("second-longer");
    }
  }

  @Test
  void getWorksForRecordsInSealedSegmentsAfterRotationAndCompaction() {
    Path compacted = tmp.resolve("compacted");
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("sealed-key"), utf8("sealed-value"));
      kv.log().rotate();
      kv.put(utf8("new-key"), utf8("new-value"));
      assertThat(kv.refOf(utf8("sealed-key")).orElseThrow().segment()).isEqualTo(1);
      assertThat(kv.refOf(utf8("new-key")).orElseThrow().segment()).isEqualTo(2);
      assertThat(kv.get(utf8("sealed-key")).map(TestFiles::str)).contains("sealed-value");
      assertThat(kv.get(utf8("new-key")).map(TestFiles::str)).contains("new-value");
      kv.compactTo(compacted);
    }
    try (DataWal kv = DataWal.open(compacted)) {
      kv.put(utf8("after-compaction"), utf8("x"));
      assertThat(kv.get(utf8("sealed-key")).map(TestFiles::str)).contains("sealed-value");
      assertThat(kv.get(utf8("new-key")).map(TestFiles::str)).contains("new-value");
      assertThat(kv.get(utf8("after-compaction")).map(TestFiles::str)).contains("x");
    }
  }

  @Test
  void anFdPoolBoundsOpenFileHandlesAcross500Gets() {
    DatawalOptions options =
        DatawalOptions.builder()
            .maxReadHandles(4)
            .maxSegmentSize(200)
            .fsyncPolicy(FsyncPolicy.MANUAL)
            .build();
    int keys = 60;
    try (DataWal kv = DataWal.open(dir(), options)) {
      for (int i = 0; i < keys; i++) {
        kv.put(utf8(String.format("k%03d", i)), utf8(String.format("v%03d-value", i)));
      }
      long segments = kv.log().activeSegment();
      assertThat(segments).isGreaterThanOrEqualTo(12); // far more segments than handles
      int maxSeen = 0;
      for (int get = 0; get < 500; get++) {
        int i = (get * 7) % keys; // strides across segments, so the pool keeps evicting
        assertThat(kv.get(utf8(String.format("k%03d", i))).map(TestFiles::str))
            .contains(String.format("v%03d-value", i));
        maxSeen = Math.max(maxSeen, kv.openReadHandles());
        assertThat(kv.openReadHandles())
            .as("open read handles after get %d", get)
            .isLessThanOrEqualTo(4);
      }
      assertThat(maxSeen).isEqualTo(4);
    }
  }

  @Test
  void forEachReturnsAllLivePairsAndRevalidatesTheCrc() {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("a"), utf8("1"));
      kv.put(utf8("b"), utf8("2"));
      RecordRef c = kv.put(utf8("c"), utf8("3"));
      kv.delete(utf8("b"));
      Map<String, String> items = new TreeMap<>();
      kv.forEach((k, v) -> items.put(str(k), str(v)));
      assertThat(items).containsExactly(Map.entry("a", "1"), Map.entry("c", "3"));

      TestFiles.patch(segment(dir(), 1), c.offset() + HEADER + 1, utf8("X"));
      List<String> visited = new ArrayList<>();
      assertThatThrownBy(() -> kv.forEach((k, v) -> visited.add(str(k))))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH);
                assertThat(e.offset()).isEqualTo(c.offset());
              });
      assertThat(visited).containsExactly("a");
    }
  }

  @Test
  void compactToPreservesTheLiveStateThroughTheOffsetDirectory() {
    Path out = tmp.resolve("compacted");
    try (DataWal kv = DataWal.open(dir())) {
      for (int i = 0; i < 50; i++) {
        kv.put(utf8(String.format("k%02d", i)), utf8(String.format("v%02d-payload", i)));
      }
      for (int i = 0; i < 25; i++) {
        kv.put(utf8(String.format("k%02d", i)), utf8(String.format("OVERWRITE-%02d", i)));
      }
      for (int i = 40; i < 45; i++) {
        kv.delete(utf8(String.format("k%02d", i)));
      }
      assertThat(kv.compactTo(out).liveKeys()).isEqualTo(45);
    }
    try (DataWal kv = DataWal.open(out)) {
      for (int i = 0; i < 50; i++) {
        String key = String.format("k%02d", i);
        if (i < 25) {
          assertThat(kv.get(utf8(key)).map(TestFiles::str))
              .contains(String.format("OVERWRITE-%02d", i));
        } else if (i >= 40 && i < 45) {
          assertThat(kv.get(utf8(key))).as(key).isEmpty();
        } else {
          assertThat(kv.get(utf8(key)).map(TestFiles::str))
              .contains(String.format("v%02d-payload", i));
        }
      }
      assertThat(kv.size()).isEqualTo(45);
    }
  }

  // datawal's additions.

  @Test
  void getDetectsAFrameWhoseKeyIsNotTheKeyAskedFor() {
    try (DataWal kv = DataWal.open(dir())) {
      RecordRef a = kv.put(utf8("key-A"), utf8("value of A"));
      kv.put(utf8("key-B"), utf8("value of B"));
      // Rewrite A's frame in place so it is a valid frame for key-Z: only the key check can tell.
      rewriteFrame(segment(dir(), 1), a, frame -> frame.put(HEADER + 4, (byte) 'Z'));

      assertThatThrownBy(() -> kv.get(utf8("key-A")))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(CorruptionKind.STRUCTURAL);
                assertThat(e.segment()).isEqualTo(1);
                assertThat(e.offset()).isEqualTo(a.offset());
              })
          .hasMessageContaining("not the Put of the key asked for")
          .hasMessageContaining("segment 1 at offset " + a.offset());
      assertThatThrownBy(() -> kv.refOf(utf8("key-A"))).isInstanceOf(CorruptStoreException.class);
      assertThat(kv.get(utf8("key-Z"))).isEmpty(); // the directory never heard of key-Z
      assertThat(kv.get(utf8("key-B")).map(TestFiles::str)).contains("value of B");
    }
  }

  @Test
  void getDetectsAFrameThatIsNoLongerAPut() {
    try (DataWal kv = DataWal.open(dir())) {
      RecordRef ref = kv.put(utf8("key"), utf8("value"));
      rewriteFrame(segment(dir(), 1), ref, frame -> frame.put(6, (byte) RecordType.RAW.code()));
      assertThatThrownBy(() -> kv.get(utf8("key")))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> assertThat(e.kind()).isEqualTo(CorruptionKind.STRUCTURAL))
          .hasMessageContaining("not the Put of the key asked for");
    }
  }

  @Test
  void refOfOffsetsPointAtTheLatestPutsFrame() {
    DatawalOptions options =
        DatawalOptions.builder().maxSegmentSize(150).fsyncPolicy(FsyncPolicy.MANUAL).build();
    try (DataWal kv = DataWal.open(dir(), options)) {
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 6; i++) {
          kv.put(utf8("key-" + i), utf8("value-" + i + "-round-" + round));
        }
        kv.delete(utf8("key-" + round));
      }
      assertThat(kv.log().activeSegment()).isGreaterThan(3);
      Map<String, Record> latestPut = latestPuts(kv.log().scan());
      assertThat(kv.keys())
          .extracting(TestFiles::str)
          .containsExactlyElementsOf(latestPut.keySet());
      for (Map.Entry<String, Record> e : latestPut.entrySet()) {
        Record put = e.getValue();
        assertThat(kv.refOf(utf8(e.getKey()))).as(e.getKey()).contains(put.ref());
        // The frame there, read straight from the file, is that Put.
        byte[] segmentBytes = TestFiles.read(segment(dir(), put.segment()));
        ByteBuffer frame =
            ByteBuffer.wrap(segmentBytes, (int) put.offset(), put.length())
                .slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(frame.get(6)).isEqualTo((byte) RecordType.PUT.code());
        assertThat(frame.getLong(8)).isEqualTo(put.txid());
        assertThat(kv.get(utf8(e.getKey())))
            .hasValueSatisfying(v -> assertThat(v).isEqualTo(put.payload()));
      }
    }
  }

  @Test
  void aKeyDirectoryRebuiltAtReopenPointsAtTheSameOffsets() {
    DatawalOptions options =
        DatawalOptions.builder().maxSegmentSize(256).fsyncPolicy(FsyncPolicy.MANUAL).build();
    Map<String, RecordRef> before = new HashMap<>();
    try (DataWal kv = DataWal.open(dir(), options)) {
      for (int i = 0; i < 40; i++) {
        kv.put(utf8("key-" + (i % 13)), utf8("value-" + i));
        if (i % 5 == 4) {
          kv.delete(utf8("key-" + (i % 7)));
        }
        if (i % 11 == 10) {
          kv.log().append(utf8("raw"));
        }
      }
      for (byte[] key : kv.keys()) {
        before.put(str(key), kv.refOf(key).orElseThrow());
      }
    }
    assertThat(before).isNotEmpty();
    try (DataWal kv = DataWal.open(dir(), options)) {
      Map<String, RecordRef> after = new HashMap<>();
      for (byte[] key : kv.keys()) {
        after.put(str(key), kv.refOf(key).orElseThrow());
      }
      assertThat(after).isEqualTo(before);
      for (Map.Entry<String, Record> e : latestPuts(kv.log().scan()).entrySet()) {
        assertThat(after.get(e.getKey())).isEqualTo(e.getValue().ref());
      }
    }
  }

  @Test
  void getOfAFrameCutOffUnderTheStoreReportsItTruncated() {
    try (DataWal kv = DataWal.open(dir())) {
      kv.put(utf8("a"), utf8("first"));
      RecordRef b = kv.put(utf8("b"), utf8("second, cut off below"));
      TestFiles.truncate(segment(dir(), 1), b.offset() + 30);
      assertThatThrownBy(() -> kv.get(utf8("b")))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(CorruptionKind.TRUNCATED);
                assertThat(e.segment()).isEqualTo(1);
                assertThat(e.offset()).isEqualTo(b.offset());
              })
          .hasMessageContaining("segment 1 at offset " + b.offset());
      TestFiles.truncate(segment(dir(), 1), b.offset() + 10); // not even a whole header left
      assertThatThrownBy(() -> kv.get(utf8("b")))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> assertThat(e.kind()).isEqualTo(CorruptionKind.TRUNCATED));
      assertThat(kv.get(utf8("a")).map(TestFiles::str)).contains("first");
    }
  }

  // Helpers.

  /** The latest Put of each live key, in unsigned key order, computed from a scan. */
  private static Map<String, Record> latestPuts(List<Record> records) {
    Map<String, Record> live = new TreeMap<>();
    for (Record r : records) {
      switch (r.type()) {
        case PUT -> live.put(str(r.key()), r);
        case DELETE -> live.remove(str(r.key()));
        case RAW -> {}
      }
    }
    return live;
  }

  /** Changes the frame at {@code ref} in place with {@code edit}, then recomputes its CRC. */
  private static void rewriteFrame(Path segmentFile, RecordRef ref, Consumer<ByteBuffer> edit) {
    byte[] bytes = TestFiles.read(segmentFile);
    ByteBuffer frame =
        ByteBuffer.wrap(bytes, (int) ref.offset(), ref.length())
            .slice()
            .order(ByteOrder.LITTLE_ENDIAN);
    edit.accept(frame);
    int crcAt = ref.length() - 4;
    assertThat(crcAt).isEqualTo(HEADER + frame.getInt(16) + frame.getInt(20));
    CRC32C crc = new CRC32C();
    crc.update(bytes, (int) ref.offset(), crcAt);
    frame.putInt(crcAt, (int) crc.getValue());
    TestFiles.write(segmentFile, bytes);
  }
}
