package dev.datawal;

import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.testing.TestSeed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One DataWal shared by writer and reader threads on an overlapping key space: the state is the
 * last write per key in log order, no acknowledged write is lost across a reopen, and a get never
 * returns a value written for another key.
 */
class DataWalConcurrencyTests {
  private static final long SEED = TestSeed.of(DataWalConcurrencyTests.class, "datawal.test.seed");
  private static final int WRITERS = 4;
  private static final int READERS = 2;
  private static final int OPS = 600;
  private static final int KEYS = 40;

  @TempDir Path dir;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(30, TimeUnit.SECONDS);
  }

  /** Values name their key, so a reader can tell a value that belongs to another key. */
  private static byte[] value(int key, int writer, int op) {
    return utf8("key-" + key + "|writer-" + writer + "|op-" + op);
  }

  @Test
  void concurrentPutsGetsAndDeletesKeepLastWriteWinsInLogOrder() throws Exception {
    ConcurrentLinkedQueue<RecordRef> acknowledged = new ConcurrentLinkedQueue<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    try (DataWal store =
        DataWal.open(dir, DatawalOptions.builder().maxSegmentSize(16 * 1024).build())) {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.add(
            pool.submit(
                (Callable<Void>)
                    () -> {
                      SplittableRandom r = new SplittableRandom(SEED + writer);
                      for (int op = 0; op < OPS; op++) {
                        int key = r.nextInt(KEYS);
                        if (r.nextInt(10) == 0) {
                          store.delete(utf8("key-" + key));
                        } else {
                          acknowledged.add(store.put(utf8("key-" + key), value(key, writer, op)));
                        }
                      }
                      return null;
                    }));
      }
      List<Future<Long>> readers = new ArrayList<>();
      for (int t = 0; t < READERS; t++) {
        int reader = t;
        readers.add(
            pool.submit(
                () -> {
                  SplittableRandom r = new SplittableRandom(SEED - reader);
                  long gets = 0;
                  while (writing.get()) {
                    int key = r.nextInt(KEYS);
                    Optional<byte[]> v = store.get(utf8("key-" + key));
                    v.ifPresent(
                        bytes ->
                            assertThat(str(bytes))
                                .as("seed %d", SEED)
                                .startsWith("key-" + key + "|"));
                    gets++;
                  }
                  return gets;
                }));
      }
      for (Future<?> w : writers) {
        w.get(120, TimeUnit.SECONDS);
      }
      writing.set(false);
      for (Future<Long> reader : readers) {
        assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
      }
      assertStateIsLastWriteInLogOrder(store);
    }
    try (DataWal store = DataWal.open(dir)) {
      assertStateIsLastWriteInLogOrder(store);
      List<Record> records = store.log().scan();
      for (int i = 0; i < records.size(); i++) {
        assertThat(records.get(i).txid()).isEqualTo(i + 1L); // strictly increasing in file order
      }
      assertThat(records)
          .extracting(Record::ref)
          .containsAll(acknowledged); // every acknowledged put survived the reopen
    }
  }

  private static void assertStateIsLastWriteInLogOrder(DataWal store) {
    Map<String, String> expected = new TreeMap<>();
    for (Record r : store.log().scan()) {
      switch (r.type()) {
        case PUT -> expected.put(str(r.key()), str(r.payload()));
        case DELETE -> expected.remove(str(r.key()));
        case RAW -> {}
      }
    }
    Map<String, String> actual = new TreeMap<>();
    for (byte[] key : store.keys()) {
      actual.put(str(key), str(store.get(key).orElseThrow()));
    }
    assertThat(actual).as("seed %d", SEED).isEqualTo(expected);
    assertThat(store.size()).isEqualTo(expected.size());
    assertThat(Arrays.asList(store.keys().stream().map(TestFiles::str).toArray()))
        .containsExactlyElementsOf(expected.keySet());
  }
}
