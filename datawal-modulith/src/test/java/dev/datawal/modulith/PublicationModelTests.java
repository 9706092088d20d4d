package dev.datawal.modulith;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.modulith.events.EventPublication.Status;
import org.springframework.modulith.events.core.TargetEventPublication;
import org.springframework.modulith.events.support.CompletionMode;

/**
 * Seeded random sequences of repository calls (some inside transactions that commit or roll back)
 * checked against a plain model after every step and after reopening the store: the index rebuilt
 * from the store equals the model. The seed is printed; {@code -Ddatawal.modulith.seed=N} replays
 * one.
 */
class PublicationModelTests {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final String[] LISTENERS = {"inventory", "shipping", "billing"};

  @TempDir Path dir;

  /** What the model keeps of an incomplete publication. */
  record Modeled(UUID id, Status status, int attempts, Instant published, String listener) {}

  @ParameterizedTest
  @EnumSource(CompletionMode.class)
  void randomOperationsAgreeWithTheModelBeforeAndAfterReopening(CompletionMode mode) {
    long seed = Long.getLong("datawal.modulith.seed", System.nanoTime());
    System.out.println("PublicationModelTests " + mode + " seed=" + seed);
    Random random = new Random(seed);
    Map<UUID, Modeled> incomplete = new LinkedHashMap<>();
    Map<UUID, Boolean> kept = new LinkedHashMap<>(); // completed ones still stored
    Registry r = new Registry(dir, mode);
    try {
      for (int step = 0; step < 400; step++) {
        boolean inTransaction = random.nextInt(4) == 0;
        boolean rollBack = inTransaction && random.nextBoolean();
        Map<UUID, Modeled> nextIncomplete = new LinkedHashMap<>(incomplete);
        Map<UUID, Boolean> nextKept = new LinkedHashMap<>(kept);
        int operations = inTransaction ? 1 + random.nextInt(3) : 1;
        Runnable work =
            () -> {
              for (int i = 0; i < operations; i++) {
                step(r, random, nextIncomplete, nextKept, mode);
              }
            };
        if (inTransaction) {
          r.transactions.executeWithoutResult(
              status -> {
                work.run();
                if (rollBack) {
                  status.setRollbackOnly();
                }
              });
        } else {
          work.run();
        }
        if (!rollBack) {
          incomplete = nextIncomplete;
          kept = nextKept;
        }
        assertAgrees(r, incomplete, kept, "seed " + seed + " step " + step);
      }
      Registry reopened = r.reopen();
      assertAgrees(reopened, incomplete, kept, "seed " + seed + " after reopening");
      reopened.close();
    } finally {
      r.close();
    }
  }

  private static void step(
      Registry r,
      Random random,
      Map<UUID, Modeled> incomplete,
      Map<UUID, Boolean> kept,
      CompletionMode mode) {
    List<UUID> ids = new ArrayList<>(incomplete.keySet());
    int choice = ids.isEmpty() ? 0 : random.nextInt(6);
    if (choice == 0) {
      String listener = LISTENERS[random.nextInt(LISTENERS.length)];
      Instant published = T0.plusMillis(random.nextInt(100_000));
      UUID id =
          r.publish(new OrderPlaced("o" + random.nextInt(5), 1), listener, published)
              .getIdentifier();
      incomplete.put(id, new Modeled(id, Status.PUBLISHED, 1, published, listener));
      return;
    }
    UUID id = ids.get(random.nextInt(ids.size()));
    Modeled m = incomplete.get(id);
    switch (choice) {
      case 1 -> {
        r.repository.markProcessing(id);
        incomplete.put(
            id, new Modeled(id, Status.PROCESSING, m.attempts(), m.published(), m.listener()));
      }
      case 2 -> {
        r.repository.markFailed(id);
        incomplete.put(
            id, new Modeled(id, Status.FAILED, m.attempts(), m.published(), m.listener()));
      }
      case 3 -> {
        boolean claimed = r.repository.markResubmitted(id, T0.plusSeconds(1000));
        assertThat(claimed).isEqualTo(m.status() != Status.RESUBMITTED);
        if (claimed) {
          incomplete.put(
              id,
              new Modeled(id, Status.RESUBMITTED, m.attempts() + 1, m.published(), m.listener()));
        }
      }
      case 4 -> {
        r.repository.markCompleted(id, T0.plusSeconds(2000));
        incomplete.remove(id);
        if (mode != CompletionMode.DELETE) {
          kept.put(id, true);
        }
      }
      default -> {
        r.repository.deletePublications(List.of(id));
        incomplete.remove(id);
      }
    }
  }

  private static void assertAgrees(
      Registry r, Map<UUID, Modeled> incomplete, Map<UUID, Boolean> kept, String where) {
    List<Modeled> expected =
        incomplete.values().stream()
            .sorted(
                Comparator.comparing(Modeled::published)
                    .thenComparing(Modeled::id, Comparator.naturalOrder()))
            .toList();
    List<Modeled> actual =
        r.repository.findIncompletePublications().stream()
            .map(PublicationModelTests::modeled)
            .toList();
    assertThat(actual).as(where).containsExactlyElementsOf(expected);
    for (Status status :
        List.of(Status.PUBLISHED, Status.PROCESSING, Status.FAILED, Status.RESUBMITTED)) {
      assertThat(r.repository.countByStatus(status))
          .as(where + " count " + status)
          .isEqualTo((int) expected.stream().filter(m -> m.status() == status).count());
    }
    assertThat(r.repository.countByStatus(Status.COMPLETED)).as(where).isEqualTo(kept.size());
  }

  private static Modeled modeled(TargetEventPublication p) {
    return new Modeled(
        p.getIdentifier(),
        p.getStatus(),
        p.getCompletionAttempts(),
        p.getPublicationDate(),
        p.getTargetIdentifier().getValue());
  }
}
