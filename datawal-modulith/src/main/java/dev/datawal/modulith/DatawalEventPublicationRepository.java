package dev.datawal.modulith;

import dev.datawal.DataWal;
import dev.datawal.modulith.PublicationIndex.Selection;
import dev.datawal.modulith.PublicationStore.Change;
import dev.datawal.modulith.PublicationStore.Incomplete;
import dev.datawal.spring.transaction.DatawalTemplate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.modulith.events.EventPublication.Status;
import org.springframework.modulith.events.core.EventPublicationRepository;
import org.springframework.modulith.events.core.EventSerializer;
import org.springframework.modulith.events.core.PublicationTargetIdentifier;
import org.springframework.modulith.events.core.TargetEventPublication;
import org.springframework.modulith.events.support.CompletionMode;
import org.springframework.util.ClassUtils;

/**
 * Spring Modulith's {@link EventPublicationRepository} on a datawal {@link DataWal}: the event
 * publication registry's publications are entries of the application's own store, so a publication
 * created in a datawal transaction ({@code @Transactional} with the {@link
 * dev.datawal.spring.transaction.DatawalTransactionManager}) is committed in the same atomic record
 * group as the application's own writes, or not at all.
 *
 * <p>Behaves as Modulith's JDBC repository (schema V2): statuses PUBLISHED, PROCESSING, FAILED,
 * RESUBMITTED and COMPLETED, completion attempts and last resubmission date, and the three {@link
 * CompletionMode}s: UPDATE keeps a completed publication, DELETE removes it, ARCHIVE moves it to an
 * archive. Storage: each publication is one key, {@code modulith/pub/} (incomplete), {@code
 * modulith/cmp/} (completed) or {@code modulith/arc/} (archived) followed by its UUID's 16 bytes,
 * with a versioned binary value (see {@code docs/modulith.md}). A value that does not decode raises
 * {@link PublicationFormatException} naming its key.
 *
 * <p>Memory: incomplete publications are indexed in memory in compact primitive form (id, status,
 * attempts, publication date, listener, hash of listener and event: about 50 bytes each, no event
 * payloads), built when the repository is created by reading the store once. Completed publications
 * are only counted; they are read from the store when asked for. Every list this repository returns
 * reads each publication from the store when its element is asked for.
 *
 * <p>Transactions: inside a datawal transaction on this thread, changes join it and the index
 * follows at commit (before any other after-commit callback, so Modulith's after-commit listeners
 * find a new publication indexed); a rolled-back transaction changes nothing. A change of an
 * existing publication locks it until the change is written or its transaction ends, as a
 * database's row lock would: another change of it waits (at most 30 seconds, then {@link
 * org.springframework.dao.CannotAcquireLockException}). Outside a transaction each change is
 * written as its own atomic group before the method returns. Listings show committed publications.
 *
 * <p>Thread-safe.
 */
