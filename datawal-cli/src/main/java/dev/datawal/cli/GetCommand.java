package dev.datawal.cli;

import dev.datawal.RecordLogReader;
import dev.datawal.RecordType;
import dev.datawal.tools.SegmentWalker;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/** {@code get}: the live value of one key, as the key/value store would return it. */
final class GetCommand implements Command {
  private static final CommandSpec SPEC =
      new CommandSpec(
          "get",
          "print the live value of one key",
          List.of("<store>"),
          List.of(
              new CommandSpec.Option("--key", "TEXT", "the key as UTF-8 text"),
              new CommandSpec.Option("--key-base64", "B64", "the key as standard base64"),
              new CommandSpec.Option("--key-hex", "HEX", "the key as hex"),
              new CommandSpec.Option(
                  "--bytes",
                  "MODE",
                  "auto|raw|base64|hex: text as it is (auto), the exact bytes (raw), or encoded"),
              new CommandSpec.Option(
                  "--no-truncate", null, "accepted for older scripts: get prints values whole")),
          """
          Give exactly one of --key, --key-base64, --key-hex. Reads the whole valid prefix of
          the log without a lock (the latest Put or Delete of the key wins), then reads the
          value's frame again and checks its CRC and key.
          Human output, by --bytes: auto (default) prints a value that is printable UTF-8 text
          as it is, with a line end, and a binary value only as a hint on stderr; raw writes
          exactly the value's bytes, adding nothing (no line end), for a file or a pipe;
          base64 and hex print it encoded, unprefixed, with a line end. The value is always
          printed whole, however long.
          JSON: {"kind":"value","key_base64","value_base64","value_len","key_text",
          "value_text"} or {"kind":"miss","key_base64","key_text"}; *_text is the bytes as a
          string when they are valid UTF-8, else null.
          Exit 0 found, 2 not found, 3 corruption (recovery would refuse the store).""");

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public int run(ParsedArgs args, Output out) {
    byte[] key = key(args);
    ValueFormat format = args.choice("--bytes", ValueFormat.CHOICES, ValueFormat.AUTO);

    RecordLogReader reader = RecordLogReader.open(args.store());
    try (LogWalk walk =
        new LogWalk(reader, 0, false, true).reporting(out.progress().segments("reading", reader))) {
      SegmentWalker.Frame latest = null;
      for (SegmentWalker.Frame f = walk.next(); f != null; f = walk.next()) {
        if (f.type() != RecordType.RAW && Arrays.equals(f.key(), key)) {
          latest = f;
        }
      }
      if (walk.corrupt()) {
        return Damages.show(walk.endView(), out);
      }
      DamageView tail = walk.endView();
      if (walk.tornTail() && tail != null) {
        out.note(tail.describe() + "; " + tail.consequence());
      }
      if (latest == null || latest.type() == RecordType.DELETE) {
        if (out.json()) {
          out.json(
              JsonLine.of("miss")
                  .add("key_base64", BytesFormat.base64(key))
                  .add("key_text", TextBytes.utf8(key)));
        } else {
          out.note("get: key not found");
        }
        return ExitCode.RECOVERABLE;
      }
      byte[] value =
          LiveKeys.value(
              walk,
              reader.dir(),
              new Key(key),
              new LiveKeys.Location(latest.segment(), latest.offset()));
      if (out.json()) {
        out.json(
            JsonLine.of("value")
                .add("key_base64", BytesFormat.base64(key))
                .add("value_base64", BytesFormat.base64(value))
                .add("value_len", value.length)
                .add("key_text", TextBytes.utf8(key))
                .add("value_text", TextBytes.utf8(value)));
        return ExitCode.OK;
      }
      format.write(value, out);
      return ExitCode.OK;
    }
  }

  /** The key from exactly one of the three key options. */
  static byte[] key(ParsedArgs args) {
    int given =
        (args.has("--key") ? 1 : 0)
            + (args.has("--key-base64") ? 1 : 0)
            + (args.has("--key-hex") ? 1 : 0);
    if (given != 1) {
      throw new UsageException("pass exactly one of --key, --key-base64, or --key-hex");
    }
    String text = args.value("--key");
    if (text != null) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    String b64 = args.value("--key-base64");
    if (b64 != null) {
      try {
        return Base64.getDecoder().decode(b64);
      } catch (IllegalArgumentException e) {
        throw new UsageException("invalid --key-base64 '" + b64 + "': " + e.getMessage());
      }
    }
    String hex = Objects.requireNonNull(args.value("--key-hex"), "--key-hex"); // the one given
    try {
      return HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid --key-hex '" + hex + "': " + e.getMessage());
    }
  }
}
