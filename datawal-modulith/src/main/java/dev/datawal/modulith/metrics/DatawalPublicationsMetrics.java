package dev.datawal.modulith.metrics;

import dev.datawal.modulith.DatawalEventPublicationRepository;
import dev.datawal.modulith.PublicationStatistics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters of the datawal event publication registry, all read from the repository's
 * memory when the registry is scraped:
 *
 * <ul>
 *   <li>{@code datawal.modulith.publications} (gauge), tagged {@code status}: {@code published},
 *       {@code processing}, {@code failed}, {@code resubmitted} (the incomplete ones), {@code
 *       completed}, {@code archived};
 *   <li>{@code datawal.modulith.publications.oldest.age} (time gauge), tagged {@code kind}: {@code
 *       incomplete} or {@code failed}, the age of the oldest such publication, 0 if none;
 *   <li>{@code datawal.modulith.publications.registered}, {@code .completed}, {@code .failed}
 *       (function counters): publications registered (created; not "created", which Prometheus
 *       reads as a suffix of the gauge's name), completed, and marked failed since the repository
 *       opened.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class DatawalPublicationsMetrics implements MeterBinder {
  /** The gauge of publications by status. */
  public static final String PUBLICATIONS = "datawal.modulith.publications";

  /** The time gauge of the oldest publication's age, by kind. */
  public static final String OLDEST_AGE = "datawal.modulith.publications.oldest.age";

  private final DatawalEventPublicationRepository repository;
  private final Clock clock;

  /**
   * Meters of {@code repository}.
   *
   * @param repository the repository
   * @param clock the clock ages are measured with
   */
  public DatawalPublicationsMetrics(DatawalEventPublicationRepository repository, Clock clock) {
    this.repository = Objects.requireNonNull(repository, "repository");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    status(registry, "published", PublicationStatistics::published);
    status(registry, "processing", PublicationStatistics::processing);
    status(registry, "failed", PublicationStatistics::failed);
    status(registry, "resubmitted", PublicationStatistics::resubmitted);
    status(registry, "completed", PublicationStatistics::completed);
    status(registry, "archived", PublicationStatistics::archived);
    TimeGauge.builder(
            OLDEST_AGE,
            repository,
            TimeUnit.MILLISECONDS,
            r -> r.statistics().oldestIncompleteAge(clock.instant()).toMillis())
        .tag("kind", "incomplete")
        .description("Age of the oldest incomplete event publication (0 if none)")
        .register(registry);
    TimeGauge.builder(
            OLDEST_AGE,
            repository,
            TimeUnit.MILLISECONDS,
            r -> r.statistics().oldestFailedAge(clock.instant()).toMillis())
        .tag("kind", "failed")
        .description("Age of the oldest failed event publication (0 if none)")
        .register(registry);
    counter(
        registry,
        "registered",
        "Event publications registered",
        PublicationStatistics::createdSinceStart);
    counter(
        registry,
        "completed",
        "Event publications completed",
        PublicationStatistics::completedSinceStart);
    counter(
        registry,
        "failed",
        "Times an event publication was marked failed",
        PublicationStatistics::failedSinceStart);
  }

  private void status(
      MeterRegistry registry, String status, ToDoubleFunction<PublicationStatistics> count) {
    Gauge.builder(PUBLICATIONS, repository, r -> count.applyAsDouble(r.statistics()))
        .tag("status", status)
        .description("Event publications in the datawal store, by status")
        .register(registry);
  }

  private void counter(
      MeterRegistry registry,
      String name,
      String description,
      ToDoubleFunction<PublicationStatistics> total) {
    FunctionCounter.builder(
            PUBLICATIONS + "." + name, repository, r -> total.applyAsDouble(r.statistics()))
        .description(description)
        .register(registry);
  }
}
