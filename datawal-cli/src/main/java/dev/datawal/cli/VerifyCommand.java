package dev.datawal.cli;

import dev.datawal.CorruptionKind;
import dev.datawal.RecordLogReader;
import dev.datawal.tools.SegmentWalker;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * {@code verify}: checks every frame and CRC of every segment, going on past damage, and the store
 * as a whole: its segment files against its manifest, and txid order.
 */
final class VerifyCommand implements Command {
  private static final CommandSpec SPEC =
      new CommandSpec(
          "verify",
          "check every frame and CRC, the segments against the manifest, and txid order",
          List.of("<store>"),
          List.of(),
          """
          Walks every segment frame by frame without a lock, checking each header and CRC.
          Unlike a scan it goes on past damage: each damaged region is shown (where it starts,
          its length, its kind, stored and computed CRC for a mismatch), then the walk resumes at
          the next valid frame.
          Then checks the store as a whole, as a writer's open does, and lists every problem
          (not only the first): a segment that datawal.manifest records and that is missing,
          shorter (cut or emptied) or holds other frames (edited, swapped); a segment file the
          manifest does not know (copied in, moved into a gap, a stray file); a damaged
          manifest; damage the manifest recorded while the store was open; and records whose
          txid is not above the one before, within a segment or across segments. Every frame
          may pass its CRC in all these cases. A store without a manifest (the reference
          implementation writes none) is checked against its key-directory snapshot, if any,
          and for txid order.
          JSON: a "damage" line per region, a "problem" line per store problem
          ("problem_kind","segment","offset","length","file","detail","repair": what
          `datawal repair --yes` does: accept_loss, quarantine_file or quarantine_region; segment
          and offset are null for the manifest), then {"kind":"verify","frames_checked",
          "crc_failures","tail_truncated","tail_bytes_discarded","last_segment","last_offset",
          "segments_checked","damaged_regions","damaged_bytes","problems"} (damaged_* count
          what recovery refuses; a torn tail is counted in tail_*).
          Exit 0 clean, 2 only a torn tail, 3 damage or a problem that recovery refuses.""");

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public int run(ParsedArgs args, Output out) {
    RecordLogReader reader = RecordLogReader.open(args.store());
    long[] frames = new long[1];
    long[] crcFailures = new long[1];
    long[] tail = new long[2]; // segments with a torn tail, their bytes
    long[] damaged = new long[2]; // refused regions, their bytes
    long[] last = new long[2]; // last valid frame: segment, offset
    Progress.Segments progress = out.progress().segments("verifying", reader);
    int segments =
        FrameWalks.walk(
            reader,
            (item, lastSegment) -> {
              progress.at(item.segment(), item.end());
              if (item instanceof SegmentWalker.Frame f) {
                frames[0]++;
                last[0] = f.segment();
                last[1] = f.offset();
                return true;
              }
              SegmentWalker.Damage d = (SegmentWalker.Damage) item;
              DamageView view =
                  DamageView.of(
                      d, reader.dir().resolve(SegmentFileNames.name(d.segment())), lastSegment);
              if (d.kind() == CorruptionKind.CRC_MISMATCH) {
                crcFailures[0]++;
              }
              if (view.tornTail()) {
                tail[0]++;
                tail[1] += d.length();
              } else {
                damaged[0]++;
                damaged[1] += d.length();
              }
              if (out.json()) {
                out.json(view.json());
              } else {
                out.text("damage: " + view.describe());
                out.text("        " + view.consequence());
              }
              return true;
            });
    out.progress().show("verifying the segments against the manifest, and txid order");
    List<StoreProblem> problems = StoreProblems.find(reader.dir());
    for (StoreProblem p : problems) {
      if (out.json()) {
        out.json(p.json());
      } else {
        out.text("problem: " + p.describe());
        out.text("         " + p.consequence());
      }
    }
    if (out.json()) {
      out.json(
          JsonLine.of("verify")
              .add("frames_checked", frames[0])
              .add("crc_failures", crcFailures[0])
              .add("tail_truncated", tail[0])
              .add("tail_bytes_discarded", tail[1])
              .add("last_segment", last[0])
              .add("last_offset", last[1])
              .add("segments_checked", segments)
              .add("damaged_regions", damaged[0])
              .add("damaged_bytes", damaged[1])
              .add("problems", problems.size()));
    } else {
      new Aligned()
          .add("store", reader.dir())
          .add("segments_checked", segments)
          .add("frames_checked", frames[0])
          .add("crc_failures", crcFailures[0])
          .add("tail_truncated", tail[0])
          .add("tail_bytes_discarded", tail[1])
          .add("damaged_regions", damaged[0])
          .add("damaged_bytes", damaged[1])
          .add("last_segment", last[0])
          .add("last_offset", last[1])
          .add("problems", count(problems))
          .print(out);
    }
    if (damaged[0] > 0) {
      out.note(
          damaged[0]
              + " damaged region(s) make recovery refuse this store; `datawal repair` shows how"
              + " to quarantine them");
    }
    if (!problems.isEmpty()) {
      out.note(
          problems.size()
              + " store problem(s) make recovery refuse this store; `datawal repair` shows what a"
              + " repair moves out, what it accepts as lost and which keys that changes");
    }
    if (damaged[0] > 0 || !problems.isEmpty()) {
      return ExitCode.CORRUPT;
    }
    return tail[0] > 0 ? ExitCode.RECOVERABLE : ExitCode.OK;
  }

  /** "0", or "3 (2 missing segment, 1 txids out of order)". */
  private static String count(List<StoreProblem> problems) {
    if (problems.isEmpty()) {
      return "0";
    }
    Map<CorruptionKind, Long> byKind = new EnumMap<>(CorruptionKind.class);
    for (StoreProblem p : problems) {
      byKind.merge(p.kind(), 1L, Long::sum);
    }
    StringJoiner kinds = new StringJoiner(", ", problems.size() + " (", ")");
    byKind.forEach((kind, n) -> kinds.add(n + " " + kind.phrase()));
    return kinds.toString();
  }
}
