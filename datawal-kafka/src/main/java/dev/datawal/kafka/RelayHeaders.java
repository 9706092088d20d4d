package dev.datawal.kafka;

import dev.datawal.RecordType;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The headers the relay puts on every Kafka record, and helpers for consumers to read them. Every
 * value is text, so any client and {@code kafka-console-consumer --property print.headers=true} can
 * read it:
 *
 * <ul>
 *   <li>{@value #TXID}: the record's txid in the local log, in decimal ASCII ({@code 42});
 *   <li>{@value #TYPE}: its {@link RecordType} name ({@code PUT}, {@code DELETE}, {@code RAW});
 *   <li>{@value #STORE}: the relay's store id, in UTF-8, which says whose txids these are.
 * </ul>
 *
 * <p>A consumer that must see each record once keeps, per store id and partition, the highest txid
 * it has applied, and skips a record whose txid is not above it: the relay delivers every record at
 * least once, and a record delivered again after a crash or a broker failure always comes after the
 * ones it repeats (see {@code docs/scaling.md}).
 *
 * <p>Thread-safe (no state).
 */
public final class RelayHeaders {
  /** The header holding the record's txid. */
  public static final String TXID = "datawal.txid";

  /** The header holding the record's type. */
  public static final String TYPE = "datawal.type";

  /** The header holding the relay's store id. */
  public static final String STORE = "datawal.store";

  private RelayHeaders() {}

  /**
   * The txid in {@code headers}.
   *
   * @param headers a record's headers
   * @return the txid of the record in the local log
   * @throws IllegalArgumentException if the header is missing or not a decimal number
   */
  public static long txid(Headers headers) {
    String text = text(headers, TXID);
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "datawal: header " + TXID + " is not a txid: \"" + text + "\"", e);
    }
  }

  /**
   * The record type in {@code headers}.
   *
   * @param headers a record's headers
   * @return the record's type
   * @throws IllegalArgumentException if the header is missing or names no type
   */
  public static RecordType type(Headers headers) {
    return RecordType.valueOf(text(headers, TYPE));
  }

  /**
   * The store id in {@code headers}.
   *
   * @param headers a record's headers
   * @return the id of the store whose log the record comes from
   * @throws IllegalArgumentException if the header is missing
   */
  public static String storeId(Headers headers) {
    return text(headers, STORE);
  }

  static byte[] encode(long txid) {
    return Long.toString(txid).getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] encode(RecordType type) {
    return type.name().getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] encode(String storeId) {
    return storeId.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Headers headers, String name) {
    Objects.requireNonNull(headers, "headers");
    Header header = headers.lastHeader(name);
    if (header == null || header.value() == null) {
      throw new IllegalArgumentException("datawal: the record has no " + name + " header");
    }
    return new String(header.value(), StandardCharsets.UTF_8);
  }
}
