package dev.datawal;

import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.datawal.internal.io.Mmap;
import dev.datawal.internal.kv.KeyDirectorySnapshot;
import dev.datawal.testing.ProcessMappings;
import dev.datawal.testing.TestSeed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store opened from a key-directory snapshot reads it mapped; closing the store unmaps it (and so
 * does dropping it earlier), and no read ever touches it afterwards. Mappings are counted in {@code
 * /proc/self/maps}, so most of these run on Linux only, on a runtime that can unmap explicitly.
 */
class SnapshotUnmapTests {
  private static final long SEED = TestSeed.of(SnapshotUnmapTests.class, "datawal.test.seed");

  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("store");
  }

  private static DatawalOptions small() {
    return DatawalOptions.builder().maxSegmentSize(512).fsyncPolicy(FsyncPolicy.MANUAL).build();
  }

  /** Writes {@code keys} keys into a new store at {@code dir} and closes it, leaving a snapshot. */
  private static Map<String, String> storeWithSnapshot(Path dir, int keys) {
    Map<String, String> model = new TreeMap<>();
    try (DataWal store = DataWal.open(dir, small())) {
      for (int i = 0; i < keys; i++) {
        store.put(utf8("k-" + i), utf8("v-" + i));
        model.put("k-" + i, "v-" + i);
      }
    }
    assertThat(dir.resolve(KeyDirectorySnapshot.FILE_NAME)).exists();
    return model;
  }

  /** Skips unless mappings can be counted and this runtime unmaps explicitly. */
  private static void assumeUnmappingVisible() {
    assumeTrue(ProcessMappings.listable(), "no /proc/self/maps (not Linux)");
    assumeTrue(Mmap.unmapsExplicitly(), "this runtime cannot unmap explicitly");
  }

  /** How many mappings of the snapshot file of {@code realDir} this process holds, deleted too. */
  private static long snapshotMappings(Path realDir) {
    return ProcessMappings.of(realDir.resolve(KeyDirectorySnapshot.FILE_NAME));
  }

  private static Path realPath(Path dir) {
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void closingAStoreOpenedFromASnapshotLeavesNoMappingOfIt() {
    assumeUnmappingVisible();
    Map<String, String> model = storeWithSnapshot(dir(), 300);
    Path real = realPath(dir());
    DataWal store = DataWal.open(dir(), small());
    try {
      assertThat(store.recoveryReport().snapshotUsed()).isTrue();
      assertThat(store.keyDirectoryReadsSnapshot()).isTrue();
      assertThat(str(store.get(utf8("k-7")).orElseThrow())).isEqualTo(model.get("k-7"));
      assertThat(snapshotMappings(real)).isPositive();
    } finally {
      store.close();
    }
    assertThat(snapshotMappings(real)).isZero();
    assertThatThrownBy(() -> store.get(utf8("k-7")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("store " + dir() + " is closed");
  }

  @Test
  void afterCloseTheStoreCanBeDeletedAndNothingOfItStaysMapped() throws IOException {
    assumeUnmappingVisible();
    storeWithSnapshot(dir(), 300);
    Path real = realPath(dir());
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.keyDirectoryReadsSnapshot()).isTrue();
      store.put(utf8("k-1"), utf8("changed")); // close writes a new snapshot over the mapped one
      assertThat(store.get(utf8("k-2"))).isPresent();
      assertThat(snapshotMappings(real)).isPositive();
    }
    try (Stream<Path> files = Files.walk(dir())) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
    assertThat(dir()).doesNotExist();
    assertThat(snapshotMappings(real)).isZero(); // not even a deleted file's mapping is left
  }

  @Test
  void aSnapshotDroppedForADamagedPageIsUnmappedWhileTheStoreStaysOpen() {
    assumeUnmappingVisible();
    Map<String, String> model = storeWithSnapshot(dir(), 300);
    KeyDirectorySnapshotTests.damageDataByte(
        dir().resolve(KeyDirectorySnapshot.FILE_NAME), new SplittableRandom(SEED));
    Path real = realPath(dir());
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.keyDirectoryReadsSnapshot()).isTrue();
      assertThat(snapshotMappings(real)).isPositive();
      assertThat(store.keys()).as("seed %d", SEED).hasSize(model.size()); // finds the damage
      assertThat(store.keyDirectoryReadsSnapshot()).isFalse();
      assertThat(snapshotMappings(real)).as("seed %d", SEED).isZero();
      assertThat(str(store.get(utf8("k-9")).orElseThrow())).isEqualTo(model.get("k-9"));
    }
    assertThat(snapshotMappings(real)).isZero();
  }

  @Test
  void aSnapshotRefutedAtOpenIsUnmappedBeforeTheOpenReturns() {
    assumeUnmappingVisible();
    storeWithSnapshot(dir(), 300);
    // A last txid too high: the snapshot passes the checks at open and is mapped, then the first
    // record after it refutes it, and the open reads every segment instead.
    Path snapshot = dir().resolve(KeyDirectorySnapshot.FILE_NAME);
    byte[] bytes = TestFiles.read(snapshot);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(16, 1_000_000);
    KeyDirectorySnapshotTests.fixCrc(bytes);
    TestFiles.write(snapshot, bytes);
    try (RecordLog log = RecordLog.open(dir())) {
      log.appendRecord(RecordType.PUT, utf8("after"), utf8("snapshot"));
    }
    Path real = realPath(dir());
    try (DataWal store = DataWal.open(dir(), small())) {
      assertThat(store.recoveryReport().snapshotUsed()).isFalse();
      assertThat(snapshotMappings(real)).isZero();
      assertThat(store.size()).isEqualTo(301);
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void getsRacingCloseReturnTheRightValueOrThrowIllegalStateException() throws Exception {
    SplittableRandom r = new SplittableRandom(SEED);
    int keys = 2_000;
    Map<String, String> model = storeWithSnapshot(dir(), keys);
    int readers = 3;
    ExecutorService pool = Executors.newFixedThreadPool(readers);
    try {
      for (int round = 0; round < 12; round++) {
        String what = "round " + round + ", seed " + SEED;
        DataWal store = DataWal.open(dir(), small());
        List<Future<Long>> results = new ArrayList<>();
        try {
          assertThat(store.keyDirectoryReadsSnapshot()).as(what).isTrue();
          for (int i = 0; i < 20; i++) { // some keys in the overlay too
            String key = "k-" + r.nextInt(keys);
            store.put(utf8(key), utf8("w-" + round + "-" + i));
            model.put(key, "w-" + round + "-" + i);
          }
          Map<String, String> expected = Map.copyOf(model);
          CountDownLatch reading = new CountDownLatch(readers);
          for (int t = 0; t < readers; t++) {
            long readerSeed = r.nextLong();
            results.add(
                pool.submit(
                    () -> readUntilClosed(store, expected, keys, readerSeed, reading, what)));
          }
          assertThat(reading.await(60, TimeUnit.SECONDS)).as(what).isTrue();
          for (int i = r.nextInt(2_000); i > 0; i--) { // close at a different moment each round
            store.containsKey(utf8("k-" + r.nextInt(keys)));
          }
        } finally {
          store.close();
        }
        for (Future<Long> result : results) {
          assertThat(result.get(60, TimeUnit.SECONDS)).as(what).isGreaterThanOrEqualTo(500);
        }
        assertThatThrownBy(() -> store.containsKey(utf8("k-1")))
            .as(what)
            .isInstanceOf(IllegalStateException.class);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aCompactionRunningWhenCloseIsCalledStopsBetweenSegmentsAndCloseThenUnmaps()
      throws Exception {
    Map<String, String> model = new TreeMap<>();
    try (DataWal store = DataWal.open(dir(), small())) {
      for (int i = 0; i < 400; i++) { // every sealed segment holds live keys and garbage
        String key = i % 4 == 0 ? "u-" + i : "k-" + (i % 40);
        store.put(utf8(key), utf8("v-" + i));
        model.put(key, "v-" + i);
      }
    }
    boolean canSeeMappings = ProcessMappings.unmappingVisible();
    Path real = realPath(dir());
    RecordingFileIo io = new RecordingFileIo();
    DataWal store = DataWal.open(dir(), small(), io);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      assertThat(store.keyDirectoryReadsSnapshot()).isTrue();
      long sealedBefore = store.log().segmentSizes().size() - 1;
      assertThat(sealedBefore).isGreaterThan(3);
      io.holdForces();
      Future<CompactionStats> compaction = threads.submit(() -> store.compact());
      TestFiles.await("the compaction forces its first output", () -> io.count("force ") == 1);
      assertThat(io.ops()).last().asString().endsWith(".compacting");
      Future<?> closing = threads.submit(store::close);
      TestFiles.await("close has begun", () -> refusesReads(store));
      assertThat(closing).isNotDone(); // it waits for the compaction
      io.releaseForces();
      CompactionStats stats = compaction.get(60, TimeUnit.SECONDS);
      closing.get(60, TimeUnit.SECONDS);
      assertThat(stats.bytesReclaimed()).isPositive(); // it finished the segment it was in
      assertThat(io.count("move 00000001.dwal.compacting")).isEqualTo(1);
      assertThat(io.count("move ") - io.count("move keydir") - io.count("move datawal.manifest"))
          .as("no segment swapped after the first")
          .isEqualTo(1);
      if (canSeeMappings) {
        assertThat(snapshotMappings(real)).isZero();
      }
    } finally {
      io.releaseForces();
      store.close();
      threads.shutdownNow();
    }
    try (DataWal reopened = DataWal.open(dir(), small())) {
      assertThat(reopened.recoveryReport().snapshotUsed()).as("close wrote a snapshot").isTrue();
      Map<String, String> state = new TreeMap<>();
      reopened.forEach((k, v) -> state.put(str(k), str(v)));
      assertThat(state).isEqualTo(model);
      assertThat(reopened.garbage().reclaimableBytes())
          .as("the segments after the first still hold garbage")
          .isPositive();
    }
  }

  private static boolean refusesReads(DataWal store) {
    try {
      store.containsKey(utf8("k-1"));
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  @Test
  void theFileSystemHoldingAStoreCanBeUnmountedAfterClose() throws IOException {
    assumeUnmappingVisible();
    assumeTrue("0".equals(output("id", "-u")), "mounting needs root");
    Path mountPoint = Files.createDirectories(tmp.resolve("mnt"));
    assumeTrue(
        TestFiles.exec("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint.toString())
            == 0,
        "cannot mount a tmpfs here");
    boolean mounted = true;
    try {
      Path store = mountPoint.resolve("store");
      storeWithSnapshot(store, 300);
      try (DataWal reopened = DataWal.open(store, small())) {
        assertThat(reopened.keyDirectoryReadsSnapshot()).isTrue();
        assertThat(str(reopened.get(utf8("k-3")).orElseThrow())).isEqualTo("v-3");
      }
      assertThat(TestFiles.exec("umount", mountPoint.toString())).as("umount").isZero();
      mounted = false;
    } finally {
      if (mounted && TestFiles.exec("umount", mountPoint.toString()) != 0) {
        TestFiles.exec("umount", "-l", mountPoint.toString()); // never leave a mount behind
      }
    }
  }

  /** What a command prints, trimmed, or "" if it cannot run. */
  private static String output(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 ? out : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /**
   * Gets random keys (and some missing ones) until a get throws {@link IllegalStateException},
   * checking every value; every get after that must throw too.
   *
   * @return the number of gets that answered
   */
  private static long readUntilClosed(
      DataWal store,
      Map<String, String> expected,
      int keys,
      long seed,
      CountDownLatch reading,
      String what) {
    SplittableRandom r = new SplittableRandom(seed);
    long answered = 0;
    while (true) {
      String key = "k-" + r.nextInt(keys + keys / 10);
      Optional<byte[]> value;
      try {
        value = store.get(utf8(key));
      } catch (IllegalStateException e) {
        assertThat(e).as(what).hasMessageContaining("closed");
        assertThatThrownBy(() -> store.get(utf8(key)))
            .as(what)
            .isInstanceOf(IllegalStateException.class);
        reading.countDown(); // in case it closed before this reader got going
        return answered;
      }
      assertThat(value.map(v -> new String(v, StandardCharsets.UTF_8)))
          .as("%s, %s", what, key)
          .isEqualTo(Optional.ofNullable(expected.get(key)));
      if (++answered == 500) {
        reading.countDown();
      }
    }
  }
}
