package dev.datawal.cli;

import java.util.HexFormat;
import java.util.Map;

/**
 * How {@code get} prints a value ({@code get --bytes}).
 *
 * <ul>
 *   <li>{@code auto} (default): a value that is printable UTF-8 ({@link TextBytes#printable}) as it
 *       is, with a line end; a binary value not at all, only a hint on stderr, so that no control
 *       bytes reach a terminal.
 *   <li>{@code raw}: exactly the value's bytes, nothing added (no line end) and nothing encoded:
 *       for a file or a pipe ({@code datawal get ... --bytes raw > value.bin}).
 *   <li>{@code base64}, {@code hex}: the value encoded, unprefixed, with a line end (for {@code
 *       base64 -d} or {@code xxd -r -p}).
 * </ul>
 */
enum ValueFormat {
  AUTO,
  RAW,
  BASE64,
  HEX;

  /** The {@code get --bytes} choices. */
  static final Map<String, ValueFormat> CHOICES =
      Map.of("auto", AUTO, "raw", RAW, "base64", BASE64, "hex", HEX);

  /** Writes {@code value} to stdout in this format (under {@code auto}, a binary one to stderr). */
  void write(byte[] value, Output out) {
    switch (this) {
      case AUTO -> {
        String text = TextBytes.printable(value);
        if (text == null) {
          out.note(
              "<binary value, "
                  + value.length
                  + " bytes; --bytes raw writes its bytes, --bytes base64 or --bytes hex encodes"
                  + " it>");
        } else {
          out.text(text);
        }
      }
      case RAW -> out.bytes(value);
      case BASE64 -> out.text(BytesFormat.base64(value));
      case HEX -> out.text(HexFormat.of().formatHex(value));
    }
  }
}
