package dev.datawal.spring.transaction;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.DataWal;
import dev.datawal.Entry;
import dev.datawal.LimitExceededException;
import dev.datawal.Record;
import dev.datawal.RecordLog;
import dev.datawal.RecordType;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.transaction.InvalidIsolationLevelException;
import org.springframework.transaction.NestedTransactionNotSupportedException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionTimedOutException;
import org.springframework.transaction.support.TransactionTemplate;

/** What a datawal transaction writes, when, and what it never writes. */
class DatawalTransactionManagerTests {
  @TempDir Path dir;

  private DataWal wal;
  private DatawalTemplate template;
  private TransactionTemplate tx;

  @BeforeEach
  void open() {
    wal = DataWal.open(dir);
    template = new DatawalTemplate(wal);
    tx = new TransactionTemplate(new DatawalTransactionManager(wal));
  }

  @AfterEach
  void close() {
    wal.close();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  private Optional<String> value(String key) {
    return wal.get(utf8(key)).map(v -> new String(v, UTF_8));
  }

  @Test
  void aCommittedTransactionWritesItsPutsDeletesAndEventsAsOneGroupInOrder() {
    wal.put(utf8("gone"), utf8("x"));
    long before = wal.log().lastTxid();

    tx.executeWithoutResult(
        status -> {
          template.put(utf8("order/1"), utf8("placed"));
          template.append(utf8("OrderPlaced 1"));
          template.delete(utf8("gone"));
          assertThat(wal.log().lastTxid()).as("nothing is written before commit").isEqualTo(before);
        });

    assertThat(value("order/1")).contains("placed");
    assertThat(value("gone")).isEmpty();
    List<Record> written = wal.log().scan().stream().filter(r -> r.txid() > before).toList();
    assertThat(written)
        .extracting(Record::type)
        .containsExactly(RecordType.PUT, RecordType.RAW, RecordType.DELETE);
    assertThat(new String(written.get(1).payload(), UTF_8)).isEqualTo("OrderPlaced 1");
  }

  @Test
  void aRolledBackTransactionWritesNothing() {
    long before = wal.log().lastTxid();

    assertThatThrownBy(
            () ->
                tx.executeWithoutResult(
                    status -> {
                      template.put(utf8("order/1"), utf8("placed"));
                      template.append(utf8("OrderPlaced 1"));
                      throw new IllegalStateException("payment refused");
                    }))
        .hasMessage("payment refused");
    tx.executeWithoutResult(
        status -> {
          template.put(utf8("order/2"), utf8("placed"));
          status.setRollbackOnly();
        });

    assertThat(wal.log().lastTxid()).isEqualTo(before);
    assertThat(value("order/1")).isEmpty();
    assertThat(value("order/2")).isEmpty();
    assertThat(wal.log().scan()).isEmpty();
  }

  @Test
  void aTransactionReadsItsOwnWritesAndOtherThreadsSeeThemOnlyAfterCommit() {
    wal.put(utf8("stock"), utf8("10"));

    tx.executeWithoutResult(
        status -> {
          template.put(utf8("stock"), utf8("9"));
          template.put(utf8("new"), utf8("1"));
          template.delete(utf8("new"));
          assertThat(template.get(utf8("stock")))
              .hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("9")));
          assertThat(template.containsKey(utf8("new"))).isFalse();
          assertThat(template.get(utf8("new"))).isEmpty();
          assertThat(template.pendingWrites()).isEqualTo(3);
          String seenElsewhere =
              CompletableFuture.supplyAsync(
                      () ->
                          template.get(utf8("stock")).map(v -> new String(v, UTF_8)).orElseThrow())
                  .join();
          assertThat(seenElsewhere).isEqualTo("10");
        });

