package dev.datawal.modulith.health;

import dev.datawal.modulith.DatawalEventPublicationRepository;
import dev.datawal.modulith.PublicationStatistics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code datawalPublications} health indicator: UP with the publications' counts and the ages
 * of the oldest incomplete and oldest failed one; DOWN only when the registry cannot read its store
 * (the oldest incomplete publication, or the store itself, is read on each check); {@link #STALLED}
 * when an incomplete publication is older than the configured age.
 *
 * <p>STALLED is a status of its own, not DOWN: a backlog of events is a matter for people (a
 * failing listener, a slow consumer) and restarting the application, which an orchestrator does on
 * DOWN, rarely cures it. Spring Boot's default aggregation ignores a status it does not know, so
 * STALLED shows in this component's details and leaves the application's overall status alone
 * unless the application lists it in {@code management.endpoint.health.status.order} (and maps it
 * in {@code management.endpoint.health.status.http-mapping}).
 *
 * <p>Thread-safe.
 */
public final class DatawalPublicationsHealthIndicator implements HealthIndicator {
  /** Reported when an incomplete publication is older than the configured age. */
  public static final Status STALLED =
      new Status("STALLED", "an incomplete event publication is older than allowed");

  private final DatawalEventPublicationRepository repository;
  private final @Nullable Duration stalledAfter;
  private final Clock clock;

  /**
   * An indicator for {@code repository}.
   *
   * @param repository the repository
   * @param stalledAfter report {@link #STALLED} when the oldest incomplete publication is older;
   *     null never does
   * @param clock the clock ages are measured with
   */
  public DatawalPublicationsHealthIndicator(
      DatawalEventPublicationRepository repository, @Nullable Duration stalledAfter, Clock clock) {
    this.repository = Objects.requireNonNull(repository, "repository");
    this.stalledAfter = stalledAfter;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Health health() {
    try {
      repository.checkReadable();
    } catch (RuntimeException e) {
      return Health.down(e).withDetail("reason", "the registry cannot read its store").build();
    }
    PublicationStatistics s = repository.statistics();
    Instant now = clock.instant();
    Duration oldestIncomplete = s.oldestIncompleteAge(now);
    boolean stalled =
        stalledAfter != null
            && s.oldestIncomplete() != null
            && oldestIncomplete.compareTo(stalledAfter) > 0;
    Health.Builder builder = stalled ? Health.status(STALLED) : Health.up();
    builder
        .withDetail("completionMode", repository.completionMode().name())
        .withDetail("incomplete", s.incomplete())
        .withDetail("published", s.published())
        .withDetail("processing", s.processing())
        .withDetail("failed", s.failed())
        .withDetail("resubmitted", s.resubmitted())
        .withDetail("completed", s.completed())
        .withDetail("archived", s.archived())
        .withDetail("oldestIncompleteAge", oldestIncomplete.toString())
        .withDetail("oldestFailedAge", s.oldestFailedAge(now).toString());
    if (stalledAfter != null) {
      builder.withDetail("stalledAfter", stalledAfter.toString());
    }
    if (stalled) {
      builder.withDetail(
          "reason",
          "the oldest incomplete publication was published "
              + oldestIncomplete
              + " ago, more than "
              + stalledAfter);
    }
    return builder.build();
  }
}
