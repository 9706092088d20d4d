package dev.datawal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What one verification of a store's sealed segments found ({@link RecordLog#verify()}): every
 * frame read and its CRC checked, txids checked to go up, and each segment compared with what the
 * store's manifest records of it (length, records, txids, frame digest).
 *
 * @param started when it started
 * @param took how long it took
 * @param segmentsChecked sealed segments read whole
 * @param segmentsSkipped sealed segments left out because compaction or retention changed or
 *     deleted them while the verification ran (they are checked the next time)
 * @param framesChecked frames read and checked
 * @param bytesChecked bytes read
 * @param problems the damage found, at most one per segment
 */
public record VerificationReport(
    Instant started,
    Duration took,
    int segmentsChecked,
    int segmentsSkipped,
    long framesChecked,
    long bytesChecked,
    List<IntegrityProblem> problems) {

  /**
   * Copies the list.
   *
   * @param started when it started
   * @param took how long it took
   * @param segmentsChecked sealed segments read whole
   * @param segmentsSkipped sealed segments left out because they changed or went meanwhile
   * @param framesChecked frames read and checked
   * @param bytesChecked bytes read
   * @param problems the damage found, at most one per segment; copied
   */
  public VerificationReport {
    problems = List.copyOf(problems);
  }

  /** {@return whether no damage was found} */
  public boolean clean() {
    return problems.isEmpty();
  }
}
