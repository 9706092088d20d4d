package dev.datawal;

import java.nio.file.Path;
import java.util.List;

/**
 * What a scan of a store found: how much it read, and what damage it tolerated.
 *
 * <p>Field names follow the reference implementation's report. Damage that cannot be tolerated
 * (corruption in a sealed segment, mid-stream corruption, an unsupported version) fails the open or
 * the scan with a {@link CorruptStoreException} instead, so in a report {@code midStreamErrors} and
 * {@code unsupportedVersions} are always 0; they are kept so reports line up with the reference's.
 *
 * @param filesScanned segment files read
 * @param recordsReplayed valid records read
 * @param tailTruncated segments whose damaged tail was left out (0 or 1)
 * @param tailBytesDiscarded bytes left out of the log as torn tail
 * @param midStreamErrors always 0, see above
 * @param unsupportedVersions always 0, see above
 * @param lastTxidSeen the highest txid of a valid record, 0 for an empty log
 * @param damage each damaged region that was left out, in log order
 * @param leftoversRemoved files an interrupted compaction or repair left behind, which the writer's
 *     recovery deleted (their contents were never part of the log); empty for readers
 */
public record RecoveryReport(
    int filesScanned,
    long recordsReplayed,
    int tailTruncated,
    long tailBytesDiscarded,
    long midStreamErrors,
    long unsupportedVersions,
    long lastTxidSeen,
    List<DamageEvent> damage,
    List<Path> leftoversRemoved) {

  /** Copies the lists so the report is immutable. */
  public RecoveryReport {
    damage = List.copyOf(damage);
    leftoversRemoved = List.copyOf(leftoversRemoved);
  }

  /** Whether the scan left anything out. */
  public boolean damageFound() {
    return !damage.isEmpty();
  }

  /** One line for a log file, e.g. {@code files=2 records=10 tail_truncated=0 ... }. */
  public String summary() {
    return "files_scanned="
        + filesScanned
        + " records_replayed="
        + recordsReplayed
        + " tail_truncated="
        + tailTruncated
        + " tail_bytes_discarded="
        + tailBytesDiscarded
        + " mid_stream_errors="
        + midStreamErrors
        + " unsupported_versions="
        + unsupportedVersions
        + " last_txid_seen="
        + lastTxidSeen
        + (leftoversRemoved.isEmpty() ? "" : " leftovers_removed=" + leftoversRemoved.size());
  }
}
