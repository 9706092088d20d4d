package dev.datawal.cli;

import dev.datawal.RecordLogReader;
import dev.datawal.tools.SegmentWalker;
import java.util.List;

/** {@code dump}: every frame header of every segment, and every damaged region, in file order. */
final class DumpCommand implements Command {
  private static final CommandSpec SPEC =
      new CommandSpec(
          "dump",
          "print every frame header (no payloads) and every damaged region",
          List.of("<store>"),
          List.of(
              new CommandSpec.Option("--limit", "N", "stop after N frames"),
              new CommandSpec.Option(
                  "--bytes",
                  "MODE",
                  "auto|base64|hex: keys as text when printable UTF-8, else b64: (auto), or all"
                      + " encoded"),
              new CommandSpec.Option(
                  "--no-truncate",
                  null,
                  "show keys whole (else cut after 64 bytes, marked ...(N bytes, M shown))")),
          """
          Walks every segment frame by frame without a lock, like verify, and prints each
          header: never payload bytes, so it stays readable with large records.
          Human lines: seg=... off=... len=... type=... txid=... key=... key_len=...
          payload_len=...; damaged regions in between as "seg=... off=... DAMAGE ...". Keys
          that are printable UTF-8 show as text (quoted when needed), others as b64:<base64>;
          a key over 64 bytes is cut, marked ...(N bytes, M shown), unless --no-truncate.
          A record group's marker (an atomic write: a DEL frame of a reserved key, followed by
          the group's records) ends with group_members=N; a group cut short is a damaged region
          from its marker on.
          JSON lines: {"kind":"frame","segment","offset","len","record_type","txid","key_len",
          "payload_len"} (a group marker's also "group_members") and "damage" lines.
          Exit codes as verify (with --limit, for what was read).""");

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public int run(ParsedArgs args, Output out) {
    long limit = args.positiveLong("--limit", Long.MAX_VALUE);
    Preview preview = Preview.of(args);
    RecordLogReader reader = RecordLogReader.open(args.store());
    long[] shown = new long[1];
    int[] code = {ExitCode.OK};
    FrameWalks.walk(
        reader,
        (item, lastSegment) -> {
          if (item instanceof SegmentWalker.Frame f) {
            if (out.json()) {
              out.json(Records.jsonFrame(f));
            } else {
              out.text(
                  Records.textHeader(f)
                      + " key="
                      + preview.field(f.key())
                      + " key_len="
                      + f.key().length
                      + " payload_len="
                      + f.payloadLength()
                      + (f.isGroupMarker()
                          ? " group_members=" + f.groupMembers().orElseThrow()
                          : ""));
            }
            return ++shown[0] < limit;
          }
          SegmentWalker.Damage d = (SegmentWalker.Damage) item;
          DamageView view =
              DamageView.of(
                  d, reader.dir().resolve(SegmentFileNames.name(d.segment())), lastSegment);
          if (out.json()) {
            out.json(view.json());
          } else {
            out.text(
                String.format(
                    "seg=%08d off=%10d len=%8d DAMAGE %s%s: %s",
                    d.segment(),
                    d.offset(),
                    d.length(),
                    DamageView.phrase(d.kind()),
                    view.tornTail() ? " (torn tail)" : "",
                    d.detail()));
          }
          code[0] =
              ExitCode.worst(code[0], view.tornTail() ? ExitCode.RECOVERABLE : ExitCode.CORRUPT);
          return true;
        });
    preview.noteCuts(out, "key(s)", "");
    return code[0];
  }
}
