package dev.datawal.cli;

/**
 * The keys and payloads of one command's human lines: each in the {@code --bytes} format, cut to
 * its first {@value BytesFormat#TRUNCATE_AT} bytes unless {@code --no-truncate}, and a count of
 * what was cut, to say so once at the end.
 *
 * <p>Not thread-safe.
 */
final class Preview {
  private final BytesFormat format;
  private final boolean whole;
  private long cut;

  private Preview(BytesFormat format, boolean whole) {
    this.format = format;
    this.whole = whole;
  }

  /** As {@code --bytes} and {@code --no-truncate} say. */
  static Preview of(ParsedArgs args) {
    return new Preview(
        args.choice("--bytes", BytesFormat.CHOICES, BytesFormat.AUTO), args.has("--no-truncate"));
  }

  /** {@code bytes} for a field of a human line ({@code key=...}). */
  String field(byte[] bytes) {
    if (!whole && bytes.length > BytesFormat.TRUNCATE_AT) {
      cut++;
    }
    return format.field(bytes, !whole);
  }

  /**
   * If any field was cut, a note on stderr that says how many {@code what} ("key(s)"), how they are
   * marked, and how to see them whole ({@code more}: another way, or empty).
   */
  void noteCuts(Output out, String what, String more) {
    if (cut > 0) {
      out.note(
          cut
              + " "
              + what
              + " longer than "
              + BytesFormat.TRUNCATE_AT
              + " bytes are cut, marked ...(N bytes, M shown); --no-truncate shows them whole"
              + more);
    }
  }
}
