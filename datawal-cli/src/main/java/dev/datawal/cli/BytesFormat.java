package dev.datawal.cli;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How keys, payloads and values are shown in human output ({@code --bytes}); JSON output always
 * carries standard padded base64 and is never truncated.
 *
 * <ul>
 *   <li>{@code auto} (default) and {@code raw}: printable ASCII (and tab) as literal text, quoted
 *       when it holds a space, tab, quote or backslash, or is empty; anything else as {@code
 *       b64:<base64>}. {@code raw} never prints control bytes to a terminal either.
 *   <li>{@code base64}: always {@code b64:<base64>}; {@code hex}: always {@code hex:<hex>}.
 * </ul>
 *
 * Unless {@code --no-truncate}, only the first {@value #TRUNCATE_AT} bytes are shown, followed by
 * {@code ...}.
 */
enum BytesFormat {
  AUTO,
  RAW,
  BASE64,
  HEX;

  /** Bytes shown before truncation. */
  static final int TRUNCATE_AT = 64;

  /** The {@code --bytes} choices. */
  static final Map<String, BytesFormat> CHOICES =
      Map.of("auto", AUTO, "raw", RAW, "base64", BASE64, "hex", HEX);

  /** {@code bytes} for a field of a human line ({@code key=...}). */
  String field(byte[] bytes, boolean truncate) {
    boolean cut = truncate && bytes.length > TRUNCATE_AT;
    byte[] head = cut ? Arrays.copyOf(bytes, TRUNCATE_AT) : bytes;
    String body =
        switch (this) {
          case AUTO, RAW -> printable(bytes) ? literal(head) : "b64:" + base64(head);
          case BASE64 -> "b64:" + base64(head);
          case HEX -> "hex:" + HexFormat.of().formatHex(head);
        };
    return cut ? body + "..." : body;
  }

  /**
   * A value as {@code get} prints it: printable text as it is, {@code base64} and {@code hex}
   * unprefixed; {@code null} for a binary value under {@code auto} or {@code raw}, which is not
   * printed to a terminal.
   */
  @Nullable String value(byte[] bytes) {
    return switch (this) {
      case AUTO, RAW -> printable(bytes) ? new String(bytes, StandardCharsets.US_ASCII) : null;
      case BASE64 -> base64(bytes);
      case HEX -> HexFormat.of().formatHex(bytes);
    };
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** Whether every byte is printable ASCII (0x20..0x7E) or a tab; true for no bytes. */
  static boolean printable(byte[] bytes) {
    for (byte b : bytes) {
      if ((b < 0x20 || b > 0x7E) && b != '\t') {
        return false;
      }
    }
    return true;
  }

  private static String literal(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.US_ASCII);
    return hasQuoteWorthyChar(s) || s.isEmpty() ? quoted(s) : s;
  }

  /** Whether the text holds a space, tab, quote or backslash: shown as is it would be ambiguous. */
  static boolean hasQuoteWorthyChar(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t' || c == '"' || c == '\\') {
        return true;
      }
    }
    return false;
  }

  /** The text in double quotes, with quote, backslash and tab escaped. */
  static String quoted(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\t' -> sb.append("\\t");
        default -> sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
