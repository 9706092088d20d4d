package dev.datawal.cli;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.RecordLogReader;
import java.util.List;
import java.util.Map;

/** {@code check}: every live key's value read end to end, as the key/value store would. */
final class CheckCommand implements Command {
  private static final CommandSpec SPEC =
      new CommandSpec(
          "check",
          "read every live key's value end to end",
          List.of("<store>"),
          List.of(),
          """
          Builds the key/value view (the latest Put or Delete of each key wins) from the log's
          valid prefix without a lock, then reads each live key's frame again, checking its CRC,
          that it is a Put and that it holds that key. Complements verify, which checks every
          frame, overwritten or not.
          JSON: a "damage" line per failure, then {"kind":"check","keys_checked",
          "tail_truncated","tail_bytes_discarded","mid_stream_errors","unsupported_versions",
          "keys_failed","records_scanned"}.
          Exit 0 clean, 2 torn tail, 3 corruption or a key that does not read back.""");

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public int run(ParsedArgs args, Output out) {
    RecordLogReader reader = RecordLogReader.open(args.store());
    try (LogWalk walk =
        new LogWalk(reader, 0, false, true).reporting(out.progress().segments("reading", reader))) {
      LiveKeys live = LiveKeys.of(walk);
      int code = ExitCode.OK;
      long checked = 0;
      long failed = 0;
      if (!walk.corrupt()) {
        for (Map.Entry<Key, LiveKeys.Location> e : live.byLocation()) {
          out.progress().count("checking", "key", checked + failed + 1, live.size());
          try {
            LiveKeys.value(walk, reader.dir(), e.getKey(), e.getValue());
            checked++;
          } catch (CorruptStoreException failure) {
            failed++;
            code = ExitCode.worst(code, Damages.show(DamageView.of(failure), out));
          }
        }
      }
      DamageView end = walk.endView();
      code = ExitCode.worst(code, Damages.show(end, out));
      // The damage that makes recovery refuse the store, if the walk ended at such.
      DamageView refused = end != null && !end.tornTail() ? end : null;
      boolean hard = refused != null;
      boolean newer = refused != null && refused.kind() == CorruptionKind.UNSUPPORTED_VERSION;
      long tailBytes = end != null && end.tornTail() ? end.length() : 0;
      if (out.json()) {
        out.json(
            JsonLine.of("check")
                .add("keys_checked", checked)
                .add("tail_truncated", walk.tornTail() ? 1 : 0)
                .add("tail_bytes_discarded", tailBytes)
                .add("mid_stream_errors", hard && !newer ? 1 : 0)
                .add("unsupported_versions", newer ? 1 : 0)
                .add("keys_failed", failed)
                .add("records_scanned", walk.frames()));
      } else {
        new Aligned()
            .add("store", reader.dir())
            .add("records_scanned", walk.frames())
            .add("live_keys", live.size())
            .add("keys_checked", checked)
            .add("keys_failed", failed)
            .add("tail_truncated", walk.tornTail() ? 1 : 0)
            .add("tail_bytes_discarded", tailBytes)
            .add("refused_damage", refused != null ? refused.describe() : "none")
            .print(out);
      }
      return code;
    }
  }
}
