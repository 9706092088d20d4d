package dev.datawal;

import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.testing.ProcessMappings;
import dev.datawal.testing.TestSeed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gets read segments through read-only mappings that grow with the active segment: they read the
 * right value wherever the record is, while writes, compaction and close go on, and no mapping of a
 * segment outlives the reads in it or the store.
 */
class MappedGetTests {
  private static final long SEED = TestSeed.of(MappedGetTests.class, "datawal.test.seed");

  @TempDir Path tmp;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(30, TimeUnit.SECONDS);
  }

  private Path dir() {
    return tmp.resolve("store");
  }

  /** A value that names its key and version, of a length drawn from {@code r}. */
  private static String value(String key, int version, SplittableRandom r) {
    return key + "=" + version + "|" + "x".repeat(r.nextInt(300));
  }

  @Test
  void aGetPastTheFirstMappingOfTheActiveSegmentReadsTheRecord() {
    try (DataWal store = DataWal.open(dir())) {
      store.put(utf8("first"), utf8("one"));
      for (int i = 0; i < 2; i++) { // the second read maps the segment
        assertThat(store.get(utf8("first")).map(TestFiles::str)).contains("one");
      }
      String big = "v".repeat(1000);
      for (int i = 0; i < 3000; i++) { // 3 MB more in the same segment
        store.put(utf8("k" + i), utf8(i + big));
      }
      assertThat(store.log().activeSegment()).isEqualTo(1);
      for (int i : new int[] {0, 1, 2, 1500, 2998, 2999, 2997, 5, 2999}) {
        assertThat(store.get(utf8("k" + i)).map(TestFiles::str)).contains(i + big);
      }
      store.put(utf8("last"), utf8("fresh")); // just past the mapping
      assertThat(store.get(utf8("last")).map(TestFiles::str)).contains("fresh");
      for (int i = 0; i < 3000; i += 7) {
        assertThat(store.get(utf8("k" + i)).map(TestFiles::str)).contains(i + big);
      }
      if (ProcessMappings.unmappingVisible()) {
        assertThat(ProcessMappings.segments(dir(), "r-")).isEqualTo(1); // the grown one alone
      }
    }
    if (ProcessMappings.unmappingVisible()) {
      assertThat(ProcessMappings.segments(dir(), "r-")).isZero();
      assertThat(ProcessMappings.segments(dir(), "rw"))
          .isZero(); // the writer's window went with the close
    }
  }

  @Test
  void aFlippedByteUnderTheMappingIsStillReportedAndRecorded() {
    try (DataWal store = DataWal.open(dir())) {
      store.put(utf8("a"), utf8("first value"));
      RecordRef ref = store.put(utf8("b"), utf8("second value"));
      for (int i = 0; i < 2; i++) { // the second read maps the segment
        assertThat(store.get(utf8("b")).map(TestFiles::str)).contains("second value");
      }
      long at = ref.offset() + ref.length() - 8; // in the payload
      byte original = TestFiles.read(TestFiles.segment(dir(), 1))[(int) at];
      TestFiles.patch(TestFiles.segment(dir(), 1), at, (byte) (original ^ 0x5A));
      assertThatThrownBy(() -> store.get(utf8("b")))
          .isInstanceOfSatisfying(
              CorruptStoreException.class,
              e -> assertThat(e.kind()).isEqualTo(CorruptionKind.CRC_MISMATCH));
      assertThat(store.integrity().damaged()).isTrue();
      assertThat(store.get(utf8("a")).map(TestFiles::str)).contains("first value");
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void getsDuringCompactionAndWritesReadTheRightValues() throws Exception {
    SplittableRandom r = new SplittableRandom(SEED);
    DatawalOptions options =
        DatawalOptions.builder().maxSegmentSize(64 * 1024).fsyncPolicy(FsyncPolicy.MANUAL).build();
    Map<String, String> fixed = new ConcurrentHashMap<>();
    try (DataWal store = DataWal.open(dir(), options)) {
      for (int i = 0; i < 1500; i++) { // never written again: spread over many segments
        String key = "fixed-" + i;
        String v = value(key, 0, r);
        store.put(utf8(key), utf8(v));
        fixed.put(key, v);
        for (int j = 0; j < 3; j++) { // garbage around them, some in segments of garbage only
          store.put(utf8("churn-" + r.nextInt(50)), utf8(value("churn", i, r)));
        }
      }
      AtomicBoolean running = new AtomicBoolean(true);
      CountDownLatch reading = new CountDownLatch(2);
      List<Future<Long>> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        long seed = r.nextLong();
        readers.add(
            pool.submit(
                () -> {
                  SplittableRandom rr = new SplittableRandom(seed);
                  long gets = 0;
                  try {
                    while (running.get()) {
                      String key = "fixed-" + rr.nextInt(1500);
                      assertThat(store.get(utf8(key)).map(TestFiles::str))
                          .as("%s, seed %d", key, SEED)
                          .contains(fixed.get(key));
                      String churn = "churn-" + rr.nextInt(50);
                      Optional<String> v = store.get(utf8(churn)).map(TestFiles::str);
                      assertThat(v).as("%s, seed %d", churn, SEED).isPresent();
                      assertThat(v.get()).as("seed %d", SEED).startsWith("churn=");
                      if (gets++ == 0) {
                        reading.countDown();
                      }
                    }
                  } finally {
                    reading.countDown();
                  }
                  return gets;
                }));
      }
      assertThat(reading.await(60, TimeUnit.SECONDS)).as("readers started").isTrue();
      Future<?> writer =
          pool.submit(
              () -> {
                SplittableRandom rw = new SplittableRandom(SEED + 1);
                for (int i = 1; running.get() && i < 30_000; i++) {
                  store.put(utf8("churn-" + rw.nextInt(50)), utf8(value("churn", i, rw)));
                }
              });
      long reclaimed = 0;
      for (int round = 0; round < 10 && readers.stream().noneMatch(Future::isDone); round++) {
        reclaimed += store.compact().bytesReclaimed();
      }
      running.set(false);
      writer.get(60, TimeUnit.SECONDS);
      for (Future<Long> reader : readers) {
        assertThat(reader.get(60, TimeUnit.SECONDS)).as("seed %d", SEED).isPositive();
      }
      assertThat(reclaimed).isPositive();
      for (Map.Entry<String, String> e : fixed.entrySet()) {
        assertThat(store.get(utf8(e.getKey())).map(TestFiles::str)).contains(e.getValue());
      }
      assertThat(store.integrity().damaged()).isFalse();
      if (ProcessMappings.unmappingVisible()) {
        assertThat(ProcessMappings.segments(dir(), "r-"))
            .as("mappings of segments still open")
            .isLessThanOrEqualTo(store.openReadHandles());
      }
    }
    if (ProcessMappings.unmappingVisible()) {
      assertThat(ProcessMappings.segments(dir(), "r-")).isZero();
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void getsRacingCloseReturnTheRightValueOrThrowIllegalStateException() throws Exception {
    SplittableRandom r = new SplittableRandom(SEED);
    DatawalOptions options =
        DatawalOptions.builder()
            .maxSegmentSize(32 * 1024)
            .maxReadHandles(4)
            .fsyncPolicy(FsyncPolicy.MANUAL)
            .build();
    Map<String, String> model = new ConcurrentHashMap<>();
    try (DataWal store = DataWal.open(dir(), options)) {
      for (int i = 0; i < 2000; i++) {
        String key = "k-" + i;
        String v = value(key, 0, r);
        store.put(utf8(key), utf8(v));
        model.put(key, v);
      }
    }
    for (int round = 0; round < 10; round++) {
      String what = "round " + round + ", seed " + SEED;
      // Open without the snapshot's help half the time: the snapshot is not what is tested here.
      if (r.nextBoolean()) {
        Files.deleteIfExists(dir().resolve(dev.datawal.internal.kv.KeyDirectorySnapshot.FILE_NAME));
      }
      DataWal store = DataWal.open(dir(), options);
      List<Future<Long>> results = new ArrayList<>();
      CountDownLatch reading = new CountDownLatch(3);
      try {
        for (int i = 0; i < 50; i++) { // some in the active segment
          String key = "k-" + r.nextInt(2000);
          String v = value(key, round + 1, r);
          store.put(utf8(key), utf8(v));
          model.put(key, v);
        }
        for (int t = 0; t < 3; t++) {
          long seed = r.nextLong();
          results.add(
              pool.submit(
                  () -> {
                    SplittableRandom rr = new SplittableRandom(seed);
                    long gets = 0;
                    try {
                      while (true) {
                        String key = "k-" + rr.nextInt(2000);
                        Optional<byte[]> v;
                        try {
                          v = store.get(utf8(key));
                        } catch (IllegalStateException e) {
                          assertThat(e).as(what).hasMessageContaining("is closed");
                          return gets;
                        }
                        assertThat(v.map(TestFiles::str))
                            .as("%s, %s", key, what)
                            .contains(model.get(key));
                        if (gets++ == 0) {
                          reading.countDown();
                        }
                      }
                    } finally {
                      reading.countDown();
                    }
                  }));
        }
        assertThat(reading.await(60, TimeUnit.SECONDS)).as(what).isTrue();
        for (int i = r.nextInt(3000); i > 0; i--) { // close at a different moment each round
          store.containsKey(utf8("k-" + r.nextInt(2000)));
        }
      } finally {
        store.close();
      }
      if (ProcessMappings.unmappingVisible()) {
        assertThat(ProcessMappings.segments(dir(), "r-"))
            .as(what)
            .isZero(); // close waited for the reads
      }
      for (Future<Long> result : results) {
        assertThat(result.get(60, TimeUnit.SECONDS)).as(what).isPositive();
      }
      assertThatThrownBy(() -> store.get(utf8("k-1")))
          .as(what)
          .isInstanceOf(IllegalStateException.class);
    }
    try (DataWal store = DataWal.open(dir(), options)) {
      Map<String, String> state = new java.util.TreeMap<>();
      store.forEach((k, v) -> state.put(str(k), str(v)));
      assertThat(state).isEqualTo(new java.util.TreeMap<>(model));
    }
  }
}
