package dev.datawal.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The key directory against a {@link HashMap} model: seeded random operations, dense probe runs,
 * growth, removal of everything, sorted items, key copies, the place range, and lookups racing a
 * writer.
 *
 * <p>Seeds: a base seed from {@code -Ddatawal.test.seed=<n>}, else {@link System#nanoTime()},
 * printed once; each test derives its own from it, and every failure names both.
 */
class KeyDirectoryTests {
  private static final long BASE_SEED = baseSeed();
  private static final long MAX_SEGMENT = (1L << (64 - KeyDirectory.OFFSET_BITS)) - 1;
  private static final long MAX_OFFSET = (1L << KeyDirectory.OFFSET_BITS) - 1;

  /** The seed of the running test, for the failure message. */
  private long seed;

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

  @BeforeAll
  static void printSeed() {
    System.out.println(
        "KeyDirectoryTests: base seed "
            + BASE_SEED
            + " (replay with -Dtest=KeyDirectoryTests -Ddatawal.test.seed="
            + BASE_SEED
            + ")");
  }

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
    KeyDirectory.Copy copy = directory.copy();
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
    directory.put(key, MAX_SEGMENT, MAX_OFFSET, Integer.MAX_VALUE);
    assertThat(directory.get(key))
        .isEqualTo(new KeyDirectory.Location(MAX_SEGMENT, MAX_OFFSET, Integer.MAX_VALUE));
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
        1 + r.nextInt(Integer.MAX_VALUE - 1));
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

  private static long baseSeed() {
    String property = System.getProperty("datawal.test.seed");
    return property == null || property.isBlank()
        ? System.nanoTime()
        : Long.parseLong(property.trim());
  }
}
