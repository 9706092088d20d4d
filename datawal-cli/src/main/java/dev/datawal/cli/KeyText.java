package dev.datawal.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * A key for people, in lists of keys ({@code repair}): printable UTF-8 as text, quoted when it
 * holds a space, tab, quote or backslash, is empty, or could be read as hex; anything else as
 * {@code hex:<hex>}. Only the first {@value BytesFormat#TRUNCATE_AT} characters (or bytes, for hex)
 * are shown, followed by {@code ...}; JSON output carries every key whole, in base64.
 */
final class KeyText {
  private static final String HEX = "hex:";

  private KeyText() {}

  static String of(byte[] key) {
    String text = printableUtf8(key);
    if (text == null) {
      boolean cut = key.length > BytesFormat.TRUNCATE_AT;
      return HEX
          + HexFormat.of().formatHex(key, 0, cut ? BytesFormat.TRUNCATE_AT : key.length)
          + (cut ? "..." : "");
    }
    boolean cut = text.codePointCount(0, text.length()) > BytesFormat.TRUNCATE_AT;
    String shown =
        cut ? text.substring(0, text.offsetByCodePoints(0, BytesFormat.TRUNCATE_AT)) : text;
    return (needsQuotes(text) ? BytesFormat.quoted(shown) : shown) + (cut ? "..." : "");
  }

  /**
   * The key as text if it is valid UTF-8 of characters a terminal shows as they are (no control,
   * format, private-use or unassigned characters, no space but U+0020, so that nothing is hidden or
   * reordered), else {@code null}.
   */
  static @Nullable String printableUtf8(byte[] key) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(key))
              .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (!printable(c)) {
        return null;
      }
      i += Character.charCount(c);
    }
    return text;
  }

  private static boolean printable(int c) {
    if (c == '\t' || c == ' ') {
      return true;
    }
    return switch (Character.getType(c)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.PRIVATE_USE,
          Character.SURROGATE,
          Character.UNASSIGNED,
          Character.SPACE_SEPARATOR,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR ->
          false;
      default -> true;
    };
  }

  private static boolean needsQuotes(String text) {
    return text.isEmpty() || text.startsWith(HEX) || BytesFormat.hasQuoteWorthyChar(text);
  }
}
