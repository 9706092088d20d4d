package dev.datawal;

import static dev.datawal.TestFiles.str;
import static dev.datawal.TestFiles.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One RecordLog shared by many threads: appends, fsyncs, rotations and scans at once. */
class ConcurrencyTests {
  private static final int THREADS = 6;
  private static final int PER_THREAD = 400;

  @TempDir Path dir;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void concurrentAppendsGetUniqueTxidsInFileOrderAcrossRotations() throws Exception {
    ConcurrentLinkedQueue<RecordRef> refs = new ConcurrentLinkedQueue<>();
    try (RecordLog log =
        RecordLog.open(dir, DatawalOptions.builder().maxSegmentSize(4096).build())) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        writers.add(
            pool.submit(
                (Callable<Void>)
                    () -> {
                      start.await();
                      for (int i = 0; i < PER_THREAD; i++) {
                        refs.add(log.append(utf8(thread + ":" + i)));
                        if (i % 25 == 0) {
                          log.fsync();
                        }
                      }
                      return null;
                    }));
      }
      start.countDown();
      for (Future<?> w : writers) {
        w.get(60, TimeUnit.SECONDS);
      }
      assertThat(log.isPoisoned()).isFalse();
      assertThat(log.activeSegment()).isGreaterThan(5);
    }
    try (RecordLog log = RecordLog.open(dir)) {
      List<Record> records = log.scan();
      assertThat(records).hasSize(THREADS * PER_THREAD);
      Map<Integer, Integer> nextPerThread = new HashMap<>();
      for (int i = 0; i < records.size(); i++) {
        Record r = records.get(i);
        assertThat(r.txid()).isEqualTo(i + 1); // txids increase in file order, no gaps
        String[] parts = str(r.payload()).split(":");
        int thread = Integer.parseInt(parts[0]);
        int expected = nextPerThread.getOrDefault(thread, 0);
        assertThat(Integer.parseInt(parts[1])).isEqualTo(expected); // each thread's order kept
        nextPerThread.put(thread, expected + 1);
      }
      assertThat(records).extracting(Record::ref).containsExactlyInAnyOrderElementsOf(refs);
    }
  }

  @Test
  void scansAndReadersDuringAppendsSeeAContiguousPrefix() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    // MANUAL: this test is about what scans see, not durability; under ALWAYS 20,000 fsyncs
    // against two busy scanners took over a minute on a loaded CI machine.
    try (RecordLog log =
        RecordLog.open(
            dir,
            DatawalOptions.builder()
                .maxSegmentSize(8192)
                .fsyncPolicy(FsyncPolicy.MANUAL)
                .build())) {
      Future<Integer> writer =
          pool.submit(
              () -> {
                int n = 0;
                while (!stop.get() && n < 20_000) {
                  log.append(utf8("payload-" + n++));
                }
                return n;
              });
      Callable<Integer> scanner =
          () -> {
            int scans = 0;
            while (!writer.isDone()) {
              List<Record> seen = scans % 2 == 0 ? log.scan() : RecordLogReader.open(dir).scan();
              for (int i = 0; i < seen.size(); i++) {
                assertThat(seen.get(i).txid()).isEqualTo(i + 1);
                assertThat(str(seen.get(i).payload())).isEqualTo("payload-" + i);
              }
              scans++;
            }
            return scans;
          };
      Future<Integer> scanner1 = pool.submit(scanner);
      Future<Integer> scanner2 = pool.submit(scanner);
      int appended = writer.get(60, TimeUnit.SECONDS);
      stop.set(true);
      assertThat(scanner1.get(60, TimeUnit.SECONDS) + scanner2.get(60, TimeUnit.SECONDS))
          .isPositive();
      assertThat(log.scan()).hasSize(appended);
    }
  }

  @Test
  void fsyncsRacingWithRotationsNeverFailSpuriously() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    try (RecordLog log =
        RecordLog.open(dir, DatawalOptions.builder().maxSegmentSize(200).build())) {
      Future<?> syncer =
          pool.submit(
              (Callable<Void>)
                  () -> {
                    while (!stop.get()) {
                      log.fsync();
                    }
                    return null;
                  });
      for (int i = 0; i < 2000; i++) {
        log.append(utf8("r" + i));
        if (i % 97 == 0) {
          log.rotate();
        }
      }
      stop.set(true);
      syncer.get(60, TimeUnit.SECONDS);
      assertThat(log.isPoisoned()).isFalse();
    }
    try (RecordLog log = RecordLog.open(dir)) {
      assertThat(log.scan()).hasSize(2000);
    }
  }
}
