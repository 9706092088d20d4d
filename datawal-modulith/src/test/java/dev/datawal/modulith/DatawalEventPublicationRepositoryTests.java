package dev.datawal.modulith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.modulith.events.EventPublication.Status;
import org.springframework.modulith.events.core.EventPublicationRepository.FailedCriteria;
import org.springframework.modulith.events.core.PublicationTargetIdentifier;
import org.springframework.modulith.events.core.TargetEventPublication;
import org.springframework.modulith.events.support.CompletionMode;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The repository against a real store: every method of Modulith's {@code
 * EventPublicationRepository} with the JDBC V2 repository's semantics, each completion mode,
 * transactions, reopening and damaged values.
 */
class DatawalEventPublicationRepositoryTests {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456789Z");
  private static final String LISTENER = "dev.datawal.Inventory.on(OrderPlaced)";
  private static final String OTHER = "dev.datawal.Shipping.on(OrderPlaced)";

  @TempDir Path dir;
  private Registry registry;

  private Registry open(CompletionMode mode) {
    registry = new Registry(dir, mode);
    return registry;
  }

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void createdPublicationsAreIncompleteOldestFirstWithTheirEvent() {
    Registry r = open(CompletionMode.UPDATE);
    UUID later = r.publish(new OrderPlaced("b", 2), LISTENER, T0.plusSeconds(5)).getIdentifier();
    UUID earlier = r.publish(new OrderPlaced("a", 1), LISTENER, T0).getIdentifier();

    List<TargetEventPublication> incomplete = r.repository.findIncompletePublications();

    assertThat(incomplete)
        .extracting(TargetEventPublication::getIdentifier)
        .containsExactly(earlier, later);
    TargetEventPublication first = incomplete.get(0);
    assertThat(first.getEvent()).isEqualTo(new OrderPlaced("a", 1));
    assertThat(first.getTargetIdentifier()).isEqualTo(PublicationTargetIdentifier.of(LISTENER));
    assertThat(first.getPublicationDate()).isEqualTo(T0);
    assertThat(first.getStatus()).isEqualTo(Status.PUBLISHED);
    assertThat(first.getCompletionAttempts()).isEqualTo(1);
    assertThat(first.getLastResubmissionDate()).isEqualTo(T0);
    assertThat(first.getCompletionDate()).isEmpty();
    assertThat(r.repository.countByStatus(Status.PUBLISHED)).isEqualTo(2);
  }

  @Test
  void statusChangesFollowTheJdbcRepository() {
    Registry r = open(CompletionMode.UPDATE);
    UUID id = r.publish(new OrderPlaced("a", 1), LISTENER, T0).getIdentifier();

    r.repository.markProcessing(id);
    assertThat(only(r.repository.findByStatus(Status.PROCESSING)).getIdentifier()).isEqualTo(id);
    r.repository.markFailed(id);
    assertThat(r.repository.countByStatus(Status.FAILED)).isEqualTo(1);
    assertThat(r.repository.countByStatus(Status.PROCESSING)).isZero();

    Instant resubmitted = T0.plusSeconds(60);
    assertThat(r.repository.markResubmitted(id, resubmitted)).isTrue();
    TargetEventPublication claimed = only(r.repository.findByStatus(Status.RESUBMITTED));
    assertThat(claimed.getCompletionAttempts()).isEqualTo(2);
    assertThat(claimed.getLastResubmissionDate()).isEqualTo(resubmitted);
    // a second claim loses: another caller already resubmitted it
    assertThat(r.repository.markResubmitted(id, resubmitted.plusSeconds(1))).isFalse();
    assertThat(only(r.repository.findByStatus(Status.RESUBMITTED)).getCompletionAttempts())
        .isEqualTo(2);

    r.repository.markCompleted(id, T0.plusSeconds(61));
    assertThat(r.repository.markResubmitted(id, T0.plusSeconds(62))).isFalse(); // not resubmittable
    assertThat(r.repository.markResubmitted(UUID.randomUUID(), T0)).isFalse(); // unknown
    r.repository.markFailed(UUID.randomUUID()); // unknown: nothing happens, as an UPDATE of no row
    assertThat(r.repository.findIncompletePublications()).isEmpty();
  }

