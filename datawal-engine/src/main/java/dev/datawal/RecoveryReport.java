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
 * <p>A {@link DataWal} may open from a key-directory snapshot instead of reading every segment (see
 * {@code docs/format.md}); the counts then describe only the part of the log it read after the
 * snapshot, {@code snapshotUsed} says so, and {@code snapshotKeys} says how many live keys came
 * from the snapshot.
 *
 * <p>A record group (an atomic write) cut short by a crash at the end of the log is dropped whole:
 * its {@link DamageEvent} starts at the group's marker and has kind {@link
 * CorruptionKind#INCOMPLETE_GROUP}, and its bytes are among {@code tailBytesDiscarded}.
 *
 * @param filesScanned segment files read (with a snapshot: those read after the part it covers)
 * @param recordsReplayed valid records read (with a snapshot: only those after the part it covers);
 *     the markers of record groups are frames but not records, and are not counted
 * @param tailTruncated segments whose damaged tail was left out (0 or 1)
 * @param tailBytesDiscarded bytes left out of the log as torn tail
 * @param midStreamErrors always 0, see above
 * @param unsupportedVersions always 0, see above
 * @param lastTxidSeen the highest txid of a valid record, 0 for an empty log (with a snapshot and
 *     no record after it: the last txid the writer had assigned when it wrote the snapshot, which
 *     may be above the highest record left if compaction dropped the last ones)
 * @param damage each damaged region that was left out, in log order
 * @param leftoversRemoved files an interrupted compaction or repair left behind, which the writer's
 *     recovery deleted (their contents were never part of the log); empty for readers
 * @param snapshotUsed whether the key directory was loaded from a snapshot rather than rebuilt by
 *     reading every segment
 * @param snapshotKeys the live keys loaded from the snapshot, 0 when none was used
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
    List<Path> leftoversRemoved,
    boolean snapshotUsed,
    long snapshotKeys) {

  /**
   * Copies the lists so the report is immutable.
   *
   * @param filesScanned segment files read
   * @param recordsReplayed valid records read
   * @param tailTruncated segments whose damaged tail was left out (0 or 1)
   * @param tailBytesDiscarded bytes left out as torn tail
   * @param midStreamErrors always 0
   * @param unsupportedVersions always 0
   * @param lastTxidSeen the highest txid seen, 0 for an empty log
   * @param damage each damaged region left out, in log order; copied
   * @param leftoversRemoved files of an interrupted compaction or repair that were deleted; copied
   * @param snapshotUsed whether the key directory was loaded from a snapshot
   * @param snapshotKeys the live keys loaded from the snapshot, 0 when none was used
   */
  public RecoveryReport {
    damage = List.copyOf(damage);
    leftoversRemoved = List.copyOf(leftoversRemoved);
  }

  /**
   * A report of a scan that read every segment it covers (no snapshot).
   *
   * @param filesScanned segment files read
   * @param recordsReplayed valid records read
   * @param tailTruncated segments whose damaged tail was left out (0 or 1)
   * @param tailBytesDiscarded bytes left out as torn tail
   * @param midStreamErrors always 0
   * @param unsupportedVersions always 0
   * @param lastTxidSeen the highest txid seen, 0 for an empty log
   * @param damage each damaged region left out, in log order; copied
   * @param leftoversRemoved files of an interrupted compaction or repair that were deleted; copied
   */
  public RecoveryReport(
      int filesScanned,
      long recordsReplayed,
      int tailTruncated,
      long tailBytesDiscarded,
      long midStreamErrors,
      long unsupportedVersions,
      long lastTxidSeen,
      List<DamageEvent> damage,
      List<Path> leftoversRemoved) {
    this(
        filesScanned,
        recordsReplayed,
        tailTruncated,
        tailBytesDiscarded,
        midStreamErrors,
        unsupportedVersions,
        lastTxidSeen,
        damage,
        leftoversRemoved,
        false,
        0);
  }

  /**
   * {@return this report, saying that a snapshot supplied live keys before the scan}
   *
   * @param keys how many live keys the snapshot supplied
   */
  public RecoveryReport withSnapshot(long keys) {
    return new RecoveryReport(
        filesScanned,
        recordsReplayed,
        tailTruncated,
        tailBytesDiscarded,
        midStreamErrors,
        unsupportedVersions,
        lastTxidSeen,
        damage,
        leftoversRemoved,
        true,
        keys);
  }

  /** {@return whether the scan left anything out} */
  public boolean damageFound() {
    return !damage.isEmpty();
  }

  /** {@return one line for a log file, e.g. {@code files_scanned=2 records_replayed=10 ...}} */
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
        + (leftoversRemoved.isEmpty() ? "" : " leftovers_removed=" + leftoversRemoved.size())
        + (snapshotUsed ? " snapshot_keys=" + snapshotKeys : "");
  }
}
