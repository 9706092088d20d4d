package dev.datawal.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Keys and values that are text: whether bytes are UTF-8 that a terminal shows as it is, and how
 * such text is written in a human line so that it cannot be taken for one of the binary forms
 * ({@code b64:...}, {@code hex:...}) or run into the next field.
 */
final class TextBytes {
  /** The prefixes of the binary forms in human lines. */
  static final String BASE64_PREFIX = "b64:";

  static final String HEX_PREFIX = "hex:";

  private TextBytes() {}

  /**
   * The bytes as text if they are valid UTF-8 of characters a terminal shows as they are: no
   * control characters but tab, no format, private-use or unassigned characters, no space but
   * U+0020, so that nothing is hidden, moved or reordered. Otherwise {@code null}: binary.
   */
  static @Nullable String printable(byte[] bytes) {
    String text = utf8(bytes);
    if (text == null) {
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

  /** The bytes decoded as UTF-8 if they are valid UTF-8 (any characters), else {@code null}. */
  static @Nullable String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * Printable text as a field shows it: as it is, or in double quotes when it is empty, holds a
   * space, tab, quote or backslash, or starts like a binary form.
   */
  static String literal(String text) {
    return needsQuotes(text) ? quoted(text) : text;
  }

  /** Whether {@link #literal} quotes {@code text}. */
  static boolean needsQuotes(String text) {
    if (text.isEmpty() || text.startsWith(BASE64_PREFIX) || text.startsWith(HEX_PREFIX)) {
      return true;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
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
}
