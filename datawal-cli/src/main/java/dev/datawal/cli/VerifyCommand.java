package dev.datawal.cli;

import dev.datawal.CorruptionKind;
import dev.datawal.RecordLogReader;
import dev.datawal.SegmentWalker;
import java.util.List;

/** {@code verify}: checks every frame and CRC of every segment, going on past damage. */
final class VerifyCommand implements Command {
  private static final CommandSpec SPEC =
      new CommandSpec(
          "verify",
          "check every frame and CRC, and show all damage",
          List.of("<store>"),
          List.of(),
          """
          Walks every segment frame by frame without a lock, checking each header and CRC.
          Unlike a scan it goes on past damage: each damaged region is shown (where it starts,
          its length, its kind, stored and computed CRC for a mismatch), then the walk resumes at
          the next valid frame.
          JSON: a "damage" line per region, then {"kind":"verify","frames_checked",
          "crc_failures","tail_truncated","tail_bytes_discarded","last_segment","last_offset",
          "segments_checked","damaged_regions","damaged_bytes"} (damaged_* count what recovery
          refuses; a torn tail is counted in tail_*).
          Exit 0 clean, 2 only a torn tail, 3 damage that recovery refuses.""");

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
    int segments =
        FrameWalks.walk(
            reader,
            (item, lastSegment) -> {
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
              .add("damaged_bytes", damaged[1]));
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
          .print(out);
    }
    if (damaged[0] > 0) {
      out.note(
          damaged[0]
              + " damaged region(s) make recovery refuse this store; `datawal repair` shows how"
              + " to quarantine them");
      return ExitCode.CORRUPT;
    }
    return tail[0] > 0 ? ExitCode.RECOVERABLE : ExitCode.OK;
  }
}
