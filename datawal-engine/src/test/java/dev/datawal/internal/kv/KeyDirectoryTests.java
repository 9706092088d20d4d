package dev.datawal.internal.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.internal.format.FrameFormat;
import dev.datawal.internal.format.SegmentFacts;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.log.StoreManifest;
import dev.datawal.testing.TestSeed;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key directory against a {@link HashMap} model: seeded random operations, dense probe runs,
 * growth, removal of everything, sorted items, key copies, the place range, and lookups racing a
 * writer.
 *
 * <p>Seeds: a base seed from {@code -Ddatawal.test.seed=<n>}, else a random one ({@link TestSeed}),
 * printed once; each test derives its own from it, and every failure names both.
 */
class KeyDirectoryTests {
  private static final long BASE_SEED = TestSeed.of(KeyDirectoryTests.class, "datawal.test.seed");
  private static final long MAX_SEGMENT = (1L << (64 - Place.OFFSET_BITS)) - 1;
  private static final long MAX_OFFSET = (1L << Place.OFFSET_BITS) - 1;

  /** Segments 1 to 3 of a snapshot's covered part in these tests (sparse files of this size). */
  private static final long SEGMENT_BYTES = 1L << 30;

  /** The seed of the running test, for the failure message. */
  private long seed;

  @TempDir Path tmp;

  @RegisterExtension
  final TestExecutionExceptionHandler seedInFailures =
      (context, failure) -> {
        throw new AssertionError(
            "KeyDirectoryTests failure in "
                + context.getDisplayName()
                + " [base seed "
                + BASE_SEED
                + ", test seed "
                + seed
                + "; replay with -Dtest=KeyDirectoryTests -Ddatawal.test.seed="
                + BASE_SEED
                + "]: "
                + failure,
            failure);
      };

  private SplittableRandom random(long stream) {
    seed = BASE_SEED ^ (stream * 0x9E3779B97F4A7C15L);
    return new SplittableRandom(seed);
  }

