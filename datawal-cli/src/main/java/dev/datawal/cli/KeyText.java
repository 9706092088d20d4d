package dev.datawal.cli;

/**
 * A key for people, in lists of keys ({@code repair}): printable UTF-8 as text, quoted when it
 * holds a space, tab, quote or backslash, is empty, or starts like a binary form; anything else as
 * {@code hex:<hex>}. Only the first {@value BytesFormat#TRUNCATE_AT} bytes are shown (text is cut
 * between characters), followed by {@code ...(100 bytes, 64 shown)}; JSON output carries every key
 * whole.
 */
final class KeyText {
  private KeyText() {}

  static String of(byte[] key) {
    return BytesFormat.textOr(key, true, BytesFormat.HEX);
  }
}