  @Test
  void failedPublicationsHonourTheReferenceDateAndTheLimit() {
    Registry r = open(CompletionMode.UPDATE);
    UUID a = r.publish(new OrderPlaced("a", 1), LISTENER, T0).getIdentifier();
    UUID b = r.publish(new OrderPlaced("b", 1), LISTENER, T0.plusSeconds(1)).getIdentifier();
    UUID c = r.publish(new OrderPlaced("c", 1), LISTENER, T0.plusSeconds(2)).getIdentifier();
    r.publish(new OrderPlaced("d", 1), LISTENER, T0.plusSeconds(3)); // not failed
    for (UUID id : List.of(c, a, b)) {
      r.repository.markFailed(id);
    }

    assertThat(ids(r.repository.findFailedPublications(FailedCriteria.ALL)))
        .containsExactly(a, b, c);
    assertThat(ids(r.repository.findFailedPublications(FailedCriteria.ALL.withItemsToRead(2))))
        .containsExactly(a, b);
    assertThat(
            ids(
                r.repository.findFailedPublications(
                    FailedCriteria.ALL.withPublicationsPublishedBefore(T0.plusSeconds(2)))))
        .containsExactly(a, b);
    assertThat(r.repository.findFailedPublications(FailedCriteria.ALL.withItemsToRead(0)))
        .isEmpty();
  }

  @Test
  void incompletePublishedBeforeExcludesTheInstantItself() {
    Registry r = open(CompletionMode.UPDATE);
    UUID a = r.publish(new OrderPlaced("a", 1), LISTENER, T0).getIdentifier();
    r.publish(new OrderPlaced("b", 1), LISTENER, T0.plusNanos(1));

    assertThat(ids(r.repository.findIncompletePublicationsPublishedBefore(T0.plusNanos(1))))
        .containsExactly(a);
    assertThat(r.repository.findIncompletePublicationsPublishedBefore(T0)).isEmpty();
  }

