package dev.datawal.modulith;

import dev.datawal.DataWal;
import dev.datawal.Entry;
import dev.datawal.modulith.PublicationIndex.State;
import dev.datawal.spring.transaction.DatawalTemplate;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.modulith.events.EventPublication.Status;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The publications in one {@link DataWal}: their values in the store, the {@link PublicationIndex}
 * of the incomplete ones, the counts of the completed and archived ones, and the protocol that
 * keeps the three in step under concurrent transactions.
 *
 * <p>Thread-safe.
 */
final class PublicationStore {
  /*
   * Writes and the index. Every write of a publication key happens under writeLock, which orders
   * them against each other and against the index: outside a transaction a change's writes go to
   * the store as one atomic group under it, and the index follows before it is released; inside a
   * datawal transaction the change's entries join the transaction's writes (DatawalTemplate) and
   * the transaction's synchronization takes writeLock in beforeCommit and keeps it through the
   * commit's write to the index update in afterCommit (which runs first of all after-commit
   * callbacks: HIGHEST_PRECEDENCE, so before Modulith's after-commit listeners look for the
   * publication). A rolled-back transaction never reaches the index; afterCompletion releases the
   * lock whatever happened.
   *
   * Row locks. A change that reads an existing publication to change it first locks its id, and
   * keeps the lock until it is written (outside a transaction) or its transaction ends: as a
   * database's row lock does for Modulith's JDBC repository. So a listener's thread that marks a
   * publication PROCESSING while a resubmission's transaction has claimed it waits for that
   * transaction, then sees RESUBMITTED; two changes of one publication never both build on the
   * same state. A lock is waited for at most ROW_LOCK_WAIT (then CannotAcquireLockException, and
   * the transaction rolls back); one held by a suspended transaction of the same thread fails at
   * once, since waiting would wait for itself. The index state read under the row lock is what
   * prepare checks again before the commit, a guard that never fires unless the store was written
   * around the registry.
   *
   * Counts of completed and archived publications change only with writes under writeLock, so
   * whether a key exists before the write is known there (prepare), and the count moves after it.
   */
  static final Duration ROW_LOCK_WAIT = Duration.ofSeconds(30);

  private final DatawalTemplate template;
  private final DataWal dataWal;
  private final PublicationIndex index = new PublicationIndex();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Map<UUID, Change> rowOwners = new HashMap<>(); // guarded by itself
  private final AtomicLong completedCount = new AtomicLong();
  private final AtomicLong archivedCount = new AtomicLong();
  private final AtomicLong createdTotal = new AtomicLong();
  private final AtomicLong completedTotal = new AtomicLong();
  private final AtomicLong failedTotal = new AtomicLong();

  PublicationStore(DatawalTemplate template, ContentHash hash) {
    this.template = template;
    this.dataWal = template.dataWal();
    load(hash);
  }

  /** Computes the content hash of a stored publication (its listener id and serialized event). */
  interface ContentHash {
    long of(String listenerId, String serializedEvent);
  }

  /**
   * Builds the index from the store: one pass over its keys, reading the value of each incomplete
   * publication once; completed and archived ones are only counted.
   */
  private void load(ContentHash hash) {
    List<byte[]> keys = dataWal.keys(PublicationKeys.RESERVED); // the application's keys stay put
    int incomplete = 0;
    for (byte[] key : keys) {
      if (PublicationKeys.reserved(key)) {
        PublicationKeys table = PublicationKeys.tableOf(key);
        if (table == null) {
          throw new PublicationFormatException(
              key, "no publication table has this key's prefix (known: modulith/pub/, cmp/, arc/)");
        }
        table.id(key); // checks the length
        switch (table) {
          case INCOMPLETE -> incomplete++;
          case COMPLETED -> completedCount.incrementAndGet();
          case ARCHIVED -> archivedCount.incrementAndGet();
        }
      }
    }
    index.ensureCapacity(incomplete);
    for (int i = 0; i < keys.size(); i++) {
      byte[] key = keys.get(i);
      keys.set(i, null); // let the keys go as they are used: the store may hold many
      if (PublicationKeys.INCOMPLETE.holds(key)) {
        UUID id = PublicationKeys.INCOMPLETE.id(key);
        Optional<byte[]> value = dataWal.get(key);
        if (value.isEmpty()) {
          continue; // deleted since the key list was taken (by a writer outside this registry)
        }
        PublicationRecord record = PublicationRecord.decode(key, id, value.get());
        if (record.completed()) {
          throw new PublicationFormatException(
              key, "a completed publication under the prefix of incomplete ones");
        }
        index.add(
            id,
            PublicationRecord.code(record.status()),
            record.completionAttempts(),
            record.publicationDate(),
            record.listenerId(),
            hash.of(record.listenerId(), record.serializedEvent()));
      }
    }
  }

