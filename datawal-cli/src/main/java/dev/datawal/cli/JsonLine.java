package dev.datawal.cli;

import org.jspecify.annotations.Nullable;

/**
 * One compact JSON object of the {@code datawal.cli.v1} schema: {@code "schema"} and {@code "kind"}
 * first, then the fields in the order they are added. Strings are escaped as RFC 8259 requires;
 * bytes go in as standard padded base64 strings, by the caller.
 *
 * <p>Not thread-safe.
 */
final class JsonLine {
  /** The schema every line names. */
  static final String SCHEMA = "datawal.cli.v1";

  private final StringBuilder sb = new StringBuilder(128);

  private JsonLine(String kind) {
    sb.append("{\"schema\":\"").append(SCHEMA).append("\",\"kind\":");
    string(kind);
  }

  /** A line of this kind ({@code record}, {@code report}, ...). */
  static JsonLine of(String kind) {
    return new JsonLine(kind);
  }

  /** A string, or {@code null}. */
  JsonLine add(String name, @Nullable String value) {
    name(name);
    if (value == null) {
      sb.append("null");
    } else {
      string(value);
    }
    return this;
  }

  JsonLine add(String name, long value) {
    name(name);
    sb.append(value);
    return this;
  }

  /** A number, or {@code null} when not known. */
  JsonLine addNullable(String name, @Nullable Long value) {
    name(name);
    sb.append(value == null ? "null" : value.toString());
    return this;
  }

  JsonLine add(String name, boolean value) {
    name(name);
    sb.append(value);
    return this;
  }

  /** The object, without a line end. */
  @Override
  public String toString() {
    return sb + "}";
  }

  private void name(String name) {
    sb.append(',');
    string(name);
    sb.append(':');
  }

  private void string(String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
