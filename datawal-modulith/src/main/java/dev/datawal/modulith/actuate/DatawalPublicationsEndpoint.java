package dev.datawal.modulith.actuate;

import dev.datawal.modulith.DatawalEventPublicationRepository;
import dev.datawal.modulith.PublicationStatistics;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code datawalpublications} Actuator endpoint: Spring Modulith's event publications in the
 * datawal store, counted by status, with the age of the oldest incomplete and oldest failed one.
 * Everything comes from the repository's memory: a read costs no store I/O beyond one pass over the
 * index for the ages.
 *
 * <p>Thread-safe.
 */
@Endpoint(id = "datawalpublications")
public final class DatawalPublicationsEndpoint {
  private final DatawalEventPublicationRepository repository;
  private final Clock clock;

  /**
   * An endpoint on {@code repository}.
   *
   * @param repository the repository
   * @param clock the clock ages are measured with
   */
  public DatawalPublicationsEndpoint(DatawalEventPublicationRepository repository, Clock clock) {
    this.repository = Objects.requireNonNull(repository, "repository");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** {@return the publications' counts and ages now} */
  @ReadOperation
  public Publications publications() {
    PublicationStatistics s = repository.statistics();
    Instant now = clock.instant();
    return new Publications(
        repository.completionMode().name(),
        new Counts(
            s.incomplete(),
            s.published(),
            s.processing(),
            s.failed(),
            s.resubmitted(),
            s.completed(),
            s.archived()),
        s.oldestIncomplete(),
        seconds(s.oldestIncompleteAge(now).toMillis()),
        s.oldestFailed(),
        seconds(s.oldestFailedAge(now).toMillis()),
        new SinceStart(s.createdSinceStart(), s.completedSinceStart(), s.failedSinceStart()),
        s.indexBytes());
  }

  private static double seconds(long millis) {
    return millis / 1000.0;
  }

  /**
   * What the endpoint reports.
   *
   * @param completionMode what completing a publication does: UPDATE, DELETE or ARCHIVE
   * @param counts publications by status
   * @param oldestIncomplete the publication date of the oldest incomplete publication, or null
   * @param oldestIncompleteAgeSeconds its age in seconds, 0 if there is none
   * @param oldestFailed the publication date of the oldest failed publication, or null
   * @param oldestFailedAgeSeconds its age in seconds, 0 if there is none
   * @param sinceStart what happened since the repository opened
   * @param indexBytes an estimate of the heap the index of incomplete publications takes
   */
  public record Publications(
      String completionMode,
      Counts counts,
      @Nullable Instant oldestIncomplete,
      double oldestIncompleteAgeSeconds,
      @Nullable Instant oldestFailed,
      double oldestFailedAgeSeconds,
      SinceStart sinceStart,
      long indexBytes) {}

  /**
   * Publications by status.
   *
   * @param incomplete all not completed: published, processing, failed and resubmitted
   * @param published waiting for their listener
   * @param processing whose listener is running
   * @param failed whose listener failed
   * @param resubmitted submitted again after a failure
   * @param completed completed and kept in place (completion mode UPDATE)
   * @param archived completed and moved to the archive (completion mode ARCHIVE)
   */
  public record Counts(
      long incomplete,
      long published,
      long processing,
      long failed,
      long resubmitted,
      long completed,
      long archived) {}

  /**
   * Counts since the repository opened.
   *
   * @param created publications created
   * @param completed publications completed
   * @param failed times a publication was marked failed
   */
  public record SinceStart(long created, long completed, long failed) {}
}
