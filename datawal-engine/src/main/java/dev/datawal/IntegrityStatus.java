package dev.datawal;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A store's integrity as far as it is known while the store is open: damage found since it was
 * opened, the verification running now, and the last one finished.
 *
 * @param problems damage found since the store was opened, oldest first
 * @param running the verification running now, or {@code null}
 * @param last the last verification that finished, or {@code null} if none has
 */
public record IntegrityStatus(
    List<IntegrityProblem> problems,
    @Nullable Progress running,
    @Nullable VerificationReport last) {

  /**
   * Copies the list.
   *
   * @param problems damage found since the store was opened, oldest first; copied
   * @param running the verification running now, or {@code null}
   * @param last the last verification that finished, or {@code null} if none has
   */
  public IntegrityStatus {
    problems = List.copyOf(problems);
  }

  /** {@return whether damage was found: the store lost or holds damaged durable data} */
  public boolean damaged() {
    return !problems.isEmpty();
  }

  /**
   * How far a running verification is.
   *
   * @param started when it started
   * @param segmentsDone sealed segments done
   * @param segmentsTotal sealed segments to do
   * @param bytesDone bytes read
   * @param bytesTotal bytes to read
   */
  public record Progress(
      Instant started, int segmentsDone, int segmentsTotal, long bytesDone, long bytesTotal) {}
}
