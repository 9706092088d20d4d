package dev.datawal.sample;

import dev.datawal.RecordLog;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads request bodies with a bound ({@code sample.max-body-size}): a body declared longer is
 * refused (413) before any of it is read; a body of unknown length (chunked) is read up to one byte
 * past the bound and then refused. No body is ever buffered past the bound.
 *
 * <p>Controllers take the servlet {@link InputStream} instead of {@code @RequestBody byte[]}:
 * Spring rebuilds a form POST's body from its parameters, which would change the bytes of a {@code
 * curl -d} request (see also {@code spring.mvc.formcontent.filter.enabled=false}).
 */
final class Bodies {
  private Bodies() {}

  /** A body over the limit. */
  static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLarge(String message) {
      super(message);
    }
  }

  /**
   * The whole body, at most {@code limit} bytes.
   *
   * @param declaredLength the Content-Length header, or -1 if none (chunked)
   * @param limit the largest body accepted, at most {@link RecordLog#MAX_PAYLOAD_LEN}
   * @throws TooLarge if the declared or actual length is over the limit
   */
  static byte[] read(InputStream body, long declaredLength, int limit) {
    if (declaredLength > limit) {
      // Refused before reading: the web server sends "100 Continue" only once the body is read
      // (see WebServerSettings), so a client that waits for it never sends the body at all.
      throw tooLarge(Long.toString(declaredLength), limit);
    }
    try {
      return declaredLength >= 0
          ? readDeclared(body, (int) declaredLength)
          : readUndeclared(body, limit);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the request body", e);
    }
  }

  /** A body of a known length, at most the limit: read into an array of exactly that size. */
  private static byte[] readDeclared(InputStream body, int length) throws IOException {
    byte[] bytes = new byte[length];
    int read = 0;
    while (read < length) {
      int n = body.read(bytes, read, length - read);
      if (n < 0) {
        throw new EOFException(
            "the body ended after " + read + " of its declared " + length + " bytes");
      }
      read += n;
    }
    return bytes;
  }

  /**
   * A body of unknown length (chunked): read up to one byte past the limit, never asking for more.
   * (Not {@code readNBytes(limit + 1)}: having read that many, it asks the stream for 0 bytes more,
   * and the servlet stream waits for data then, so a client still sending would keep the request.)
   */
  private static byte[] readUndeclared(InputStream body, int limit) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    long read = 0;
    while (true) {
      int n = body.read(buffer, 0, (int) Math.min(buffer.length, limit + 1L - read));
      if (n < 0) {
        return bytes.toByteArray();
      }
      read += n;
      if (read > limit) {
        throw tooLarge("more than " + limit, limit);
      }
      bytes.write(buffer, 0, n);
    }
  }

  private static TooLarge tooLarge(String size, int limit) {
    return new TooLarge(
        "body of "
            + size
            + " bytes exceeds the limit of "
            + limit
            + " bytes (sample.max-body-size)");
  }
}
