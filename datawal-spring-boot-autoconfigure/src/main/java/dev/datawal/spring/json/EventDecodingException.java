package dev.datawal.spring.json;

import dev.datawal.DatawalException;
import dev.datawal.RecordRef;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A record of a {@link JsonEventLog} could not be turned into an event of the requested type. The
 * message names the record's txid, segment and offset, and the reason; {@link #reason()} says which
 * kind of failure it was.
 *
 * <p>It is a {@link DatawalException}, not an {@link IllegalStateException}: the caller did nothing
 * wrong, the data in the log is not what the reader expects (like a corrupt frame, one level up),
 * so it belongs with datawal's other errors about stored data. Only reading that one record fails:
 * reads, replays, followers and subscribers go on past it.
 *
 * <p>Immutable and thread-safe.
 */
public final class EventDecodingException extends DatawalException {
  private static final long serialVersionUID = 1L;

  /** Why a record could not be decoded. */
  public enum Reason {
    /**
     * The payload is not a typed-event envelope: not JSON, or not an object with a string {@code
     * type} and a {@code data} member (for example a record appended as raw bytes).
     */
    NOT_AN_ENVELOPE,
    /** No class is known by the envelope's type name. */
    UNKNOWN_TYPE,
    /**
     * The type name names a class that is not the requested type or a subtype of it (or the
     * requested type is too general to load classes by name for).
     */
    NOT_ASSIGNABLE,
    /** The envelope's {@code data} does not bind to the event class, or is {@code null}. */
    BAD_DATA
  }

  private final Reason reason;
  private final transient RecordRef ref;
  private final @Nullable String typeName;

  EventDecodingException(
      Reason reason,
      RecordRef ref,
      @Nullable String typeName,
      String detail,
      @Nullable Throwable cause) {
    super(message(reason, ref, typeName, detail), cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.ref = Objects.requireNonNull(ref, "ref");
    this.typeName = typeName;
  }

  private static String message(
      Reason reason, RecordRef ref, @Nullable String typeName, String detail) {
    return "datawal: cannot decode the event at txid "
        + ref.txid()
        + " (segment "
        + ref.segment()
        + ", offset "
        + ref.offset()
        + ")"
        + (typeName == null ? "" : ", type \"" + typeName + "\"")
        + ": "
        + reason
        + ": "
        + detail;
  }

  /** {@return which kind of failure this is} */
  public Reason reason() {
    return reason;
  }

  /** {@return where the record lies, and its txid} */
  public RecordRef ref() {
    return ref;
  }

  /** {@return the record's txid} */
  public long txid() {
    return ref.txid();
  }

  /** {@return the id of the segment holding the record} */
  public long segment() {
    return ref.segment();
  }

  /** {@return the byte offset of the record's frame in its segment} */
  public long offset() {
    return ref.offset();
  }

  /** {@return the envelope's type name, or {@code null} if the envelope could not be read} */
  public @Nullable String typeName() {
    return typeName;
  }
}
