package dev.datawal.modulith;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.modulith.events.EventPublication.Status;
import org.springframework.modulith.events.core.PublicationTargetIdentifier;
import org.springframework.modulith.events.core.TargetEventPublication;
import org.springframework.modulith.events.support.CompletionMode;

/**
 * Publishers create publications in transactions (with a write of their own) while listener threads
 * claim, fail, resubmit and complete them, as Modulith's async listeners do: every publication ends
 * completed exactly once, the counts add up, and the store reopens to the same. Seeded; the seed is
 * printed.
 */
class ConcurrentPublicationTests {
  private static final int PUBLISHERS = 2;
  private static final int LISTENERS = 3;
  private static final int PER_PUBLISHER = 300;

  @TempDir Path dir;

  @Test
  void publishersAndListenersRunningTogetherCompleteEveryPublicationOnce() throws Exception {
    long seed = Long.getLong("datawal.modulith.seed", System.nanoTime());
    System.out.println("ConcurrentPublicationTests seed=" + seed);
    Registry r = new Registry(dir, CompletionMode.UPDATE);
    LinkedBlockingQueue<UUID> published = new LinkedBlockingQueue<>();
    UUID poison = new UUID(0, 0);
    ExecutorService threads = Executors.newFixedThreadPool(PUBLISHERS + LISTENERS);
    try {
      List<Future<?>> publishers = new ArrayList<>();
      for (int p = 0; p < PUBLISHERS; p++) {
        int publisher = p;
        publishers.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < PER_PUBLISHER; i++) {
                    String order = publisher + "-" + i;
                    UUID id =
                        r.transactions.execute(
                            status -> {
                              r.template.put(
                                  ("order/" + order).getBytes(StandardCharsets.UTF_8), new byte[1]);
                              return r.repository
                                  .create(
                                      TargetEventPublication.of(
                                          new OrderPlaced(order, 1),
                                          PublicationTargetIdentifier.of("inventory"),
                                          Instant.now()))
                                  .getIdentifier();
                            });
                    published.add(id); // after the commit, as Modulith hands it to the listener
                  }
                  return null;
                }));
      }
      List<Future<?>> listeners = new ArrayList<>();
      for (int l = 0; l < LISTENERS; l++) {
        Random random = new Random(seed + l);
        listeners.add(
            threads.submit(
                () -> {
                  while (true) {
                    UUID id = published.poll(30, TimeUnit.SECONDS);
                    if (id == null || id.equals(poison)) {
                      return null;
                    }
                    listen(r, id, random);
                  }
                }));
      }
      for (Future<?> publisher : publishers) {
        publisher.get(60, TimeUnit.SECONDS);
      }
      for (int l = 0; l < LISTENERS; l++) {
        published.add(poison);
      }
      for (Future<?> listener : listeners) {
        listener.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }

    int total = PUBLISHERS * PER_PUBLISHER;
    assertThat(r.repository.findIncompletePublications()).as("seed " + seed).isEmpty();
    assertThat(r.repository.countByStatus(Status.COMPLETED)).isEqualTo(total);
    assertThat(r.repository.statistics().createdSinceStart()).isEqualTo(total);
    assertThat(r.repository.statistics().completedSinceStart()).isEqualTo(total);
    assertThat(r.dataWal.size()).isEqualTo(2 * total); // each order and its completed publication

    Registry reopened = r.reopen();
    try {
      assertThat(reopened.repository.findIncompletePublications()).isEmpty();
      assertThat(reopened.repository.countByStatus(Status.COMPLETED)).isEqualTo(total);
    } finally {
      reopened.close();
    }
  }

  /** What Modulith does for one delivery, sometimes failing first and resubmitting. */
  private static void listen(Registry r, UUID id, Random random) {
    r.transactions.executeWithoutResult(status -> r.repository.markProcessing(id));
    if (random.nextInt(3) == 0) {
      r.transactions.executeWithoutResult(status -> r.repository.markFailed(id));
      assertThat(r.repository.markResubmitted(id, Instant.now())).isTrue();
      r.transactions.executeWithoutResult(status -> r.repository.markProcessing(id));
    }
    r.transactions.executeWithoutResult(status -> r.repository.markCompleted(id, Instant.now()));
  }
}
