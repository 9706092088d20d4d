package dev.datawal.cli;

import dev.datawal.RecordLogReader;
import dev.datawal.tools.SegmentWalker;
import java.util.List;

/** {@code scan}: the records of the log's valid prefix, in order. */
final class ScanCommand implements Command {
  private static final CommandSpec SPEC =
      new CommandSpec(
          "scan",
          "list the records recovery would keep, in log order",
          List.of("<store>"),
          List.of(
              new CommandSpec.Option("--limit", "N", "stop after N records"),
              new CommandSpec.Option(
                  "--from-segment", "ID", "start at segment ID (earlier segments are not read)"),
              new CommandSpec.Option(
                  "--from-offset",
                  "BYTES",
                  "with --from-segment: skip that segment's records before this offset"),
              new CommandSpec.Option(
                  "--bytes",
                  "MODE",
                  "auto|base64|hex: keys and payloads as text when printable UTF-8, else b64: (auto),"
                      + " or all encoded"),
              new CommandSpec.Option(
                  "--no-truncate",
                  null,
                  "show keys and payloads whole (else cut after 64 bytes, marked ...(N bytes, M"
                      + " shown))")),
          """
          Reads the store without a lock and changes nothing; a live writer may have it open.
          Stops where recovery would: at a torn tail (exit 2) or at corruption that recovery
          refuses (exit 3), after showing the records before it. A record group (an atomic
          write) is shown whole or, cut short, not at all; its marker frame is not a record and
          is not shown (dump shows it), so the txids of a group's records follow a gap of one.
          Human lines: seg=... off=... len=... type=RAW|PUT|DEL txid=... key=... payload=...
          where keys and payloads that are printable UTF-8 show as text (in double quotes when
          empty, holding a space, tab, quote or backslash, or starting with b64: or hex:) and
          any other bytes as b64:<base64> (--bytes base64|hex: every one encoded). A key or
          payload over 64 bytes is cut, marked ...(N bytes, M shown), unless --no-truncate; a
          note on stderr says how many were.
          JSON lines: {"schema":"datawal.cli.v1","kind":"record","segment","offset","len",
          "record_type","txid","key_base64","payload_base64","key_text","payload_text"}
          (*_text: the bytes as a string when they are valid UTF-8, else null), and a "damage"
          line if any.
          With --limit, the exit code covers only what was read.""");

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public int run(ParsedArgs args, Output out) {
    long limit = args.positiveLong("--limit", Long.MAX_VALUE);
    long fromSegment = args.positiveLong("--from-segment", 0);
    long fromOffset = args.nonNegativeLong("--from-offset", 0);
    if (args.has("--from-offset") && !args.has("--from-segment")) {
      throw new UsageException("--from-offset needs --from-segment");
    }
    Preview preview = Preview.of(args);

    RecordLogReader reader = RecordLogReader.open(args.store());
    long shown = 0;
    try (LogWalk walk = new LogWalk(reader, fromSegment, true, false)) {
      for (SegmentWalker.Frame f = walk.next(); f != null; f = walk.next()) {
        if (f.segment() == fromSegment && f.offset() < fromOffset) {
          continue;
        }
        if (out.json()) {
          out.json(Records.jsonRecord(f));
        } else {
          out.text(
              Records.textHeader(f)
                  + " key="
                  + preview.field(f.key())
                  + " payload="
                  + preview.field(f.toRecord().payload()));
        }
        if (++shown >= limit) {
          break;
        }
      }
      preview.noteCuts(
          out, "key(s) or payload(s)", " (datawal get --bytes raw writes one value's bytes)");
      return shown >= limit ? ExitCode.OK : Damages.show(walk.endView(), out);
    }
  }
}
