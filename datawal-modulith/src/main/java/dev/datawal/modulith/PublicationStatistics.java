package dev.datawal.modulith;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Counts and ages of the publications in a {@link DatawalEventPublicationRepository}, taken at one
 * moment from its in-memory index and counters (no store reads).
 *
 * @param published incomplete publications not yet picked up by their listener
 * @param processing incomplete publications whose listener is running
 * @param failed incomplete publications whose listener failed
 * @param resubmitted incomplete publications submitted again after a failure
 * @param completed completed publications kept in the store (completion mode UPDATE, or left from
 *     it)
 * @param archived completed publications in the archive (completion mode ARCHIVE, or left from it)
 * @param oldestIncomplete the publication date of the oldest incomplete publication, if any
 * @param oldestFailed the publication date of the oldest failed publication, if any
 * @param createdSinceStart publications created since the repository opened
 * @param completedSinceStart publications completed since the repository opened
 * @param failedSinceStart times a publication was marked failed since the repository opened
 * @param indexBytes an estimate of the heap the index of incomplete publications takes
 */
public record PublicationStatistics(
    long published,
    long processing,
    long failed,
    long resubmitted,
    long completed,
    long archived,
    @Nullable Instant oldestIncomplete,
    @Nullable Instant oldestFailed,
    long createdSinceStart,
    long completedSinceStart,
    long failedSinceStart,
    long indexBytes) {

  /** {@return the number of incomplete publications: published, processing, failed, resubmitted} */
  public long incomplete() {
    return published + processing + failed + resubmitted;
  }

  /**
   * {@return how long ago, from {@code now}, the oldest incomplete publication was published; zero
   * if there is none}
   *
   * @param now the current time
   */
  public Duration oldestIncompleteAge(Instant now) {
    return age(oldestIncomplete, now);
  }

  /**
   * {@return how long ago, from {@code now}, the oldest failed publication was published; zero if
   * there is none}
   *
   * @param now the current time
   */
  public Duration oldestFailedAge(Instant now) {
    return age(oldestFailed, now);
  }

  private static Duration age(@Nullable Instant since, Instant now) {
    if (since == null || !since.isBefore(now)) {
      return Duration.ZERO;
    }
    return Duration.between(since, now);
  }
}