    assertThat(value("stock")).contains("9");
    assertThat(value("new")).isEmpty();
  }

  @Test
  void deleteSaysWhetherTheKeyWasLiveInTheTransactionsView() {
    wal.put(utf8("a"), utf8("1"));

    tx.executeWithoutResult(
        status -> {
          assertThat(template.delete(utf8("a"))).isTrue();
          assertThat(template.delete(utf8("a"))).isFalse();
          assertThat(template.delete(utf8("never"))).isFalse();
        });
  }

  @Test
  void theTransactionKeepsWhatItWasGivenEvenIfTheCallerChangesItsArraysLater() {
    byte[] key = utf8("k");
    byte[] value = utf8("before");

    tx.executeWithoutResult(
        status -> {
          template.put(key, value);
          value[0] = 'X';
          key[0] = 'Z';
        });

    assertThat(value("k")).contains("before");
  }

  @Test
  void outsideATransactionTheTemplateWritesAtOnce() {
    template.put(utf8("a"), utf8("1"));
    assertThat(value("a")).contains("1");
    template.write(List.of(Entry.put(utf8("b"), utf8("2")), Entry.raw(utf8("event"))));
    assertThat(value("b")).contains("2");
    assertThat(template.inTransaction()).isFalse();
    assertThat(template.pendingWrites()).isZero();
  }

  @Test
  void requiresNewCommitsOnItsOwnWhateverTheOuterTransactionDoes() {
    TransactionTemplate inner = new TransactionTemplate(tx.getTransactionManager());
    inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);

    assertThatThrownBy(
            () ->
                tx.executeWithoutResult(
                    status -> {
                      template.put(utf8("outer"), utf8("1"));
                      inner.executeWithoutResult(s -> template.put(utf8("inner"), utf8("1")));
                      assertThat(template.get(utf8("outer")))
                          .as("outer writes resumed")
                          .isPresent();
                      throw new IllegalStateException("outer fails");
                    }))
        .hasMessage("outer fails");

    assertThat(value("inner")).contains("1");
    assertThat(value("outer")).isEmpty();
  }

  @Test
  void anInnerRequiredTransactionJoinsTheOuterOne() {
    TransactionTemplate inner = new TransactionTemplate(tx.getTransactionManager());

    assertThatThrownBy(
            () ->
                tx.executeWithoutResult(
                    status -> {
                      inner.executeWithoutResult(s -> template.put(utf8("inner"), utf8("1")));
                      assertThat(wal.log().lastTxid()).isZero();
                      throw new IllegalStateException("outer fails");
                    }))
        .hasMessage("outer fails");

    assertThat(value("inner")).isEmpty();
  }

  @Test
  void aReadOnlyTransactionRefusesWrites() {
    tx.setReadOnly(true);

    assertThatThrownBy(() -> tx.executeWithoutResult(status -> template.put(utf8("a"), utf8("1"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("read-only datawal transaction");
    assertThat(wal.log().lastTxid()).isZero();
  }

  @Test
  void onlyTheDefaultIsolationLevelIsAccepted() {
    tx.setIsolationLevel(TransactionDefinition.ISOLATION_SERIALIZABLE);

    assertThatThrownBy(() -> tx.executeWithoutResult(status -> {}))
        .isInstanceOf(InvalidIsolationLevelException.class)
        .hasMessageContaining("ISOLATION_DEFAULT");
  }

  @Test
  void nestedTransactionsAreRefused() {
    TransactionTemplate nested = new TransactionTemplate(tx.getTransactionManager());
    nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);

    assertThatThrownBy(
            () ->
                tx.executeWithoutResult(
                    status -> nested.executeWithoutResult(s -> template.put(utf8("a"), utf8("1")))))
        .isInstanceOf(NestedTransactionNotSupportedException.class);
    assertThat(wal.log().lastTxid()).isZero();
  }

  @Test
  void aTransactionPastItsTimeoutCommitsNothing() {
    tx.setTimeout(1);

    assertThatThrownBy(
            () ->
                tx.executeWithoutResult(
                    status -> {
                      template.put(utf8("late"), utf8("1"));
                      sleep(1_100);
                    }))
        .isInstanceOf(TransactionTimedOutException.class);
    assertThat(value("late")).isEmpty();
    assertThat(wal.log().lastTxid()).isZero();
  }

  @Test
  void anOversizeWriteFailsWhereItIsMadeAndTheTransactionCanStillCommit() {
    tx.executeWithoutResult(
        status -> {
          template.put(utf8("ok"), utf8("1"));
          assertThatThrownBy(() -> template.put(new byte[RecordLog.MAX_KEY_LEN + 1], utf8("v")))
              .isInstanceOf(LimitExceededException.class)
              .hasMessageContaining("MAX_KEY_LEN");
        });

    assertThat(value("ok")).contains("1");
    assertThat(wal.log().lastTxid()).isEqualTo(1);
  }

  @Test
  void aKeyReservedForGroupMarkersFailsWhereItIsWritten() {
    byte[] reserved = {0, 'd', 'a', 't', 'a', 'w', 'a', 'l', '.', 'g', 'r', 'o', 'u', 'p', 0, 1};

    tx.executeWithoutResult(
        status -> {
          assertThatThrownBy(() -> template.put(reserved, utf8("v")))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("reserved for the markers of record groups");
          template.put(utf8("ok"), utf8("1"));
        });

    assertThat(value("ok")).contains("1");
    assertThat(wal.containsKey(reserved)).isFalse();
  }

  @Test
  void aCommitOnAClosedStoreFailsAsATransactionSystemExceptionNamingTheStore() {
    assertThatThrownBy(
            () ->
                tx.executeWithoutResult(
                    status -> {
                      template.put(utf8("a"), utf8("1"));
                      template.put(utf8("b"), utf8("2"));
                      wal.close();
                    }))
        .isInstanceOf(org.springframework.transaction.TransactionSystemException.class)
        .hasMessageContaining("could not commit the transaction's 2 writes")
        .hasMessageContaining(dir.toString());
    wal = DataWal.open(dir);
    assertThat(wal.size()).isZero();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
