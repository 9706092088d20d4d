package dev.datawal.sample;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The key a {@code /kv/...} request names, read from the request's raw (undecoded) path so that
 * every key round-trips exactly: {@code PUT}, {@code GET} and {@code DELETE} of one path always
 * address one key, and that key is the path after {@code /kv/}, percent-decoded as UTF-8. A path
 * that could not round-trip is refused with an {@link IllegalArgumentException} that says why:
 *
 * <ul>
 *   <li>a {@code ;}: servlet containers and Spring read {@code ;...} as path (matrix) parameters
 *       and drop them, so {@code /kv/a;b=c} would address key {@code a}; a {@code ;} that is part
 *       of the key is sent as {@code %3B};
 *   <li>an empty key, or an empty segment (a key starting or ending with {@code /}, or with {@code
 *       //}): proxies and servers merge or drop them;
 *   <li>a {@code .} or {@code ..} segment: clients and servers resolve dot-segments before the
 *       request arrives, so the key could not be read back;
 *   <li>a malformed {@code %} escape, escaped bytes that are not UTF-8, a character that is not
 *       printable ASCII (send it percent-encoded as UTF-8), or more than {@code
 *       sample.max-key-bytes} bytes.
 * </ul>
 *
 * <p>{@code %2F} is a {@code /} in the key: {@code /kv/a%2Fb} and {@code /kv/a/b} address the same
 * key (the web server passes {@code %2F} through, see {@link WebServerSettings}).
 */
final class KeyPath {
  private KeyPath() {}

  /**
   * The key of a request to {@code prefix} (such as {@code /kv}) and below.
   *
   * @param rawPath the request's path within the application, undecoded, without the query
   * @param prefix the path the key follows
   * @param maxKeyBytes the longest key, in UTF-8 bytes
   * @return the key's UTF-8 bytes
   * @throws IllegalArgumentException if the path names no key, or one that could not round-trip
   */
  static byte[] key(String rawPath, String prefix, int maxKeyBytes) {
    int semicolon = rawPath.indexOf(';');
    if (semicolon >= 0) {
      throw new IllegalArgumentException(
          "the path '"
              + rawPath
              + "' has a ';' at index "
              + semicolon
              + ": ';' starts path (matrix) parameters, which the server drops, so the key would"
              + " not round-trip; percent-encode a ';' that is part of the key as %3B");
    }
    if (!rawPath.startsWith(prefix)) {
      throw new IllegalStateException("'" + rawPath + "' is not under " + prefix);
    }
    String raw = rawPath.substring(prefix.length());
    raw = raw.startsWith("/") ? raw.substring(1) : raw;
    byte[] bytes = decode(raw);
    String key = utf8(bytes, raw);
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty: use " + prefix + "/{key}");
    }
    checkSegments(key);
    if (bytes.length > maxKeyBytes) {
      throw new IllegalArgumentException(
          "key of "
              + bytes.length
              + " UTF-8 bytes exceeds the limit of "
              + maxKeyBytes
              + " bytes (sample.max-key-bytes)");
    }
    return bytes;
  }

  /** The bytes of {@code raw} with its {@code %XX} escapes decoded. */
  private static byte[] decode(String raw) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int high = i + 1 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int low = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
        if (high < 0 || low < 0) {
          throw new IllegalArgumentException(
              "malformed percent-encoding at index "
                  + i
                  + " of the key '"
                  + raw
                  + "': '%' must be followed by two hex digits");
        }
        bytes.write(high << 4 | low);
        i += 2;
      } else if (c > ' ' && c < 0x7F) {
        bytes.write(c);
      } else {
        throw new IllegalArgumentException(
            "the key '"
                + raw
                + "' has a character that is not printable ASCII at index "
                + i
                + ": percent-encode it as UTF-8");
      }
    }
    return bytes.toByteArray();
  }

  private static String utf8(byte[] bytes, String raw) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "the key '" + raw + "' is not UTF-8 once percent-decoded: keys are UTF-8 text");
    }
  }

  private static void checkSegments(String key) {
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty()) {
        throw new IllegalArgumentException(
            "the key '"
                + key
                + "' has an empty segment: a key must not start or end with '/' or contain '//'"
                + " (proxies and servers merge or drop them)");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "the key '"
                + key
                + "' has a '"
                + segment
                + "' segment: clients and servers resolve '.' and '..' in paths before a request"
                + " arrives, so the key could not be read back");
      }
    }
  }
}