  PublicationIndex index() {
    return index;
  }

  DatawalTemplate template() {
    return template;
  }

  long completedCount() {
    return completedCount.get();
  }

  long archivedCount() {
    return archivedCount.get();
  }

  long createdTotal() {
    return createdTotal.get();
  }

  long completedTotal() {
    return completedTotal.get();
  }

  long failedTotal() {
    return failedTotal.get();
  }

  /**
   * {@return the record at {@code key}, in this thread's transaction's view, or null}
   *
   * @throws PublicationFormatException if the value does not decode
   */
  @Nullable PublicationRecord read(PublicationKeys table, UUID id) {
    byte[] key = table.key(id);
    Optional<byte[]> value = template.get(key);
    return value.isEmpty() ? null : PublicationRecord.decode(key, id, value.get());
  }

  /**
   * Runs {@code work} as one change: inside this thread's datawal transaction it joins it (and
   * takes effect when it commits), otherwise it runs under the write lock and is written as one
   * atomic group before this returns.
   */
  <T> T change(Function<Change, T> work) {
    if (template.inTransaction()) {
      return work.apply(transactionChanges().change);
    }
    Change change = new Change(false);
    try {
      T result = work.apply(change);
      writeLock.lock();
      try {
        change.prepare();
        if (!change.entries.isEmpty()) {
          template.write(change.entries);
        }
        change.apply();
      } finally {
        writeLock.unlock();
      }
      return result;
    } finally {
      change.unlockRows();
    }
  }

  private TransactionChanges transactionChanges() {
    TransactionChanges changes =
        (TransactionChanges) TransactionSynchronizationManager.getResource(this);
    if (changes == null) {
      if (!TransactionSynchronizationManager.isSynchronizationActive()) {
        throw new IllegalStateException(
            "datawal-modulith: the datawal transaction on this thread has no transaction"
                + " synchronization, so the publication index could not follow its commit; keep"
                + " the transaction manager's transactionSynchronization at its default (ALWAYS)");
      }
      changes = new TransactionChanges();
      TransactionSynchronizationManager.bindResource(this, changes);
      TransactionSynchronizationManager.registerSynchronization(changes);
    }
    return changes;
  }

  /** An incomplete publication as a change sees it: its stored record and its index state. */
  record Incomplete(PublicationRecord record, State state) {}

  /**
   * The writes of one change and what they do to the index and the counts, applied once they are in
   * the store.
   */
  final class Change {
    private final boolean transactional;
    private final Thread thread = Thread.currentThread();
    private final List<UUID> lockedRows = new ArrayList<>();
    private final List<Entry> entries = new ArrayList<>();
    private final List<Runnable> indexUpdates = new ArrayList<>();

    /** The index state this change read first for each publication it touched (null: absent). */
    private final Map<UUID, Optional<State>> expected = new HashMap<>();

    /** This change's own view of the publications it touched (empty: no longer incomplete). */
    private final Map<UUID, Optional<State>> own = new HashMap<>();

    /** Puts (true) and deletes (false) of completed or archived keys, in order. */
    private final List<Map.Entry<byte[], Boolean>> doneKeys = new ArrayList<>();