public final class DatawalEventPublicationRepository
    implements EventPublicationRepository, BeanClassLoaderAware {
  private static final int INCOMPLETE_STATUSES =
      ~(1 << PublicationRecord.code(Status.COMPLETED)) & ((1 << PublicationIndex.STATUSES) - 1);

  /** Completed publications deleted per atomic group by the bulk deletes. */
  static final int DELETE_CHUNK = 1024;

  private final PublicationStore store;
  private final EventSerializer serializer;
  private final CompletionMode completionMode;
  private @Nullable ClassLoader classLoader;

  /**
   * Opens the repository: reads the incomplete publications in {@code template}'s store once to
   * build the index.
   *
   * @param template the application's template on its store, whose transactions publications join
   * @param serializer Modulith's serializer of events (Jackson's by default)
   * @param completionMode what completing a publication does ({@code
   *     spring.modulith.events.completion-mode})
   * @throws PublicationFormatException if a stored publication does not decode
   * @throws IllegalStateException if the store is closed
   */
  public DatawalEventPublicationRepository(
      DatawalTemplate template, EventSerializer serializer, CompletionMode completionMode) {
    this.serializer = Objects.requireNonNull(serializer, "serializer");
    this.completionMode = Objects.requireNonNull(completionMode, "completionMode");
    this.store =
        new PublicationStore(
            Objects.requireNonNull(template, "template"),
            DatawalEventPublicationRepository::contentHash);
  }

  @Override
  public void setBeanClassLoader(ClassLoader classLoader) {
    this.classLoader = classLoader;
  }

  /** {@return what completing a publication does in this repository} */
  public CompletionMode completionMode() {
    return completionMode;
  }

  /** {@return counts and ages of the publications now, from memory} */
  public PublicationStatistics statistics() {
    PublicationIndex index = store.index();
    return new PublicationStatistics(
        index.count(PublicationRecord.code(Status.PUBLISHED)),
        index.count(PublicationRecord.code(Status.PROCESSING)),
        index.count(PublicationRecord.code(Status.FAILED)),
        index.count(PublicationRecord.code(Status.RESUBMITTED)),
        store.completedCount(),
        store.archivedCount(),
        index.oldest(INCOMPLETE_STATUSES),
        index.oldest(1 << PublicationRecord.code(Status.FAILED)),
        store.createdTotal(),
        store.completedTotal(),
        store.failedTotal(),
        index.estimatedBytes());
  }

  /**
   * Reads the oldest incomplete publication from the store (or, if there is none, checks that the
   * store is open): what a health check does to learn that the registry can still read its store.
   *
   * @throws PublicationFormatException if that publication does not decode
   * @throws IllegalStateException if the store is closed
   * @throws dev.datawal.DatawalException if the store cannot be read
   */
  public void checkReadable() {
    Selection oldest = store.index().select(INCOMPLETE_STATUSES, null, 1);
    if (oldest.size() == 0) {
      store.template().dataWal().containsKey(PublicationKeys.INCOMPLETE.key(new UUID(0, 0)));
    } else {
      store.read(PublicationKeys.INCOMPLETE, oldest.id(0));
    }
  }

  @Override
  public TargetEventPublication create(TargetEventPublication publication) {
    if (publication.getStatus() == Status.COMPLETED || publication.isCompleted()) {
      throw new IllegalArgumentException(
          "datawal-modulith: publication "
              + publication.getIdentifier()
              + " is already completed; only new publications are created");
    }
    Object event = publication.getEvent();
    String listenerId = publication.getTargetIdentifier().getValue();
    String serialized = serialize(event);
    PublicationRecord record =
        new PublicationRecord(
            publication.getIdentifier(),
            publication.getStatus(),
            1, // as Modulith's JDBC repository: the first attempt is the publication itself
            publication.getPublicationDate(),
            publication.getPublicationDate(),
            null,
            listenerId,
            event.getClass().getName(),
            serialized);
    long hash = contentHash(listenerId, serialized);
    store.change(
        change -> {
          change.insert(record, hash);
          return null;
        });
    return publication;
  }

  @Override
  public void markProcessing(UUID identifier) {
    transition(identifier, Status.PROCESSING);
  }

  @Override
  public void markFailed(UUID identifier) {
    transition(identifier, Status.FAILED);
  }

  /** Sets an incomplete publication's status, unless it already has it (Modulith's JDBC rule). */
  private void transition(UUID identifier, Status status) {
    Objects.requireNonNull(identifier, "identifier");
    store.change(
        change -> {
          Incomplete publication = change.incomplete(identifier);
          if (publication != null && publication.record().status() != status) {
            change.rewrite(publication.record().withStatus(status));
          }
          return null;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Only an incomplete publication that is not already RESUBMITTED can be claimed; it gets
   * status RESUBMITTED, one more completion attempt and {@code resubmissionDate} as its last
   * resubmission.
   */
  @Override
  public boolean markResubmitted(UUID identifier, Instant resubmissionDate) {
    Objects.requireNonNull(identifier, "identifier");
    Objects.requireNonNull(resubmissionDate, "resubmissionDate");
    return store.change(
        change -> {
          Incomplete publication = change.incomplete(identifier);
          if (publication == null || publication.record().status() == Status.RESUBMITTED) {
            return false;
          }
          change.rewrite(publication.record().resubmitted(resubmissionDate));
          return true;
        });
  }

  @Override
  public void markCompleted(UUID identifier, Instant completionDate) {
    Objects.requireNonNull(identifier, "identifier");
    Objects.requireNonNull(completionDate, "completionDate");
    store.change(
        change -> {
          Incomplete publication = change.incomplete(identifier);
          if (publication != null) {
            complete(change, publication.record(), completionDate);
          } else {
            completeAgain(change, identifier, completionDate);
          }
          return null;
        });
  }

  @Override
  public void markCompleted(
      Object event, PublicationTargetIdentifier identifier, Instant completionDate) {
    String listenerId = identifier.getValue();
    String serialized = serialize(event);
    long hash = contentHash(listenerId, serialized);
    store.change(
        change -> {
          for (UUID id : store.index().withContent(listenerId, hash)) {
            Incomplete publication = change.incomplete(id);
            if (publication != null && sameContent(publication.record(), listenerId, serialized)) {
              complete(change, publication.record(), completionDate);
            }
          }
          return null;
        });
  }

  /** Completes an incomplete publication as the completion mode says. */
  private void complete(Change change, PublicationRecord publication, Instant completionDate) {
    PublicationRecord done = publication.completedAt(completionDate);
    switch (completionMode) {
      case UPDATE -> change.finish(publication.id(), PublicationKeys.COMPLETED, done);
      case DELETE -> change.finish(publication.id(), null, done);
      case ARCHIVE -> {
        // as Modulith's JDBC repository: an archived copy already there is kept
        boolean archived = store.read(PublicationKeys.ARCHIVED, publication.id()) != null;
        change.finish(publication.id(), archived ? null : PublicationKeys.ARCHIVED, done);
      }
    }
  }

  /**
   * Completes a publication that is not incomplete: as Modulith's JDBC repository does with a
   * completed row of its publication table, UPDATE sets its completion date again, DELETE deletes
   * it, ARCHIVE moves it to the archive.
   */
  private void completeAgain(Change change, UUID id, Instant completionDate) {
    PublicationRecord completed = store.read(PublicationKeys.COMPLETED, id);
    if (completed == null) {
      return;
    }
    switch (completionMode) {
      case UPDATE ->
          change.putDone(PublicationKeys.COMPLETED, completed.completedAt(completionDate));
      case DELETE -> change.deleteDone(PublicationKeys.COMPLETED, id);
      case ARCHIVE -> {
        if (store.read(PublicationKeys.ARCHIVED, id) == null) {
          change.putDone(PublicationKeys.ARCHIVED, completed.completedAt(completionDate));
        }
        change.deleteDone(PublicationKeys.COMPLETED, id);
      }
    }
  }

  @Override
  public List<TargetEventPublication> findIncompletePublications() {
    return incomplete(store.index().select(INCOMPLETE_STATUSES, null, -1));
  }

  @Override
  public List<TargetEventPublication> findIncompletePublicationsPublishedBefore(Instant instant) {
    Objects.requireNonNull(instant, "instant");
    return incomplete(store.index().select(INCOMPLETE_STATUSES, instant, -1));
  }

  @Override
  public Optional<TargetEventPublication> findIncompletePublicationsByEventAndTargetIdentifier(
      Object event, PublicationTargetIdentifier targetIdentifier) {
    String listenerId = targetIdentifier.getValue();
    String serialized = serialize(event);
    PublicationRecord first = null;
    for (UUID id : store.index().withContent(listenerId, contentHash(listenerId, serialized))) {
      PublicationRecord record = store.read(PublicationKeys.INCOMPLETE, id);
      if (record != null
          && sameContent(record, listenerId, serialized)
          && (first == null || record.publicationDate().isBefore(first.publicationDate()))) {
        first = record;
      }
    }
    return Optional.ofNullable(first).map(this::publication);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Failed publications, oldest first; published before the criteria's reference date if it has
   * one; at most its number of items unless that is -1.
   */
  @Override
  public List<TargetEventPublication> findFailedPublications(FailedCriteria criteria) {
    Objects.requireNonNull(criteria, "criteria");
    return incomplete(
        store
            .index()
            .select(
                1 << PublicationRecord.code(Status.FAILED),
                criteria.getPublicationDateReference(),
                criteria.getMaxItemsToRead()));
  }

  /**
   * {@inheritDoc}
   *
   * <p>COMPLETED finds the completed publications as {@link #findCompletedPublications()} does (the
   * archive under completion mode ARCHIVE); every other status, the incomplete publications with
   * that status, oldest first.
   */
  @Override
  public List<TargetEventPublication> findByStatus(Status status) {
    Objects.requireNonNull(status, "status");
    if (status == Status.COMPLETED) {
      return findCompletedPublications();
    }
    return incomplete(store.index().select(1 << PublicationRecord.code(status), null, -1));
  }

  /**
   * {@inheritDoc}
   *
   * <p>From memory: COMPLETED counts the archive under completion mode ARCHIVE, else the completed
   * publications kept in place. Counts beyond {@link Integer#MAX_VALUE} are reported as it.
   */
  @Override
  public int countByStatus(Status status) {
    Objects.requireNonNull(status, "status");
    long count =
        status == Status.COMPLETED
            ? (completionMode == CompletionMode.ARCHIVE
                ? store.archivedCount()
                : store.completedCount())
            : store.index().count(PublicationRecord.code(status));
    return (int) Math.min(Integer.MAX_VALUE, count);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The archive under completion mode ARCHIVE, else the completed publications kept in place;
   * oldest publication first. Read from the store: one pass over its keys and one read of each
   * completed publication to sort them, then each again when its element is asked for.
   */
  @Override
  public List<TargetEventPublication> findCompletedPublications() {
    PublicationKeys table = completedTable();
    List<byte[]> keys = keysOf(table);
    Map<String, Character> listeners = new HashMap<>();
    List<String> listenerIds = new ArrayList<>();
    long[] msb = new long[keys.size()];
    long[] lsb = new long[keys.size()];
    long[] dates = new long[keys.size()];
    char[] listenerNumbers = new char[keys.size()];
    int n = 0;
    for (int i = 0; i < keys.size(); i++) {
      UUID id = table.id(keys.get(i));
      keys.set(i, null);
      PublicationRecord record = store.read(table, id);
      if (record == null) {
        continue; // deleted since the keys were listed
      }
      char number =
          listeners.computeIfAbsent(
              record.listenerId(),
              l -> {
                listenerIds.add(l);
                return (char) (listenerIds.size() - 1);
              });
      msb[n] = id.getMostSignificantBits();
      lsb[n] = id.getLeastSignificantBits();
      dates[n] = PublicationIndex.nanos(record.publicationDate());
      listenerNumbers[n] = number;
      n++;
    }
    Selection selection = new Selection(n, listenerIds.toArray(new String[0]));
    byte completed = PublicationRecord.code(Status.COMPLETED);
    for (int i = 0; i < n; i++) {
      selection.set(i, msb[i], lsb[i], dates[i], listenerNumbers[i], completed);
    }
    selection.sort();
    return new LazyPublicationList(selection.size(), i -> readOrGone(selection, i, table));
  }

  /**
   * {@inheritDoc}
   *
   * <p>As Modulith's JDBC repository, from its publication table: incomplete publications and
   * completed ones kept in place (never the archive).
   */
  @Override
  public void deletePublications(List<UUID> identifiers) {
    Objects.requireNonNull(identifiers, "identifiers");
    store.change(
        change -> {
          for (UUID id : identifiers) {
            if (change.incomplete(id) != null) {
              change.remove(id);
            }
            if (store.read(PublicationKeys.COMPLETED, id) != null) {
              change.deleteDone(PublicationKeys.COMPLETED, id);
            }
          }
          return null;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>The archive under completion mode ARCHIVE, else the completed publications kept in place; in
   * atomic groups of {@value #DELETE_CHUNK}.
   */
  @Override
  public void deleteCompletedPublications() {
    deleteCompleted(null);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Those completed before {@code instant}, from the table {@link
   * #deleteCompletedPublications()} deletes from; each completed publication is read for its
   * completion date.
   */
  @Override
  public void deleteCompletedPublicationsBefore(Instant instant) {
    deleteCompleted(Objects.requireNonNull(instant, "instant"));
  }

  private void deleteCompleted(@Nullable Instant before) {
    PublicationKeys table = completedTable();
    List<byte[]> keys = keysOf(table);
    for (int from = 0; from < keys.size(); from += DELETE_CHUNK) {
      List<byte[]> chunk = keys.subList(from, Math.min(keys.size(), from + DELETE_CHUNK));
      store.change(
          change -> {
            for (byte[] key : chunk) {
              UUID id = table.id(key);
              if (before != null) {
                Optional<byte[]> value = store.template().get(key);
                Instant completed =
                    value.isEmpty() ? null : PublicationRecord.completionDate(key, value.get());
                if (completed == null || !completed.isBefore(before)) {
                  continue;
                }
              }
              change.deleteDone(table, id);
            }
            return null;
          });
    }
  }

  private PublicationKeys completedTable() {
    return completionMode == CompletionMode.ARCHIVE
        ? PublicationKeys.ARCHIVED
        : PublicationKeys.COMPLETED;
  }

  /** The keys of one table: only they are copied from the store's key directory. */
  private List<byte[]> keysOf(PublicationKeys table) {
    List<byte[]> keys = store.template().dataWal().keys(table.prefix());
    keys.forEach(table::id); // checks the length
    return keys;
  }

  private List<TargetEventPublication> incomplete(Selection selection) {
    if (selection.size() == 0) {
      return Collections.emptyList();
    }
    return new LazyPublicationList(
        selection.size(), i -> readOrGone(selection, i, PublicationKeys.INCOMPLETE));
  }

  /**
   * Reads element {@code i} of a listing from {@code table}; one that left it since the listing was
   * taken is read from where completion put it, or, deleted, stands in as completed.
   */
  private TargetEventPublication readOrGone(Selection selection, int i, PublicationKeys table) {
    UUID id = selection.id(i);
    PublicationRecord record = store.read(table, id);
    if (record == null && table == PublicationKeys.INCOMPLETE) {
      record = store.read(completedTable(), id);
    }
    if (record != null) {
      return publication(record);
    }
    String listenerId = selection.listenerId(i);
    return new StoredPublication(
        id,
        selection.publicationDate(i),
        listenerId,
        Status.COMPLETED,
        0,
        null,
        Instant.now(),
        () -> {
          throw new IllegalStateException(
              "datawal-modulith: publication "
                  + id
                  + " for "
                  + listenerId
                  + " was completed and deleted after this list was taken; its event is no longer"
                  + " stored");
        });
  }

  private StoredPublication publication(PublicationRecord record) {
    return new StoredPublication(record, eventReader(record));
  }

  private Supplier<Object> eventReader(PublicationRecord record) {
    return () -> {
      Class<?> type;
      try {
        type = ClassUtils.forName(record.eventType(), classLoader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException(
            "datawal-modulith: publication "
                + record.id()
                + " holds an event of type "
                + record.eventType()
                + ", which this application cannot load",
            e);
      }
      return serializer.deserialize(record.serializedEvent(), type);
    };
  }

  private String serialize(Object event) {
    return serializer.serialize(event).toString();
  }

  private static boolean sameContent(
      PublicationRecord record, String listenerId, String serializedEvent) {
    return record.listenerId().equals(listenerId)
        && record.serializedEvent().equals(serializedEvent);
  }

  /** A 64-bit hash (FNV-1a, then a final mix) of a listener id and a serialized event. */
  static long contentHash(String listenerId, String serializedEvent) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < listenerId.length(); i++) {
      h = (h ^ listenerId.charAt(i)) * 0x100000001b3L;
    }
    h = (h ^ 0xffff) * 0x100000001b3L; // separates the two: ("ab", "c") is not ("a", "bc")
    for (int i = 0; i < serializedEvent.length(); i++) {
      h = (h ^ serializedEvent.charAt(i)) * 0x100000001b3L;
    }
    h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
    return h ^ (h >>> 33);
  }

  @Override
  public String toString() {
    return "DatawalEventPublicationRepository["
        + store.template().dataWal()
        + ", "
        + completionMode
        + "]";
  }
}
