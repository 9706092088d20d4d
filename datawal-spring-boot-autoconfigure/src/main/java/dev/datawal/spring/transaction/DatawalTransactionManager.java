package dev.datawal.spring.transaction;

import dev.datawal.DataWal;
import dev.datawal.DatawalException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.transaction.InvalidIsolationLevelException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.ResourceTransactionManager;
import org.springframework.transaction.support.SmartTransactionObject;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A {@link org.springframework.transaction.PlatformTransactionManager} for one {@link DataWal}: the
 * writes a transaction makes through {@link DatawalTemplate} are kept in memory and, when it
 * commits, written as one atomic record group ({@link DataWal#writeAtomically}): after a crash,
 * recovery applies all of them or none. The commit is durable when it returns under {@code
 * datawal.fsync.policy=always} (the default), or at the policy's next sync otherwise. A rolled-back
 * transaction writes nothing.
 *
 * <p>Isolation: a transaction reads its own writes; other threads see its writes only once it has
 * committed (they may see a committed group's writes appear one by one while the commit applies
 * them; there is no snapshot isolation). Only {@link TransactionDefinition#ISOLATION_DEFAULT} is
 * accepted. Propagation works as for any resource transaction manager: {@code REQUIRES_NEW}
 * suspends the outer transaction's writes, nested transactions (savepoints) are not supported.
 *
 * <p>Writes made directly on the {@link DataWal} or its {@link dev.datawal.RecordLog} are not part
 * of any transaction: they are written at once.
 */
@SuppressWarnings(
    "serial") // Serializable through its superclass, but holds an open store: never is
public final class DatawalTransactionManager extends AbstractPlatformTransactionManager
    implements ResourceTransactionManager {
  private final DataWal dataWal;

  /**
   * Creates a transaction manager for {@code dataWal}.
   *
   * @param dataWal the store whose writes the transactions collect
   */
  public DatawalTransactionManager(DataWal dataWal) {
    this.dataWal = Objects.requireNonNull(dataWal, "dataWal");
    setNestedTransactionAllowed(false);
  }

  /** {@return the store, the key under which a transaction's writes are bound to its thread} */
  @Override
  public DataWal getResourceFactory() {
    return dataWal;
  }

  @Override
  protected Object doGetTransaction() {
    return new DatawalTransaction(
        (PendingWrites) TransactionSynchronizationManager.getResource(dataWal));
  }

  @Override
  protected boolean isExistingTransaction(Object transaction) {
    return ((DatawalTransaction) transaction).writes != null;
  }

  @Override
  protected void doBegin(Object transaction, TransactionDefinition definition) {
    if (definition.getIsolationLevel() != TransactionDefinition.ISOLATION_DEFAULT) {
      throw new InvalidIsolationLevelException(
          "datawal transactions support only ISOLATION_DEFAULT (read your own writes, others see"
              + " them at commit); asked for isolation level "
              + definition.getIsolationLevel());
    }
    PendingWrites writes = new PendingWrites();
    writes.readOnly(definition.isReadOnly());
    int timeout = determineTimeout(definition);
    if (timeout != TransactionDefinition.TIMEOUT_DEFAULT) {
      writes.setTimeoutInSeconds(timeout);
    }
    writes.setSynchronizedWithTransaction(true);
    ((DatawalTransaction) transaction).writes = writes;
    TransactionSynchronizationManager.bindResource(dataWal, writes);
  }

  @Override
  protected Object doSuspend(Object transaction) {
    ((DatawalTransaction) transaction).writes = null;
    return TransactionSynchronizationManager.unbindResource(dataWal);
  }

  @Override
  protected void doResume(@Nullable Object transaction, Object suspendedResources) {
    TransactionSynchronizationManager.bindResource(dataWal, suspendedResources);
  }

  @Override
  protected void doCommit(DefaultTransactionStatus status) {
    PendingWrites writes = writesOf(status.getTransaction());
    if (writes.count() == 0) {
      return;
    }
    if (writes.hasTimeout()) {
      writes.getTimeToLiveInMillis(); // throws TransactionTimedOutException once past the deadline
    }
    try {
      dataWal.writeAtomically(writes.entries());
    } catch (DatawalException | IllegalStateException e) {
      throw new TransactionSystemException(
          "datawal could not commit the transaction's "
              + writes.count()
              + " writes to "
              + dataWal.log().dir()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  protected void doRollback(DefaultTransactionStatus status) {
    writesOf(status.getTransaction()).clear();
  }

  @Override
  protected void doSetRollbackOnly(DefaultTransactionStatus status) {
    writesOf(status.getTransaction()).setRollbackOnly();
  }

  @Override
  protected void doCleanupAfterCompletion(Object transaction) {
    DatawalTransaction tx = (DatawalTransaction) transaction;
    TransactionSynchronizationManager.unbindResourceIfPossible(dataWal);
    if (tx.writes != null) {
      tx.writes.clear();
    }
  }

  private static PendingWrites writesOf(Object transaction) {
    PendingWrites writes = ((DatawalTransaction) transaction).writes;
    if (writes == null) {
      throw new IllegalStateException("no datawal transaction is active");
    }
    return writes;
  }

  @Override
  public String toString() {
    return "DatawalTransactionManager[" + dataWal.log().dir() + "]";
  }

  /** The transaction object: the writes of the transaction bound to this thread, if any. */
  private static final class DatawalTransaction implements SmartTransactionObject {
    @Nullable PendingWrites writes;

    DatawalTransaction(@Nullable PendingWrites writes) {
      this.writes = writes;
    }

    @Override
    public boolean isRollbackOnly() {
      return writes != null && writes.isRollbackOnly();
    }

    @Override
    public void flush() {
      // nothing to flush early: the writes go to the store at commit, as one group
    }
  }
}