  @Test
  void findByEventAndListenerReturnsTheOldestIncompleteOneOfThatListener() {
    Registry r = open(CompletionMode.UPDATE);
    OrderPlaced event = new OrderPlaced("a", 1);
    r.publish(event, LISTENER, T0.plusSeconds(2));
    UUID oldest = r.publish(event, LISTENER, T0).getIdentifier();
    r.publish(event, OTHER, T0.minusSeconds(1));
    r.publish(new OrderPlaced("b", 1), LISTENER, T0.minusSeconds(2));

    assertThat(
            r.repository
                .findIncompletePublicationsByEventAndTargetIdentifier(
                    new OrderPlaced("a", 1), PublicationTargetIdentifier.of(LISTENER))
                .map(TargetEventPublication::getIdentifier))
        .contains(oldest);
    assertThat(
            r.repository.findIncompletePublicationsByEventAndTargetIdentifier(
                new OrderPlaced("z", 1), PublicationTargetIdentifier.of(LISTENER)))
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(CompletionMode.class)
  void completingByIdFollowsTheCompletionMode(CompletionMode mode) {
    Registry r = open(mode);
    UUID id = r.publish(new OrderPlaced("a", 1), LISTENER, T0).getIdentifier();
    Instant done = T0.plusSeconds(10);

    r.repository.markCompleted(id, done);

    assertThat(r.repository.findIncompletePublications()).isEmpty();
    assertThat(r.dataWal.containsKey(PublicationKeys.INCOMPLETE.key(id))).isFalse();
    List<TargetEventPublication> completed = r.repository.findCompletedPublications();
    if (mode == CompletionMode.DELETE) {
      assertThat(completed).isEmpty();
      assertThat(r.repository.countByStatus(Status.COMPLETED)).isZero();
      assertThat(r.dataWal.size()).isZero();
    } else {
      TargetEventPublication publication = only(completed);
      assertThat(publication.getIdentifier()).isEqualTo(id);
      assertThat(publication.getStatus()).isEqualTo(Status.COMPLETED);
      assertThat(publication.getCompletionDate()).contains(done);
      assertThat(publication.getEvent()).isEqualTo(new OrderPlaced("a", 1));
      assertThat(r.repository.countByStatus(Status.COMPLETED)).isEqualTo(1);
      assertThat(ids(r.repository.findByStatus(Status.COMPLETED))).containsExactly(id);
      PublicationKeys table =
          mode == CompletionMode.ARCHIVE ? PublicationKeys.ARCHIVED : PublicationKeys.COMPLETED;
      assertThat(r.dataWal.containsKey(table.key(id))).isTrue();
    }
    assertThat(r.repository.statistics().completedSinceStart()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(CompletionMode.class)
  void completingByEventCompletesEveryIncompleteOneOfThatListener(CompletionMode mode) {
    Registry r = open(mode);
    OrderPlaced event = new OrderPlaced("a", 1);
    UUID first = r.publish(event, LISTENER, T0).getIdentifier();
    UUID second = r.publish(event, LISTENER, T0.plusSeconds(1)).getIdentifier();
    UUID other = r.publish(event, OTHER, T0).getIdentifier();
    r.repository.markFailed(second); // failed ones are incomplete too

    r.repository.markCompleted(
        new OrderPlaced("a", 1), PublicationTargetIdentifier.of(LISTENER), T0.plusSeconds(5));

    assertThat(ids(r.repository.findIncompletePublications())).containsExactly(other);
    int kept = mode == CompletionMode.DELETE ? 0 : 2;
    assertThat(r.repository.countByStatus(Status.COMPLETED)).isEqualTo(kept);
    if (kept > 0) {
      assertThat(ids(r.repository.findCompletedPublications()))
          .containsExactlyInAnyOrder(first, second);
    }
  }

  @Test
  void archivingKeepsAnArchivedCopyThatIsAlreadyThere() {
    Registry r = open(CompletionMode.ARCHIVE);
    TargetEventPublication publication = r.publish(new OrderPlaced("a", 1), LISTENER, T0);
    UUID id = publication.getIdentifier();
    r.repository.markCompleted(id, T0.plusSeconds(1));
    // the same publication created again and completed again: the first archived copy stays
    r.repository.create(publication);
    r.repository.markCompleted(id, T0.plusSeconds(2));

    assertThat(only(r.repository.findCompletedPublications()).getCompletionDate())
        .contains(T0.plusSeconds(1));
    assertThat(r.repository.countByStatus(Status.COMPLETED)).isEqualTo(1);
  }

  @Test
  void completingAnAlreadyCompletedOneUpdatesItsDateInUpdateMode() {
    Registry r = open(CompletionMode.UPDATE);
    UUID id = r.publish(new OrderPlaced("a", 1), LISTENER, T0).getIdentifier();
    r.repository.markCompleted(id, T0.plusSeconds(1));
    r.repository.markCompleted(id, T0.plusSeconds(2));

    assertThat(only(r.repository.findCompletedPublications()).getCompletionDate())
        .contains(T0.plusSeconds(2));
    assertThat(r.repository.countByStatus(Status.COMPLETED)).isEqualTo(1);
  }

  @Test
  void deletePublicationsDeletesIncompleteAndCompletedOnesByIdentifier() {
    Registry r = open(CompletionMode.UPDATE);
    UUID incomplete = r.publish(new OrderPlaced("a", 1), LISTENER, T0).getIdentifier();
    UUID completed = r.publish(new OrderPlaced("b", 1), LISTENER, T0).getIdentifier();
    UUID kept = r.publish(new OrderPlaced("c", 1), LISTENER, T0).getIdentifier();
    r.repository.markCompleted(completed, T0.plusSeconds(1));

    r.repository.deletePublications(List.of(incomplete, completed, UUID.randomUUID()));

    assertThat(ids(r.repository.findIncompletePublications())).containsExactly(kept);
    assertThat(r.repository.findCompletedPublications()).isEmpty();
    assertThat(r.repository.countByStatus(Status.COMPLETED)).isZero();
  }

  @ParameterizedTest
  @EnumSource(
      value = CompletionMode.class,
      names = {"UPDATE", "ARCHIVE"})
  void deleteCompletedPublicationsBeforeDeletesOnlyThoseCompletedEarlier(CompletionMode mode) {
    Registry r = open(mode);
    UUID early = r.publish(new OrderPlaced("a", 1), LISTENER, T0).getIdentifier();
    UUID late = r.publish(new OrderPlaced("b", 1), LISTENER, T0).getIdentifier();
    UUID incomplete = r.publish(new OrderPlaced("c", 1), LISTENER, T0).getIdentifier();
    r.repository.markCompleted(early, T0.plusSeconds(1));
    r.repository.markCompleted(late, T0.plusSeconds(3));

    r.repository.deleteCompletedPublicationsBefore(T0.plusSeconds(3));
    assertThat(ids(r.repository.findCompletedPublications())).containsExactly(late);
    assertThat(r.repository.countByStatus(Status.COMPLETED)).isEqualTo(1);

    r.repository.deleteCompletedPublications();
    assertThat(r.repository.findCompletedPublications()).isEmpty();
    assertThat(r.repository.countByStatus(Status.COMPLETED)).isZero();
    assertThat(ids(r.repository.findIncompletePublications())).containsExactly(incomplete);
  }

  @Test
  void deletingManyCompletedPublicationsWorksInChunks() {
    Registry r = open(CompletionMode.UPDATE);
    int n = DatawalEventPublicationRepository.DELETE_CHUNK * 2 + 3;
    for (int i = 0; i < n; i++) {
      UUID id = r.publish(new OrderPlaced("o" + i, i), LISTENER, T0.plusSeconds(i)).getIdentifier();
      r.repository.markCompleted(id, T0.plusSeconds(i));
    }
    assertThat(r.repository.countByStatus(Status.COMPLETED)).isEqualTo(n);
    assertThat(r.repository.findCompletedPublications()).hasSize(n);

    r.repository.deleteCompletedPublications();

    assertThat(r.repository.countByStatus(Status.COMPLETED)).isZero();
    assertThat(r.dataWal.size()).isZero();
  }

  @Test
  void aRolledBackTransactionLeavesNeitherThePublicationNorTheApplicationsWrite() {
    Registry r = open(CompletionMode.UPDATE);
    byte[] order = "order/1".getBytes(StandardCharsets.UTF_8);

    r.transactions.executeWithoutResult(
        status -> {
          r.template.put(order, "placed".getBytes(StandardCharsets.UTF_8));
          r.publish(new OrderPlaced("1", 1), LISTENER, T0);
          status.setRollbackOnly();
        });

    assertThat(r.dataWal.size()).isZero();
    assertThat(r.repository.findIncompletePublications()).isEmpty();
    assertThat(r.repository.statistics().incomplete()).isZero();
    assertThat(r.repository.statistics().createdSinceStart()).isZero();
  }

  @Test
  void aCommittedTransactionMakesTheWriteAndThePublicationAppearTogether() {
    Registry r = open(CompletionMode.UPDATE);
    byte[] order = "order/1".getBytes(StandardCharsets.UTF_8);
    UUID[] id = new UUID[1];

    r.transactions.executeWithoutResult(
        status -> {
          r.template.put(order, "placed".getBytes(StandardCharsets.UTF_8));
          id[0] = r.publish(new OrderPlaced("1", 1), LISTENER, T0).getIdentifier();
          // nothing is visible before the commit: not in the store, not in the index
          assertThat(r.dataWal.containsKey(order)).isFalse();
          assertThat(r.dataWal.containsKey(PublicationKeys.INCOMPLETE.key(id[0]))).isFalse();
          assertThat(r.repository.countByStatus(Status.PUBLISHED)).isZero();
        });

    assertThat(r.dataWal.containsKey(order)).isTrue();
    assertThat(ids(r.repository.findIncompletePublications())).containsExactly(id[0]);
    assertThat(r.repository.statistics().createdSinceStart()).isEqualTo(1);
  }

  @Test
  void aTransactionSeesItsOwnPublicationChanges() {
    Registry r = open(CompletionMode.UPDATE);
    UUID id =
        r.transactions.execute(
            status -> {
              UUID created = r.publish(new OrderPlaced("1", 1), LISTENER, T0).getIdentifier();
              r.repository.markProcessing(created);
              assertThat(r.repository.markResubmitted(created, T0.plusSeconds(1))).isTrue();
              assertThat(r.repository.markResubmitted(created, T0.plusSeconds(2))).isFalse();
              return created;
            });

    TargetEventPublication publication = only(r.repository.findByStatus(Status.RESUBMITTED));
    assertThat(publication.getIdentifier()).isEqualTo(id);
    assertThat(publication.getCompletionAttempts()).isEqualTo(2);
  }

  @Test
  void aChangeWaitsForTheTransactionThatClaimedThePublicationThenBuildsOnIt() throws Exception {
    Registry r = open(CompletionMode.UPDATE);
    UUID id = r.publish(new OrderPlaced("1", 1), LISTENER, T0).getIdentifier();
    r.repository.markFailed(id);
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch commit = new CountDownLatch(1);
    Thread resubmission =
        new Thread(
            () ->
                r.transactions.executeWithoutResult(
                    status -> {
                      assertThat(r.repository.markResubmitted(id, T0.plusSeconds(1))).isTrue();
                      claimed.countDown();
                      await(commit);
                    }),
            "resubmission");
    Thread listener = new Thread(() -> r.repository.markProcessing(id), "listener");
    resubmission.start();
    await(claimed);
    listener.start();
    // the listener's change waits for the claim's transaction, as for a database's row lock
    waitUntilBlocked(listener);
    assertThat(r.repository.countByStatus(Status.FAILED)).isEqualTo(1);
    commit.countDown();
    resubmission.join(10_000);
    listener.join(10_000);
    assertThat(resubmission.isAlive() || listener.isAlive()).isFalse();

    TargetEventPublication publication = only(r.repository.findByStatus(Status.PROCESSING));
    assertThat(publication.getCompletionAttempts()).isEqualTo(2); // built on the committed claim
    assertThat(publication.getLastResubmissionDate()).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  void aChangeOfAPublicationLockedBySuspendedTransactionOfTheSameThreadFailsAtOnce() {
    Registry r = open(CompletionMode.UPDATE);
    UUID id = r.publish(new OrderPlaced("1", 1), LISTENER, T0).getIdentifier();
    TransactionTemplate inner = new TransactionTemplate(r.transactions.getTransactionManager());
    inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);

    assertThatThrownBy(
            () ->
                r.transactions.executeWithoutResult(
                    outer -> {
                      assertThat(r.repository.markResubmitted(id, T0.plusSeconds(1))).isTrue();
                      inner.executeWithoutResult(
                          status -> r.repository.markCompleted(id, T0.plusSeconds(2)));
                    }))
        .isInstanceOf(CannotAcquireLockException.class)
        .hasMessageContaining(id.toString());

    TargetEventPublication publication = only(r.repository.findIncompletePublications());
    assertThat(publication.getStatus()).isEqualTo(Status.PUBLISHED);
    assertThat(publication.getCompletionAttempts()).isEqualTo(1);
    // the locks are gone with the transactions
    r.repository.markCompleted(id, T0.plusSeconds(3));
    assertThat(r.repository.findIncompletePublications()).isEmpty();
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).as("waited 10 s for the other thread").isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static void waitUntilBlocked(Thread thread) throws InterruptedException {
    for (int i = 0; i < 1000 && thread.getState() != Thread.State.TIMED_WAITING; i++) {
      Thread.sleep(10);
    }
    assertThat(thread.getState())
        .as("the listener's change waits")
        .isEqualTo(Thread.State.TIMED_WAITING);
  }

  @Test
  void aListingReadsAPublicationCompletedSinceAsCompleted() {
    Registry r = open(CompletionMode.DELETE);
    UUID id = r.publish(new OrderPlaced("1", 1), LISTENER, T0).getIdentifier();
    List<TargetEventPublication> incomplete = r.repository.findIncompletePublications();

    r.repository.markCompleted(id, T0.plusSeconds(1));

    TargetEventPublication gone = only(incomplete);
    assertThat(gone.getIdentifier()).isEqualTo(id);
    assertThat(gone.isCompleted()).isTrue();
    assertThat(gone.getTargetIdentifier().getValue()).isEqualTo(LISTENER);
    assertThatThrownBy(gone::getEvent)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(id.toString());
    assertThat(r.repository.markResubmitted(id, T0)).isFalse();
  }

  @Test
  void reopeningRebuildsTheIndexAndTheCounts() {
    Registry r = open(CompletionMode.UPDATE);
    UUID failed = r.publish(new OrderPlaced("a", 1), LISTENER, T0).getIdentifier();
    UUID resubmitted = r.publish(new OrderPlaced("b", 2), OTHER, T0.plusSeconds(1)).getIdentifier();
    UUID completed =
        r.publish(new OrderPlaced("c", 3), LISTENER, T0.plusSeconds(2)).getIdentifier();
    r.repository.markFailed(failed);
    r.repository.markResubmitted(resubmitted, T0.plusSeconds(9));
    r.repository.markCompleted(completed, T0.plusSeconds(10));

    registry = r.reopen();

    assertThat(registry.repository.findIncompletePublications())
        .extracting(
            TargetEventPublication::getIdentifier,
            TargetEventPublication::getStatus,
            TargetEventPublication::getCompletionAttempts,
            TargetEventPublication::getEvent)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(failed, Status.FAILED, 1, new OrderPlaced("a", 1)),
            org.assertj.core.groups.Tuple.tuple(
                resubmitted, Status.RESUBMITTED, 2, new OrderPlaced("b", 2)));
    assertThat(registry.repository.countByStatus(Status.COMPLETED)).isEqualTo(1);
    assertThat(registry.repository.statistics().oldestFailed()).isEqualTo(T0);
    assertThat(
            registry.repository.findIncompletePublicationsByEventAndTargetIdentifier(
                new OrderPlaced("b", 2), PublicationTargetIdentifier.of(OTHER)))
        .isPresent();
  }

  @Test
  void aDamagedValueFailsTheOpenNamingItsKey() {
    UUID id = UUID.fromString("00000000-0000-0000-0000-00000000002a");
    try (Registry r = new Registry(dir, CompletionMode.UPDATE)) {
      r.dataWal.put(PublicationKeys.INCOMPLETE.key(id), new byte[] {1, 0, 0});
    }

    assertThatThrownBy(() -> open(CompletionMode.UPDATE))
        .isInstanceOf(PublicationFormatException.class)
        .hasMessageContaining("modulith/pub/" + id)
        .hasMessageContaining("shorter than");
  }

  @Test
  void aMalformedPublicationKeyFailsTheOpenNamingIt() {
    try (Registry r = new Registry(dir, CompletionMode.UPDATE)) {
      r.dataWal.put("modulith/pub/short".getBytes(StandardCharsets.UTF_8), new byte[] {1});
    }

    assertThatThrownBy(() -> open(CompletionMode.UPDATE))
        .isInstanceOf(PublicationFormatException.class)
        .hasMessageContaining("modulith/pub/short");
  }

  @Test
  void theApplicationsOwnKeysAreLeftAlone() {
    try (Registry r = new Registry(dir, CompletionMode.UPDATE)) {
      r.dataWal.put("order/1".getBytes(StandardCharsets.UTF_8), new byte[] {1});
      r.dataWal.put("modulithic".getBytes(StandardCharsets.UTF_8), new byte[] {2});
    }

    Registry r = open(CompletionMode.UPDATE);

    assertThat(r.repository.statistics().incomplete()).isZero();
    assertThat(r.dataWal.size()).isEqualTo(2);
  }

  private static TargetEventPublication only(List<TargetEventPublication> publications) {
    assertThat(publications).hasSize(1);
    return publications.get(0);
  }

  private static List<UUID> ids(List<TargetEventPublication> publications) {
    return publications.stream().map(TargetEventPublication::getIdentifier).toList();
  }
}