  @Test
  void aCopyKeepsItsEntriesWhileTheDirectoryMovesOn() {
    KeyDirectory directory = new KeyDirectory();
    Map<String, KeyDirectory.Location> before = new HashMap<>();
    for (int i = 0; i < 5_000; i++) {
      String key = "key-" + i + "-" + "x".repeat(i % 40);
      directory.put(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, 100L * i, 50 + i % 7);
      before.put(key, new KeyDirectory.Location(1, 100L * i, 50 + i % 7));
    }
    DirectoryCopy copy = directory.copy();
    // Growth, overwrites, deletes and an arena rewrite (deleted key bytes outweigh live ones).
    for (int i = 0; i < 5_000; i++) {
      byte[] key =
          ("key-" + i + "-" + "x".repeat(i % 40)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      if (i % 10 == 0) {
        directory.put(key, 2, i, 99);
      } else {
        directory.remove(key);
      }
    }
    for (int i = 0; i < 20_000; i++) {
      directory.put(("new-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), 3, i, 40);
    }
    Map<String, KeyDirectory.Location> seen = new HashMap<>();
    copy.forEach(
        (chunk, from, keyLen, segment, offset, length) ->
            seen.put(
                new String(chunk, from, keyLen, java.nio.charset.StandardCharsets.UTF_8),
                new KeyDirectory.Location(segment, offset, length)));
    assertThat(copy.size()).isEqualTo(5_000);
    assertThat(seen).isEqualTo(before);
  }

  @Test
  void aPresizedDirectoryHoldsItsExpectedKeysWithoutGrowing() {
    KeyDirectory directory = new KeyDirectory(1_000);
    long bytes = directory.estimatedBytes();
    for (int i = 0; i < 1_000; i++) {
      directory.put(("k" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, i, 30);
    }
    assertThat(directory.size()).isEqualTo(1_000);
    assertThat(directory.estimatedBytes() - bytes)
        .as("only arena chunks added")
        .isLessThan(200_000);
    assertThat(new KeyDirectory(0).estimatedBytes()).isPositive();
  }

  @Test
  void randomPutsRemovesAndGetsAgreeWithAHashMap() {
    SplittableRandom r = random(1);
    for (int round = 0; round < 40; round++) {
      // Small universes keep the table small and its probe runs long, wrapping past the end.
      int universe = 1 + r.nextInt(round < 20 ? 24 : 400);
      byte[][] keys = randomDistinctKeys(r, universe);
      KeyDirectory directory = new KeyDirectory();
      Map<ByteBuffer, KeyDirectory.Location> model = new HashMap<>();
      for (int op = 0; op < 3000; op++) {
        byte[] key = keys[r.nextInt(universe)];
        String step = "round " + round + ", op " + op + ", key " + Arrays.toString(key);
        switch (r.nextInt(3)) {
          case 0 -> {
            KeyDirectory.Location loc = randomLocation(r);
            directory.put(key, loc.segment(), loc.offset(), loc.length());
            model.put(wrap(key), loc);
          }
          case 1 ->
              assertThat(directory.remove(key) != KeyDirectory.NONE)
                  .as(step)
                  .isEqualTo(model.remove(wrap(key)) != null);
          default -> assertThat(directory.get(key)).as(step).isEqualTo(model.get(wrap(key)));
        }
        assertThat(directory.size()).as(step).isEqualTo(model.size());
      }
      assertAgrees(directory, model, keys);
    }
  }

  @Test
  void manyKeysInDenseProbeRunsStayReachable() {
    SplittableRandom r = random(2);
    // All-zero keys of every length, and keys that are prefixes of one another: every pair is
    // distinct only by length or by its last byte.
    Map<ByteBuffer, byte[]> distinct = new LinkedHashMap<>();
    for (int len = 0; len <= 64; len++) {
      byte[] ones = new byte[len];
      Arrays.fill(ones, (byte) 0xFF);
      for (byte[] key : new byte[][] {new byte[len], ones}) {
        distinct.putIfAbsent(ByteBuffer.wrap(key), key);
      }
    }
    for (int last = 0; last < 256; last++) {
      for (byte[] key : new byte[][] {{1, 2, 3, 4, 5, 6, 7, 8, (byte) last}, {(byte) last}}) {
        distinct.putIfAbsent(ByteBuffer.wrap(key), key);
      }
    }
    List<byte[]> keys = new ArrayList<>(distinct.values());
    KeyDirectory directory = new KeyDirectory();
    Map<ByteBuffer, KeyDirectory.Location> model = new HashMap<>();
    for (byte[] key : keys) {
      KeyDirectory.Location loc = randomLocation(r);
      directory.put(key, loc.segment(), loc.offset(), loc.length());
      model.put(wrap(key), loc);
    }
    assertThat(model).hasSize(keys.size());
    assertAgrees(directory, model, keys.toArray(byte[][]::new));
    // Remove in random order, checking every survivor each time a tenth is gone.
    List<byte[]> order = new ArrayList<>(keys);
    shuffle(order, r);
    for (int i = 0; i < order.size(); i++) {
      assertThat(directory.remove(order.get(i))).isNotEqualTo(KeyDirectory.NONE);
      model.remove(wrap(order.get(i)));
      if (i % (order.size() / 10) == 0) {
        assertAgrees(directory, model, keys.toArray(byte[][]::new));
      }
    }
    assertThat(directory.size()).isZero();
  }

  @Test
  void growsFromSixteenSlotsPastAHundredThousandKeys() {
    KeyDirectory directory = new KeyDirectory();
    long emptyBytes = directory.estimatedBytes();
    int n = 120_000;
    for (int i = 0; i < n; i++) {
      directory.put(intKey(i), 1 + i % 1000, i, 28 + i % 4096);
      if (i == 12) {
        assertThat(directory.get(intKey(0))).isEqualTo(new KeyDirectory.Location(1, 0, 28));
      }
    }
    assertThat(directory.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      assertThat(directory.get(intKey(i)))
          .as("key %d", i)
          .isEqualTo(new KeyDirectory.Location(1 + i % 1000, i, 28 + i % 4096));
    }
    assertThat(directory.get(intKey(n))).isNull();
    assertThat(directory.estimatedBytes()).isGreaterThan(emptyBytes + n * 20L);
  }

  @Test
  void removingEverythingThenReinsertingWorks() {
    SplittableRandom r = random(4);
    KeyDirectory directory = new KeyDirectory();
    byte[][] keys = randomDistinctKeys(r, 5000);
    for (int pass = 0; pass < 3; pass++) {
      for (int i = 0; i < keys.length; i++) {
        directory.put(keys[i], pass + 1, i, 28 + i);
      }
      assertThat(directory.size()).isEqualTo(keys.length);
      for (int i = 0; i < keys.length; i++) {
        assertThat(directory.get(keys[i]))
            .isEqualTo(new KeyDirectory.Location(pass + 1, i, 28 + i));
      }
      for (byte[] key : keys) {
        assertThat(directory.remove(key)).isNotEqualTo(KeyDirectory.NONE);
      }
      assertThat(directory.size()).isZero();
      assertThat(directory.itemsSorted()).isEmpty();
      for (byte[] key : keys) {
        assertThat(directory.get(key)).isNull();
        assertThat(directory.remove(key)).isEqualTo(KeyDirectory.NONE);
      }
    }
  }

  @Test
  void deletedKeysBytesAreReclaimedAndEveryLiveKeyStaysReachable() {
    KeyDirectory directory = new KeyDirectory();
    Map<ByteBuffer, Long> model = new HashMap<>();
    // Keys of 1 to 4 KiB: a few thousand deletions leave megabytes of dead key bytes in the arena.
    for (int round = 0; round < 4; round++) {
      for (int i = 0; i < 2000; i++) {
        byte[] key = bigKey(i, 1024 + i % 3072);
        directory.put(key, 1 + round, i, 28 + i);
        model.put(ByteBuffer.wrap(key), (long) i);
      }
      for (int i = 0; i < 2000; i++) {
        if (i % 10 != round) {
          byte[] key = bigKey(i, 1024 + i % 3072);
          assertThat(directory.remove(key)).isNotEqualTo(KeyDirectory.NONE);
          model.remove(ByteBuffer.wrap(key));
        }
      }
      long bytes = directory.estimatedBytes();
      assertThat(directory.size()).isEqualTo(model.size());
      for (Map.Entry<ByteBuffer, Long> e : model.entrySet()) {
        KeyDirectory.Location loc = directory.get(e.getKey().array());
        assertThat(loc).isNotNull();
        assertThat(loc.offset()).isEqualTo(e.getValue());
      }
      // Live keys hold about 200 KiB per round; without reclaiming, the arena would hold 5 MiB.
      assertThat(bytes).as("round %d", round).isLessThan(4L << 20);
    }
  }

  @Test
  void itemsSortedIsInUnsignedByteOrder() {
    SplittableRandom r = random(5);
    KeyDirectory directory = new KeyDirectory();
    byte[][] keys = randomDistinctKeys(r, 2000);
    for (int i = 0; i < keys.length; i++) {
      directory.put(keys[i], 7, i, i + 28);
    }
    List<KeyDirectory.Item> items = directory.itemsSorted();
    assertThat(items).hasSize(keys.length);
    for (int i = 1; i < items.size(); i++) {
      assertThat(Arrays.compareUnsigned(items.get(i - 1).key(), items.get(i).key()))
          .as("items %d and %d", i - 1, i)
          .isNegative();
    }
    for (KeyDirectory.Item item : items) {
      assertThat(item.location()).isEqualTo(directory.get(item.key()));
    }
    KeyDirectory small = new KeyDirectory();
    for (byte[] key : new byte[][] {{(byte) 0xFF}, {0x7F}, {(byte) 0x80}, {0x01}, {}, {0x01, 0}}) {
      small.put(key, 1, 0, 28);
    }
    assertThat(small.itemsSorted())
        .extracting(KeyDirectory.Item::key)
        .containsExactly(
            new byte[] {},
            new byte[] {0x01},
            new byte[] {0x01, 0},
            new byte[] {0x7F},
            new byte[] {(byte) 0x80},
            new byte[] {(byte) 0xFF});
  }

  @Test
  void putCopiesTheKey() {
    KeyDirectory directory = new KeyDirectory();
    byte[] key = {1, 2, 3};
    directory.put(key, 1, 10, 31);
    key[0] = 9;
    assertThat(directory.get(new byte[] {1, 2, 3})).isEqualTo(new KeyDirectory.Location(1, 10, 31));
    assertThat(directory.get(key)).isNull();
    assertThat(directory.itemsSorted())
        .singleElement()
        .satisfies(item -> assertThat(item.key()).containsExactly(1, 2, 3));
    // An update of a live key keeps the directory's own copy too.
    byte[] again = {1, 2, 3};
    directory.put(again, 2, 20, 32);
    again[2] = 0;
    assertThat(directory.get(new byte[] {1, 2, 3})).isEqualTo(new KeyDirectory.Location(2, 20, 32));
    assertThat(directory.size()).isEqualTo(1);
  }

  @Test
  void sizeCountsLiveKeys() {
    KeyDirectory directory = new KeyDirectory();
    assertThat(directory.size()).isZero();
    directory.put(new byte[] {1}, 1, 0, 29);
    directory.put(new byte[] {2}, 1, 29, 29);
    directory.put(new byte[] {1}, 1, 58, 29); // an update, not a new key
    assertThat(directory.size()).isEqualTo(2);
    assertThat(directory.remove(new byte[] {3})).isEqualTo(KeyDirectory.NONE);
    assertThat(directory.size()).isEqualTo(2);
    assertThat(directory.remove(new byte[] {1})).isNotEqualTo(KeyDirectory.NONE);
    assertThat(directory.size()).isEqualTo(1);
  }

  @Test
  void placesOutOfRangeAreRejected() {
    KeyDirectory directory = new KeyDirectory();
    byte[] key = {42};
    directory.put(key, MAX_SEGMENT, MAX_OFFSET, KeyDirectory.MAX_FRAME_LENGTH);
    assertThat(directory.get(key))
        .isEqualTo(
            new KeyDirectory.Location(MAX_SEGMENT, MAX_OFFSET, KeyDirectory.MAX_FRAME_LENGTH));
    directory.put(key, 0, 0, 28);
    assertThat(directory.get(key)).isEqualTo(new KeyDirectory.Location(0, 0, 28));

    assertThatThrownBy(() -> directory.put(key, 1L << 27, 0, 28))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("segment " + (1L << 27));
    assertThatThrownBy(() -> directory.put(key, 1, 1L << 37, 28))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset " + (1L << 37));
    assertThatThrownBy(() -> directory.put(new byte[] {43}, Long.MAX_VALUE, Long.MAX_VALUE, 28))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> directory.put(key, 1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("frame length");
    // The longest frame DWAL v1 allows fits; a length beyond the directory's bits does not.
    assertThat(FrameFormat.frameLength(FrameFormat.MAX_KEY_LEN, FrameFormat.MAX_PAYLOAD_LEN))
        .isLessThanOrEqualTo(KeyDirectory.MAX_FRAME_LENGTH);
    assertThatThrownBy(() -> directory.put(key, 1, 0, KeyDirectory.MAX_FRAME_LENGTH + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("frame length");
    // A rejected put changes nothing.
    assertThat(directory.get(key)).isEqualTo(new KeyDirectory.Location(0, 0, 28));
    assertThat(directory.get(new byte[] {43})).isNull();
    assertThat(directory.size()).isEqualTo(1);
  }

  /**
   * One writer puts and removes while readers look up: a lookup returns {@code null} or a place
   * that was put for that very key (its identity is encoded in the place), never another key's,
   * never a place from the future, and never throws.
   */
  @Test
  void lookupsRacingOneWriterSeeOnlyPlacesPutForTheirKey() throws Exception {
    SplittableRandom r = random(9);
    int keyCount = 50_000; // the table grows while readers are looking
    int writes = 1_000_000;
    int readers = 3;
    byte[][] keys = randomDistinctKeys(r, keyCount);
    // The place of version v of key i: segment 1 + i, offset v, length i. The writer publishes
    // v in latest[i] before it puts it, so a reader that finds version v sees latest[i] >= v.
    AtomicLongArray latest = new AtomicLongArray(keyCount);
    KeyDirectory directory = new KeyDirectory();
    AtomicBoolean done = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    long writerSeed = r.nextLong();
    ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
    try {
      Future<?> writer =
          pool.submit(
              () -> {
                SplittableRandom w = new SplittableRandom(writerSeed);
                start.await();
                try {
                  for (int op = 0; op < writes; op++) {
                    int i = w.nextInt(keyCount);
                    if (w.nextInt(3) == 0) {
                      directory.remove(keys[i]);
                    } else {
                      long version = latest.incrementAndGet(i);
                      directory.put(keys[i], 1 + i, version, 28 + i);
                    }
                  }
                } finally {
                  done.set(true);
                }
                return null;
              });
      List<Future<Long>> lookups = new ArrayList<>();
      for (int t = 0; t < readers; t++) {
        long readerSeed = r.nextLong();
        lookups.add(
            pool.submit(
                () -> {
                  SplittableRandom rr = new SplittableRandom(readerSeed);
                  start.await();
                  long found = 0;
                  long n = 0;
                  // At least 50,000 lookups each, so they overlap the writer on a slow machine too.
                  while (!done.get() || n < 50_000) {
                    int i = rr.nextInt(keyCount);
                    KeyDirectory.Location loc = directory.get(keys[i]);
                    n++;
                    if (loc != null) {
                      found++;
                      long version = loc.offset();
                      if (loc.segment() != 1 + i
                          || loc.length() != 28 + i
                          || version < 1
                          || version > latest.get(i)) {
                        throw new AssertionError(
                            "lookup of key " + i + " found " + loc + ", latest " + latest.get(i));
                      }
                    }
                  }
                  return found;
                }));
      }
      start.countDown();
      writer.get(2, TimeUnit.MINUTES);
      long found = 0;
      for (Future<Long> f : lookups) {
        found += f.get(2, TimeUnit.MINUTES);
      }
      assertThat(found).isPositive();
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
    }
    // Quiescent: the directory agrees exactly with what the writer left.
    for (int i = 0; i < keyCount; i++) {
      KeyDirectory.Location loc = directory.get(keys[i]);
      if (loc != null) {
        assertThat(loc).isEqualTo(new KeyDirectory.Location(1 + i, latest.get(i), 28 + i));
      }
    }
  }

  // A directory opened over a snapshot's table: the table in place, an overlay on top.

  @Test
  void aDirectoryOverASnapshotAgreesWithAHashMapThroughPutsRemovesAndMoves() throws IOException {
    SplittableRandom r = random(10);
    for (int round = 0; round < 16; round++) {
      int universe = 1 + r.nextInt(round < 8 ? 40 : 3000);
      byte[][] keys = randomDistinctKeys(r, universe);
      KeyDirectory written = new KeyDirectory();
      Map<ByteBuffer, KeyDirectory.Location> model = new HashMap<>();
      for (byte[] key : keys) {
        if (r.nextInt(4) != 0) {
          KeyDirectory.Location loc = coveredLocation(r, key);
          written.put(key, loc.segment(), loc.offset(), loc.length());
          model.put(wrap(key), loc);
        }
      }
      int shift = new int[] {12, 13, 16, 30}[r.nextInt(4)]; // mapped in one chunk or many
      KeyDirectory directory = overSnapshot(written, tmp.resolve("r" + round), shift);
      assertThat(directory.readsSnapshot()).isTrue();
      assertAgrees(directory, model, keys);
      for (int op = 0; op < 4000; op++) {
        byte[] key = keys[r.nextInt(universe)];
        String step = "round " + round + ", op " + op + ", key " + Arrays.toString(key);
        KeyDirectory.Location was = model.get(wrap(key));
        switch (r.nextInt(4)) {
          case 0 -> {
            KeyDirectory.Location loc = coveredLocation(r, key);
            assertThat(previous(directory.put(key, loc.segment(), loc.offset(), loc.length())))
                .as(step)
                .isEqualTo(previous(was));
            model.put(wrap(key), loc);
          }
          case 1 -> {
            assertThat(previous(directory.remove(key))).as(step).isEqualTo(previous(was));
            model.remove(wrap(key));
          }
          case 2 -> {
            // Compaction moves a key within its segment, unless a write moved it on first.
            long to = r.nextLong(SEGMENT_BYTES - 70_000);
            if (was != null && r.nextBoolean()) {
              assertThat(directory.moveIfAt(key, was.segment(), was.offset(), to))
                  .as(step)
                  .isTrue();
              model.put(wrap(key), new KeyDirectory.Location(was.segment(), to, was.length()));
            } else {
              long from = was == null ? 0 : was.offset() + 1;
              assertThat(directory.moveIfAt(key, 1 + r.nextInt(3), from, to)).as(step).isFalse();
            }
          }
          default -> assertThat(directory.get(key)).as(step).isEqualTo(was);
        }
        assertThat(directory.size()).as(step).isEqualTo(model.size());
      }
      assertAgrees(directory, model, keys);
      Map<ByteBuffer, KeyDirectory.Location> copied = new HashMap<>();
      DirectoryCopy copy = directory.copy();
      copy.forEach(
          (chunk, from, keyLen, segment, offset, length) ->
              copied.put(
                  ByteBuffer.wrap(Arrays.copyOfRange(chunk, from, from + keyLen)),
                  new KeyDirectory.Location(segment, offset, length)));
      assertThat(copy.size()).isEqualTo(model.size());
      assertThat(copied).isEqualTo(model);
      // A snapshot of both layers, opened again, holds the same.
      assertAgrees(overSnapshot(directory, tmp.resolve("r" + round + "-again"), 30), model, keys);
    }
  }

  @Test
  void keysReadFromASnapshotCostNoHeap() throws IOException {
    SplittableRandom r = random(11);
    KeyDirectory written = new KeyDirectory();
    for (int i = 0; i < 100_000; i++) {
      byte[] key = intKey(i);
      KeyDirectory.Location loc = coveredLocation(r, key);
      written.put(key, loc.segment(), loc.offset(), loc.length());
    }
    KeyDirectory directory = overSnapshot(written, tmp.resolve("s"), 30);
    assertThat(directory.size()).isEqualTo(100_000);
    // The page checks (5 bytes a page of 4 KiB) and an empty overlay: well under a byte a key.
    assertThat(directory.estimatedBytes()).isLessThan(100_000);
    assertThat(written.estimatedBytes()).isGreaterThan(40L * 100_000);
  }

  @Test
  void aSnapshotIsWrittenAsAHashOrderedTableOfItsHeadersLayout() throws IOException {
    SplittableRandom r = random(12);
    KeyDirectory written = new KeyDirectory();
    for (int i = 0; i < 5_000; i++) {
      byte[] key = ("key-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      KeyDirectory.Location loc = coveredLocation(r, key);
      written.put(key, loc.segment(), loc.offset(), loc.length());
    }
    Path dir = tmp.resolve("layout");
    overSnapshot(written, dir, 30);
    ByteBuffer file =
        ByteBuffer.wrap(Files.readAllBytes(KeyDirectorySnapshot.path(dir)))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    assertThat(file.getShort(SnapshotFormat.VERSION_OFFSET)).isEqualTo((short) 2);
    assertThat(file.getShort(SnapshotFormat.FLAGS_OFFSET))
        .isEqualTo((short) SnapshotFormat.FLAG_CLOSED);
    assertThat(file.getLong(SnapshotFormat.ENTRY_COUNT_OFFSET)).isEqualTo(5_000);
    assertThat(file.getLong(SnapshotFormat.HASH_SEED_OFFSET)).isEqualTo(written.seed());
    long homeSlots = file.getLong(SnapshotFormat.HOME_SLOTS_OFFSET);
    long slots = file.getLong(SnapshotFormat.SLOT_COUNT_OFFSET);
    long arena = file.getLong(SnapshotFormat.ARENA_SIZE_OFFSET);
    assertThat(homeSlots).isEqualTo(SnapshotFormat.homeSlots(5_000));
    long arenaOffset = SnapshotFormat.pageAligned(slots * 24);
    long pages = (arenaOffset + arena + 4095) / 4096;
    long dataOffset = SnapshotFormat.headSize(3, pages);
    assertThat(file.capacity()).isEqualTo(dataOffset + arenaOffset + arena);
    // Every entry sits at or after its home, in hash order, with no gap since its home; its key
    // hashes to the stored hash.
    long previousHash = -1;
    long used = 0;
    for (long i = 0; i < slots; i++) {
      int at = (int) (dataOffset + i * 24);
      int length = file.getInt(at);
      if (length == 0) {
        previousHash = -1;
        continue;
      }
      long hash = Integer.toUnsignedLong(file.getInt(at + 4));
      long home = (hash * homeSlots) >>> 32;
      assertThat(home).isLessThanOrEqualTo(i);
      if (home < i) {
        assertThat(previousHash).as("slot %d follows an entry", i).isNotNegative();
      }
      assertThat(hash).isGreaterThanOrEqualTo(previousHash);
      long keyRef = file.getLong(at + 16);
      byte[] key = new byte[(int) (keyRef & 0x1FFFF)];
      file.get((int) (dataOffset + arenaOffset + (keyRef >>> 17)), key);
      assertThat(KeyHash.of(written.seed(), key, 0, key.length)).isEqualTo((int) hash);
      KeyDirectory.Location loc = written.get(key);
      long place = file.getLong(at + 8);
      assertThat(new KeyDirectory.Location(place >>> 37, place & ((1L << 37) - 1), length))
          .isEqualTo(loc);
      previousHash = hash;
      used++;
    }
    assertThat(used).isEqualTo(5_000);
  }

  @Test
  void aDamagedPageIsNeverTrustedAndADirectoryThatCannotRebuildRefusesToAnswer()
      throws IOException {
    SplittableRandom r = random(13);
    KeyDirectory written = new KeyDirectory();
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      byte[] key = intKey(i);
      KeyDirectory.Location loc = coveredLocation(r, key);
      written.put(key, loc.segment(), loc.offset(), loc.length());
      keys.add(key);
    }
    Path dir = tmp.resolve("damaged");
    overSnapshot(written, dir, 30);
    // Flip a byte in the slots: the head still checks out, so the open uses the table.
    Path file = KeyDirectorySnapshot.path(dir);
    byte[] bytes = Files.readAllBytes(file);
    int dataOffset =
        bytes.length
            - (int)
                (SnapshotFormat.pageAligned(
                        ByteBuffer.wrap(bytes)
                                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                                .getLong(SnapshotFormat.SLOT_COUNT_OFFSET)
                            * 24)
                    + ByteBuffer.wrap(bytes)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .getLong(SnapshotFormat.ARENA_SIZE_OFFSET));
    bytes[dataOffset + r.nextInt(4096)] ^= 0x10;
    Files.write(file, bytes);
    SnapshotLoader loader = new SnapshotLoader(FileIo.system(), dir, 30);
    assertThat(resume(loader, dir)).isNotNull();
    KeyDirectory directory = loader.directory();
    // The segments here are zeros, so the table cannot be rebuilt from them: every answer that
    // needs the damaged page is an error, never a guess; answers from good pages stand.
    int answered = 0;
    int refused = 0;
    for (byte[] key : keys) {
      try {
        assertThat(directory.get(key)).isEqualTo(written.get(key));
        answered++;
      } catch (dev.datawal.DatawalException e) {
        assertThat(e).hasMessageContaining("could not be rebuilt");
        refused++;
      }
    }
    assertThat(refused).isPositive();
    assertThatThrownBy(directory::itemsSorted).isInstanceOf(dev.datawal.DatawalException.class);
    assertThatThrownBy(() -> directory.put(keys.get(0), 1, 0, 40))
        .isInstanceOf(dev.datawal.DatawalException.class);
    assertThat(answered + refused).isEqualTo(keys.size());
  }

  /** The previous Put a put or remove reports, as a location's segment and length. */
  private static String previous(long previous) {
    return previous == KeyDirectory.NONE
        ? "none"
        : KeyDirectory.previousSegment(previous) + "/" + KeyDirectory.previousLength(previous);
  }

  private static String previous(KeyDirectory.Location was) {
    return was == null ? "none" : was.segment() + "/" + was.length();
  }

  /** A place inside the covered segments, long enough for the key. */
  private static KeyDirectory.Location coveredLocation(SplittableRandom r, byte[] key) {
    int length = 28 + key.length + r.nextInt(2_000);
    return new KeyDirectory.Location(1 + r.nextInt(3), r.nextLong(SEGMENT_BYTES - length), length);
  }

  /**
   * Writes a snapshot of {@code from} into {@code dir} beside three sparse segments it covers, and
   * loads it (mapped in chunks of {@code 1 << chunkShift} bytes).
   */
  private static KeyDirectory overSnapshot(KeyDirectory from, Path dir, int chunkShift)
      throws IOException {
    Files.createDirectories(dir);
    SortedMap<Long, Long> sizes = new TreeMap<>();
    for (long id = 1; id <= 3; id++) {
      Path segment = SegmentFiles.path(dir, id);
      if (!Files.exists(segment)) {
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
          f.setLength(SEGMENT_BYTES);
        }
      }
      sizes.put(id, SEGMENT_BYTES);
    }
    SnapshotWriter.write(FileIo.system(), dir, sizes, 1, from.copy(), true);
    SnapshotLoader loader = new SnapshotLoader(FileIo.system(), dir, chunkShift);
    assertThat(resume(loader, dir)).isNotNull();
    assertThat(loader.used()).isTrue();
    return loader.directory();
  }

  /** Offers {@code loader} the three sparse segments of {@link #overSnapshot} to resume after. */
  private static dev.datawal.internal.log.Recovery.Resume resume(SnapshotLoader loader, Path dir)
      throws IOException {
    try (SegmentFacts files = new SegmentFacts(FileIo.system(), dir)) {
      return loader.resume(List.of(1L, 2L, 3L), manifestCovering(dir), files);
    }
  }

  /** A manifest that records the three sparse segments of {@link #overSnapshot}, 3 active. */
  private static StoreManifest manifestCovering(Path dir) {
    StoreManifest.Shape whole = new StoreManifest.Shape(SEGMENT_BYTES, -1, 0, 0, 0, 0);
    SortedMap<Long, StoreManifest.Sealed> sealed = new TreeMap<>();
    sealed.put(1L, new StoreManifest.Sealed(1, whole));
    sealed.put(2L, new StoreManifest.Sealed(2, whole));
    return new StoreManifest(true, 1, new StoreManifest.Active(3, whole), sealed, List.of());
  }

  // Helpers.

  private static void assertAgrees(
      KeyDirectory directory, Map<ByteBuffer, KeyDirectory.Location> model, byte[][] universe) {
    assertThat(directory.size()).isEqualTo(model.size());
    for (byte[] key : universe) {
      assertThat(directory.get(key)).as(Arrays.toString(key)).isEqualTo(model.get(wrap(key)));
    }
    Map<ByteBuffer, KeyDirectory.Location> items = new HashMap<>();
    for (KeyDirectory.Item item : directory.itemsSorted()) {
      assertThat(items.put(wrap(item.key()), item.location())).isNull();
    }
    assertThat(items).isEqualTo(model);
  }

  private static ByteBuffer wrap(byte[] key) {
    return ByteBuffer.wrap(key.clone());
  }

  private static KeyDirectory.Location randomLocation(SplittableRandom r) {
    return new KeyDirectory.Location(
        r.nextLong(MAX_SEGMENT + 1),
        r.nextLong(MAX_OFFSET + 1),
        1 + r.nextInt(KeyDirectory.MAX_FRAME_LENGTH));
  }

  /** {@code n} distinct keys of 0 to 20 bytes, short ones (more alike) more often. */
  private static byte[][] randomDistinctKeys(SplittableRandom r, int n) {
    Map<ByteBuffer, byte[]> keys = new HashMap<>();
    while (keys.size() < n) {
      int len = r.nextInt(4) == 0 ? r.nextInt(21) : 1 + r.nextInt(3);
      byte[] key = new byte[len];
      r.nextBytes(key);
      keys.putIfAbsent(ByteBuffer.wrap(key), key);
    }
    return keys.values().toArray(byte[][]::new);
  }

  private static byte[] bigKey(int i, int length) {
    byte[] key = new byte[length];
    ByteBuffer.wrap(key).putInt(i);
    Arrays.fill(key, 4, length, (byte) (i * 31));
    return key;
  }

  private static byte[] intKey(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  private static <T> void shuffle(List<T> list, SplittableRandom r) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      list.set(j, list.set(i, list.get(j)));
    }
  }
}
