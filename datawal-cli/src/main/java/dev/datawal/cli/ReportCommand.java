package dev.datawal.cli;

import dev.datawal.DamageEvent;
import dev.datawal.RecordLogReader;
import dev.datawal.RecoveryReport;
import java.util.List;
import java.util.SortedMap;

/** {@code report}: what a writer's recovery would find, without changing anything. */
final class ReportCommand implements Command {
  private static final CommandSpec SPEC =
      new CommandSpec(
          "report",
          "print the recovery report a writer's open would produce, or why it refuses",
          List.of("<store>"),
          List.of(),
          """
          Checks first, as a writer's open does, that the segment files are what the store's
          manifest (datawal.manifest) records: none missing, shorter or emptied, none holding
          other frames, no file it does not know, the manifest itself intact, no damage recorded
          while the store was open. Then scans every frame without a lock, validating CRCs and
          that txids go up, as a writer's recovery would, and prints the report; changes nothing
          (a torn tail is reported, not cut). The first problem found stops it, as it stops an
          open; `datawal verify` lists them all.
          JSON: {"kind":"report","files_scanned","records_replayed","tail_truncated",
          "tail_bytes_discarded","mid_stream_errors","unsupported_versions","last_txid_seen",
          "segments","segment_bytes"}, then a "damage" line per torn tail.
          Exit 0 clean, 2 torn tail, 3 corruption or lost data (recovery refuses the store; a
          note names the segment, the offset and what is wrong or gone, with --json also a
          "damage" line, whose segment and offset are null for the manifest; no report line is
          printed).""");

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public int run(ParsedArgs args, Output out) {
    RecordLogReader reader = RecordLogReader.open(args.store());
    RecoveryReport r = reader.report(); // a CorruptStoreException is shown by Main: exit 3
    SortedMap<Long, Long> sizes = reader.segmentSizes();
    long bytes = sizes.values().stream().mapToLong(Long::longValue).sum();
    if (out.json()) {
      out.json(
          JsonLine.of("report")
              .add("files_scanned", r.filesScanned())
              .add("records_replayed", r.recordsReplayed())
              .add("tail_truncated", r.tailTruncated())
              .add("tail_bytes_discarded", r.tailBytesDiscarded())
              .add("mid_stream_errors", r.midStreamErrors())
              .add("unsupported_versions", r.unsupportedVersions())
              .add("last_txid_seen", r.lastTxidSeen())
              .add("segments", sizes.size())
              .add("segment_bytes", bytes));
    } else {
      new Aligned()
          .add("store", reader.dir())
          .add("segments", segmentRange(sizes) + ", " + bytes + " bytes")
          .add("files_scanned", r.filesScanned())
          .add("records_replayed", r.recordsReplayed())
          .add("tail_truncated", r.tailTruncated())
          .add("tail_bytes_discarded", r.tailBytesDiscarded())
          .add("mid_stream_errors", r.midStreamErrors())
          .add("unsupported_versions", r.unsupportedVersions())
          .add("last_txid_seen", r.lastTxidSeen())
          .print(out);
    }
    int code = ExitCode.OK;
    for (DamageEvent event : r.damage()) {
      DamageView damage = DamageView.of(event);
      if (out.json()) {
        out.json(damage.json());
      } else {
        out.text("damage: " + damage.describe());
        out.text("        " + damage.consequence());
      }
      code = ExitCode.RECOVERABLE;
    }
    return code;
  }

  private static String segmentRange(SortedMap<Long, Long> sizes) {
    if (sizes.isEmpty()) {
      return "none";
    }
    String first = SegmentFileNames.name(sizes.firstKey());
    return sizes.size() == 1
        ? "1 (" + first + ")"
        : sizes.size() + " (" + first + " .. " + SegmentFileNames.name(sizes.lastKey()) + ")";
  }
}
