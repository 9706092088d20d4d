package dev.datawal.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing the application while writers are busy loses no write that was acknowledged. */
class ShutdownDuringWritesTests {
  @TempDir Path dir;

  @Test
  void everyAcknowledgedPutSurvivesAShutdownInTheMiddleOfWrites() throws Exception {
    int writers = 8;
    Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
    Queue<Throwable> refusals = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    CountDownLatch started = new CountDownLatch(writers);
    CountDownLatch enoughAcknowledged = new CountDownLatch(2_000);
    StarterContexts.runner(dir)
        .withPropertyValues("datawal.segment.max-size=64KB")
        .run(
            context -> {
              DataWal wal = context.getBean(DataWal.class);
              for (int w = 0; w < writers; w++) {
                int writer = w;
                Thread thread =
                    new Thread(
                        () -> {
                          started.countDown();
                          for (int i = 0; ; i++) {
                            String key = "w" + writer + "-" + i;
                            try {
                              wal.put(utf8(key), utf8("value of " + key));
                            } catch (RuntimeException e) {
                              refusals.add(e); // the store closed under this write: not acked
                              return;
                            }
                            acknowledged.add(key);
                            enoughAcknowledged.countDown();
                          }
                        });
                thread.start();
                threads.add(thread);
              }
              started.await();
              assertThat(enoughAcknowledged.await(60, TimeUnit.SECONDS))
                  .as("2,000 puts acked")
                  .isTrue();
            }); // the context closes here, with every writer still writing
    for (Thread thread : threads) {
      thread.join(30_000);
      assertThat(thread.isAlive()).isFalse();
    }
    assertThat(refusals).hasSize(writers);
    assertThat(refusals).allSatisfy(e -> assertThat(e).isInstanceOf(IllegalStateException.class));
    try (DataWal reopened = DataWal.open(dir)) {
      for (String key : acknowledged) {
        assertThat(reopened.get(utf8(key))).as(key).hasValue(utf8("value of " + key));
      }
      System.out.println(
          "shutdown during writes: "
              + acknowledged.size()
              + " acknowledged puts, all present; "
              + reopened.size()
              + " keys after reopen");
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
