package dev.datawal.modulith;

import dev.datawal.DataWal;
import dev.datawal.spring.transaction.DatawalTemplate;
import dev.datawal.spring.transaction.DatawalTransactionManager;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.springframework.modulith.events.core.PublicationTargetIdentifier;
import org.springframework.modulith.events.core.TargetEventPublication;
import org.springframework.modulith.events.support.CompletionMode;
import org.springframework.transaction.support.TransactionTemplate;

/** A real store in a directory, with its template, transactions and a repository on it. */
final class Registry implements AutoCloseable {
  final Path dir;
  final CompletionMode mode;
  final DataWal dataWal;
  final DatawalTemplate template;
  final TransactionTemplate transactions;
  final DatawalEventPublicationRepository repository;

  Registry(Path dir, CompletionMode mode) {
    this.dir = dir;
    this.mode = mode;
    this.dataWal = DataWal.open(dir);
    this.template = new DatawalTemplate(dataWal);
    this.transactions = new TransactionTemplate(new DatawalTransactionManager(dataWal));
    DatawalEventPublicationRepository opened;
    try {
      opened = new DatawalEventPublicationRepository(template, new JsonEventSerializer(), mode);
    } catch (RuntimeException e) {
      dataWal.close();
      throw e;
    }
    this.repository = opened;
  }

  Registry reopen() {
    dataWal.close();
    return new Registry(dir, mode);
  }

  /** Creates a publication of {@code event} for {@code listener} published at {@code date}. */
  TargetEventPublication publish(Object event, String listener, Instant date) {
    return repository.create(
        TargetEventPublication.of(event, PublicationTargetIdentifier.of(listener), date));
  }

  static UUID id(TargetEventPublication publication) {
    return publication.getIdentifier();
  }

  @Override
  public void close() {
    dataWal.close();
  }
}
