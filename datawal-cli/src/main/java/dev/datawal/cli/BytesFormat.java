package dev.datawal.cli;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * How keys and payloads are shown in the fields of human lines ({@code scan} and {@code dump
 * --bytes}; {@code get} prints values as {@link ValueFormat} says); JSON output always carries
 * standard padded base64 (and the text, when the bytes are UTF-8) and is never truncated.
 *
 * <ul>
 *   <li>{@code auto} (default): printable UTF-8 ({@link TextBytes#printable}) as text, quoted when
 *       it is empty, holds a space, tab, quote or backslash, or starts with {@code b64:} or {@code
 *       hex:}; anything else as {@code b64:<base64>}.
 *   <li>{@code base64}: always {@code b64:<base64>}; {@code hex}: always {@code hex:<hex>}.
 * </ul>
 *
 * Unless {@code --no-truncate}, only the first {@value #TRUNCATE_AT} bytes are shown (text is cut
 * between characters), followed by a marker that says so: {@code ...(100 bytes, 64 shown)}.
 */
enum BytesFormat {
  AUTO,
  BASE64,
  HEX;

  /** Bytes shown before truncation. */
  static final int TRUNCATE_AT = 64;

  /** The {@code --bytes} choices. */
  static final Map<String, BytesFormat> CHOICES =
      Map.of("auto", AUTO, "base64", BASE64, "hex", HEX);

  /** {@code bytes} for a field of a human line ({@code key=...}). */
  String field(byte[] bytes, boolean truncate) {
    return switch (this) {
      case AUTO -> textOr(bytes, truncate, BASE64);
      case BASE64, HEX -> encoded(bytes, truncate);
    };
  }

  /**
   * Printable UTF-8 as text ({@link TextBytes#literal}), anything else in the form of {@code
   * binary} ({@link #BASE64} or {@link #HEX}).
   */
  static String textOr(byte[] bytes, boolean truncate, BytesFormat binary) {
    String text = TextBytes.printable(bytes);
    if (text == null) {
      return binary.encoded(bytes, truncate);
    }
    if (!truncate || bytes.length <= TRUNCATE_AT) {
      return TextBytes.literal(text);
    }
    int shown = TRUNCATE_AT;
    while ((bytes[shown] & 0xC0) == 0x80) {
      shown--; // back to the start of the character the cut would split
    }
    String head = new String(bytes, 0, shown, StandardCharsets.UTF_8);
    return (TextBytes.needsQuotes(text) ? TextBytes.quoted(head) : head) + cut(bytes.length, shown);
  }

  /** {@code b64:<base64>} or {@code hex:<hex>}, whatever the bytes. */
  private String encoded(byte[] bytes, boolean truncate) {
    boolean cut = truncate && bytes.length > TRUNCATE_AT;
    byte[] head = cut ? Arrays.copyOf(bytes, TRUNCATE_AT) : bytes;
    String body =
        this == HEX
            ? TextBytes.HEX_PREFIX + HexFormat.of().formatHex(head)
            : TextBytes.BASE64_PREFIX + base64(head);
    return cut ? body + cut(bytes.length, head.length) : body;
  }

  /**
   * What follows a cut field: {@code ...(100 bytes, 64 shown)}. Never part of a text (the closing
   * parenthesis follows a space, and a bare text holds none) or of a binary form.
   */
  static String cut(int length, int shown) {
    return "...(" + length + " bytes, " + shown + " shown)";
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
