package dev.datawal.sample;

import dev.datawal.RecordLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads request bodies with a bound, so that a body over {@link RecordLog#MAX_PAYLOAD_LEN} is
 * refused (413) after reading at most one byte more than the limit, never buffered whole.
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
   * The whole body, at most {@link RecordLog#MAX_PAYLOAD_LEN} bytes.
   *
   * @param declaredLength the Content-Length header, or -1 if none (chunked)
   * @throws TooLarge if the declared or actual length is over the limit
   */
  static byte[] read(InputStream body, long declaredLength) {
    long limit = RecordLog.MAX_PAYLOAD_LEN;
    if (declaredLength > limit) {
      // Refused before reading: with "Expect: 100-continue" the client never sends the body.
      throw tooLarge(Long.toString(declaredLength));
    }
    try {
      byte[] bytes = body.readNBytes(RecordLog.MAX_PAYLOAD_LEN + 1);
      if (bytes.length > limit) {
        throw tooLarge("more than " + limit);
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the request body", e);
    }
  }

  private static TooLarge tooLarge(String size) {
    return new TooLarge(
        "body of "
            + size
            + " bytes exceeds the largest value datawal stores (RecordLog.MAX_PAYLOAD_LEN = "
            + RecordLog.MAX_PAYLOAD_LEN
            + " bytes)");
  }
}
