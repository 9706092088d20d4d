package dev.datawal.modulith;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.modulith.events.core.PublicationTargetIdentifier;
import org.springframework.modulith.events.core.TargetEventPublication;

/**
 * A publication read from the store. The event is deserialized when first asked for; until then
 * only its serialized form is held. Not thread-safe, like Modulith's own publications.
 */
final class StoredPublication implements TargetEventPublication {
  private final UUID id;
  private final Instant publicationDate;
  private final String listenerId;
  private final int completionAttempts;
  private final @Nullable Instant lastResubmissionDate;
  private final Supplier<Object> eventReader;

  private @Nullable Object event;
  private @Nullable Instant completionDate;
  private Status status;

  StoredPublication(PublicationRecord record, Supplier<Object> eventReader) {
    this(
        record.id(),
        record.publicationDate(),
        record.listenerId(),
        record.status(),
        record.completionAttempts(),
        record.lastResubmissionDate(),
        record.completionDate(),
        eventReader);
  }

  StoredPublication(
      UUID id,
      Instant publicationDate,
      String listenerId,
      Status status,
      int completionAttempts,
      @Nullable Instant lastResubmissionDate,
      @Nullable Instant completionDate,
      Supplier<Object> eventReader) {
    this.id = id;
    this.publicationDate = publicationDate;
    this.listenerId = listenerId;
    this.status = status;
    this.completionAttempts = completionAttempts;
    this.lastResubmissionDate = lastResubmissionDate;
    this.completionDate = completionDate;
    this.eventReader = eventReader;
  }

  @Override
  public UUID getIdentifier() {
    return id;
  }

  @Override
  public Object getEvent() {
    Object read = event;
    if (read == null) {
      read = eventReader.get();
      event = read;
    }
    return read;
  }

  @Override
  public PublicationTargetIdentifier getTargetIdentifier() {
    return PublicationTargetIdentifier.of(listenerId);
  }

  @Override
  public Instant getPublicationDate() {
    return publicationDate;
  }

  @Override
  public Optional<Instant> getCompletionDate() {
    return Optional.ofNullable(completionDate);
  }

  @Override
  public Status getStatus() {
    return status;
  }

  @Override
  public @Nullable Instant getLastResubmissionDate() {
    return lastResubmissionDate;
  }

  @Override
  public int getCompletionAttempts() {
    return completionAttempts;
  }

  @Override
  public void markCompleted(Instant instant) {
    this.completionDate = instant;
    this.status = Status.COMPLETED;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof StoredPublication that
        && id.equals(that.id)
        && listenerId.equals(that.listenerId)
        && publicationDate.equals(that.publicationDate)
        && Objects.equals(completionDate, that.completionDate);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, listenerId, publicationDate, completionDate);
  }

  @Override
  public String toString() {
    return "StoredPublication["
        + id
        + ", "
        + status
        + ", listener "
        + listenerId
        + ", published "
        + publicationDate
        + ", attempts "
        + completionAttempts
        + "]";
  }
}