    private long completedDelta;
    private long archivedDelta;
    private int created;
    private int completed;
    private int failed;

    private Change(boolean transactional) {
      this.transactional = transactional;
    }

    /**
     * {@return publication {@code id} if it is incomplete in this change's view, else null}
     *
     * @throws PublicationFormatException if its value does not decode
     */
    @Nullable Incomplete incomplete(UUID id) {
      Optional<State> mine = own.get(id);
      if (mine != null) {
        return mine.isEmpty() ? null : new Incomplete(readIncomplete(id), mine.get());
      }
      lockRow(id);
      writeLock.lock(); // index and store agree under it: no commit is between its two steps
      try {
        State state = index.state(id);
        expected.putIfAbsent(id, Optional.ofNullable(state));
        return state == null ? null : new Incomplete(readIncomplete(id), state);
      } finally {
        writeLock.unlock();
      }
    }

    /**
     * Locks publication {@code id} for this change until it ends (see Row locks above).
     *
     * @throws CannotAcquireLockException if another change holds it longer than ROW_LOCK_WAIT, or a
     *     suspended transaction of this thread holds it
     */
    private void lockRow(UUID id) {
      synchronized (rowOwners) {
        long deadline = System.nanoTime() + ROW_LOCK_WAIT.toNanos();
        while (true) {
          Change holder = rowOwners.get(id);
          if (holder == null) {
            rowOwners.put(id, this);
            lockedRows.add(id);
            return;
          }
          if (holder == this) {
            return;
          }
          if (holder.thread == thread) {
            throw new CannotAcquireLockException(
                "datawal-modulith: publication "
                    + id
                    + " is being changed by a suspended transaction of this same thread;"
                    + " waiting for it would wait forever");
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new CannotAcquireLockException(
                "datawal-modulith: publication "
                    + id
                    + " stayed locked by another transaction (on thread "
                    + holder.thread.getName()
                    + ") for "
                    + ROW_LOCK_WAIT
                    + "; this one gives up");
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(rowOwners, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CannotAcquireLockException(
                "datawal-modulith: interrupted while waiting to change publication " + id, e);
          }
        }
      }
    }

    private void unlockRows() {
      if (lockedRows.isEmpty()) {
        return;
      }
      synchronized (rowOwners) {
        for (UUID id : lockedRows) {
          rowOwners.remove(id);
        }
        lockedRows.clear();
        rowOwners.notifyAll();
      }
    }

    private PublicationRecord readIncomplete(UUID id) {
      PublicationRecord record = read(PublicationKeys.INCOMPLETE, id);
      if (record == null) {
        throw new IllegalStateException(
            "datawal-modulith: publication "
                + id
                + " is indexed as incomplete but has no value under "
                + PublicationKeys.INCOMPLETE
                + " (was the key written or deleted around the registry?)");
      }
      return record;
    }

    /** Stores a new incomplete publication. */
    void insert(PublicationRecord record, long contentHash) {
      UUID id = record.id();
      write(Entry.put(PublicationKeys.INCOMPLETE.key(id), record.encode()));
      State state = new State(PublicationRecord.code(record.status()), record.completionAttempts());
      own.put(id, Optional.of(state));
      created++;
      indexUpdates.add(
          () ->
              index.add(
                  id,
                  state.status(),
                  state.attempts(),
                  record.publicationDate(),
                  record.listenerId(),
                  contentHash));
    }

    /** Stores a new state of an incomplete publication. */
    void rewrite(PublicationRecord record) {
      UUID id = record.id();
      write(Entry.put(PublicationKeys.INCOMPLETE.key(id), record.encode()));
      State state = new State(PublicationRecord.code(record.status()), record.completionAttempts());
      own.put(id, Optional.of(state));
      if (record.status() == Status.FAILED) {
        failed++;
      }
      indexUpdates.add(() -> index.update(id, state.status(), state.attempts()));
    }

    /**
     * Completes an incomplete publication: removes it, and stores {@code done} under {@code table}
     * (completed or archived) unless that is null.
     */
    void finish(UUID id, @Nullable PublicationKeys table, PublicationRecord done) {
      remove(id);
      completed++;
      if (table != null) {
        putDone(table, done);
      }
    }

    /** Deletes an incomplete publication. */
    void remove(UUID id) {
      write(Entry.delete(PublicationKeys.INCOMPLETE.key(id)));
      own.put(id, Optional.empty());
      indexUpdates.add(() -> index.remove(id));
    }

    /** Stores a completed publication under {@code table} (completed or archived). */
    void putDone(PublicationKeys table, PublicationRecord done) {
      byte[] key = table.key(done.id());
      write(Entry.put(key, done.encode()));
      doneKeys.add(Map.entry(key, true));
    }

    /** Deletes a completed publication from {@code table} (completed or archived). */
    void deleteDone(PublicationKeys table, UUID id) {
      byte[] key = table.key(id);
      write(Entry.delete(key));
      doneKeys.add(Map.entry(key, false));
    }

    private void write(Entry entry) {
      if (transactional) {
        template.write(entry);
      } else {
        entries.add(entry);
      }
    }

    /**
     * Under the write lock, before the writes reach the store: checks that no other transaction
     * changed what this one read, and works out what the writes do to the counts.
     */
    private void prepare() {
      for (Map.Entry<UUID, Optional<State>> seen : expected.entrySet()) {
        State now = index.state(seen.getKey());
        if (!Objects.equals(now, seen.getValue().orElse(null))) {
          throw new OptimisticLockingFailureException(
              "datawal-modulith: publication "
                  + seen.getKey()
                  + " changed in another transaction since this one read it (was "
                  + seen.getValue().map(Object::toString).orElse("not incomplete")
                  + ", now "
                  + (now == null ? "not incomplete" : now.toString())
                  + "); this transaction is rolled back");
        }
      }
      Map<ByteBuffer, Boolean> exists = new HashMap<>();
      for (Map.Entry<byte[], Boolean> write : doneKeys) {
        byte[] key = write.getKey();
        boolean existed =
            exists.computeIfAbsent(ByteBuffer.wrap(key), k -> dataWal.containsKey(key));
        long delta = write.getValue() == existed ? 0 : write.getValue() ? 1 : -1;
        if (PublicationKeys.ARCHIVED.holds(key)) {
          archivedDelta += delta;
        } else {
          completedDelta += delta;
        }
        exists.put(ByteBuffer.wrap(key), write.getValue());
      }
    }

    /** Once the writes are in the store: updates the index and the counts. */
    private void apply() {
      indexUpdates.forEach(Runnable::run);
      completedCount.addAndGet(completedDelta);
      archivedCount.addAndGet(archivedDelta);
      createdTotal.addAndGet(created);
      completedTotal.addAndGet(completed);
      failedTotal.addAndGet(failed);
    }
  }

  /** The publication changes of one datawal transaction, following its commit. */
  private final class TransactionChanges implements TransactionSynchronization {
    final Change change = new Change(true);
    private boolean locked;

    @Override
    public int getOrder() {
      return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public void suspend() {
      TransactionSynchronizationManager.unbindResource(PublicationStore.this);
    }

    @Override
    public void resume() {
      TransactionSynchronizationManager.bindResource(PublicationStore.this, this);
    }

    @Override
    public void beforeCommit(boolean readOnly) {
      writeLock.lock();
      locked = true;
      try {
        change.prepare();
      } catch (RuntimeException e) {
        release();
        throw e;
      }
    }

    @Override
    public void afterCommit() {
      try {
        change.apply();
      } finally {
        release();
      }
    }

    @Override
    public void afterCompletion(int status) {
      release();
      change.unlockRows();
      TransactionSynchronizationManager.unbindResourceIfPossible(PublicationStore.this);
    }

    private void release() {
      if (locked) {
        locked = false;
        writeLock.unlock();
      }
    }
  }
}
