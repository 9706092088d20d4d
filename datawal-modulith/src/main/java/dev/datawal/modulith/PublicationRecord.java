package dev.datawal.modulith;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.modulith.events.EventPublication.Status;

/**
 * One publication as stored: the value under its key (see {@link PublicationKeys}), in format
 * version 1. All integers are big-endian; an instant is its epoch second (i64) then its nanosecond
 * of the second (i32).
 *
 * <pre>
 *   offset  size  field
 *        0     1  version               = 1
 *        1     1  status                0 PUBLISHED, 1 PROCESSING, 2 COMPLETED, 3 FAILED, 4 RESUBMITTED
 *        2     1  flags                 bit 0: last resubmission date set, bit 1: completion date set
 *        3     4  completion attempts   i32, at least 0
 *        7    12  publication date      instant
 *       19    12  last resubmission     instant (zeros when its flag is clear)
 *       31    12  completion date       instant (zeros when its flag is clear)
 *       43     4  listener id length L  i32, 1..MAX_TEXT
 *       47     L  listener id           UTF-8
 *     47+L     4  event type length T   i32, 1..MAX_TEXT
 *     51+L     T  event type            UTF-8, the event's class name
 *   51+L+T     4  event length E        i32, 0..
 *   55+L+T     E  serialized event      UTF-8, as Modulith's EventSerializer wrote it
 *   end: the value ends exactly here
 * </pre>
 *
 * <p>The store's frame CRC already covers the value, so there is none here. Decoding checks every
 * field and the exact length, and throws {@link PublicationFormatException} naming the key.
 */
record PublicationRecord(
    UUID id,
    Status status,
    int completionAttempts,
    Instant publicationDate,
    @Nullable Instant lastResubmissionDate,
    @Nullable Instant completionDate,
    String listenerId,
    String eventType,
    String serializedEvent) {

  static final byte VERSION = 1;

  static final int VERSION_OFFSET = 0;
  static final int STATUS_OFFSET = VERSION_OFFSET + 1;
  static final int FLAGS_OFFSET = STATUS_OFFSET + 1;
  static final int ATTEMPTS_OFFSET = FLAGS_OFFSET + 1;
  static final int PUBLICATION_DATE_OFFSET = ATTEMPTS_OFFSET + 4;
  static final int INSTANT_SIZE = 8 + 4;
  static final int RESUBMISSION_DATE_OFFSET = PUBLICATION_DATE_OFFSET + INSTANT_SIZE;
  static final int COMPLETION_DATE_OFFSET = RESUBMISSION_DATE_OFFSET + INSTANT_SIZE;
  static final int LISTENER_OFFSET = COMPLETION_DATE_OFFSET + INSTANT_SIZE;

  /** The fixed part: everything before the listener id's bytes, and the two later lengths. */
  static final int FIXED_SIZE = LISTENER_OFFSET + 4 + 4 + 4;

  static final int FLAG_RESUBMISSION = 1;
  static final int FLAG_COMPLETION = 2;
  static final int KNOWN_FLAGS = FLAG_RESUBMISSION | FLAG_COMPLETION;

  /** The longest listener id or event type accepted, in bytes: far above any Java name. */
  static final int MAX_TEXT = 64 * 1024;

  /** Status codes on disk; fixed here, not Modulith's enum order, which may change. */
  private static final Status[] STATUS_BY_CODE = {
    Status.PUBLISHED, Status.PROCESSING, Status.COMPLETED, Status.FAILED, Status.RESUBMITTED
  };

  static byte code(Status status) {
    return switch (status) {
      case PUBLISHED -> 0;
      case PROCESSING -> 1;
      case COMPLETED -> 2;
      case FAILED -> 3;
      case RESUBMITTED -> 4;
    };
  }

  static Status status(byte code) {
    return STATUS_BY_CODE[code];
  }

  /** {@return whether this publication is done (has a completion date)} */
  boolean completed() {
    return completionDate != null;
  }

  PublicationRecord withStatus(Status newStatus) {
    return new PublicationRecord(
        id,
        newStatus,
        completionAttempts,
        publicationDate,
        lastResubmissionDate,
        completionDate,
        listenerId,
        eventType,
        serializedEvent);
  }

  PublicationRecord resubmitted(Instant when) {
    return new PublicationRecord(
        id,
        Status.RESUBMITTED,
        completionAttempts + 1,
        publicationDate,
        when,
        completionDate,
        listenerId,
        eventType,
        serializedEvent);
  }

  PublicationRecord completedAt(Instant when) {
    return new PublicationRecord(
        id,
        Status.COMPLETED,
        completionAttempts,
        publicationDate,
        lastResubmissionDate,
        when,
        listenerId,
        eventType,
        serializedEvent);
  }

  /** {@return the value to store, in the format above} */
  byte[] encode() {
    byte[] listener = listenerId.getBytes(StandardCharsets.UTF_8);
    byte[] type = eventType.getBytes(StandardCharsets.UTF_8);
    byte[] event = serializedEvent.getBytes(StandardCharsets.UTF_8);
    int flags =
        (lastResubmissionDate != null ? FLAG_RESUBMISSION : 0)
            | (completionDate != null ? FLAG_COMPLETION : 0);
    ByteBuffer out =
        ByteBuffer.allocate(FIXED_SIZE + listener.length + type.length + event.length)
            .put(VERSION)
            .put(code(status))
            .put((byte) flags)
            .putInt(completionAttempts);
    putInstant(out, publicationDate);
    putInstant(out, lastResubmissionDate);
    putInstant(out, completionDate);
    out.putInt(listener.length).put(listener);
    out.putInt(type.length).put(type);
    out.putInt(event.length).put(event);
    return out.array();
  }

  private static void putInstant(ByteBuffer out, @Nullable Instant instant) {
    out.putLong(instant == null ? 0 : instant.getEpochSecond());
    out.putInt(instant == null ? 0 : instant.getNano());
  }

  /**
   * Decodes the value stored at {@code key}.
   *
   * @throws PublicationFormatException naming the key and the first thing wrong
   */
  static PublicationRecord decode(byte[] key, UUID id, byte[] value) {
    Reader in = new Reader(key, value);
    if (value.length < FIXED_SIZE) {
      throw in.bad(
          "the value is " + value.length + " bytes, shorter than the " + FIXED_SIZE + " fixed");
    }
    byte version = in.buffer.get();
    if (version != VERSION) {
      throw in.bad(
          "format version "
              + version
              + " is unknown (this datawal-modulith reads version "
              + VERSION
              + ")");
    }
    byte statusCode = in.buffer.get();
    if (statusCode < 0 || statusCode >= STATUS_BY_CODE.length) {
      throw in.bad("status code " + statusCode + " at byte " + STATUS_OFFSET + " is unknown");
    }
    int flags = in.buffer.get();
    if ((flags & ~KNOWN_FLAGS) != 0) {
      throw in.bad("flags 0x" + Integer.toHexString(flags & 0xff) + " has unknown bits");
    }
    int attempts = in.buffer.getInt();
    if (attempts < 0) {
      throw in.bad("completion attempts " + attempts + " is negative");
    }
    Instant published = in.instant("publication date");
    Instant resubmitted = in.instant("last resubmission date");
    Instant completed = in.instant("completion date");
    String listener = in.text("listener id", 1, MAX_TEXT);
    String type = in.text("event type", 1, MAX_TEXT);
    String event = in.text("serialized event", 0, Integer.MAX_VALUE);
    if (in.buffer.hasRemaining()) {
      throw in.bad(in.buffer.remaining() + " bytes follow the serialized event");
    }
    Status status = STATUS_BY_CODE[statusCode];
    boolean hasCompletion = (flags & FLAG_COMPLETION) != 0;
    if ((status == Status.COMPLETED) != hasCompletion) {
      throw in.bad("status " + status + " disagrees with the completion date's flag");
    }
    return new PublicationRecord(
        id,
        status,
        attempts,
        published,
        (flags & FLAG_RESUBMISSION) != 0 ? resubmitted : null,
        hasCompletion ? completed : null,
        listener,
        type,
        event);
  }

  /**
   * {@return the publication date of the value at {@code key}, read from its fixed part only}
   *
   * @throws PublicationFormatException if the fixed part does not check out
   */
  static Instant publicationDate(byte[] key, byte[] value) {
    Reader in = header(key, value);
    in.buffer.position(PUBLICATION_DATE_OFFSET);
    return in.instant("publication date");
  }

  /**
   * {@return the completion date of the value at {@code key}, null if it has none}
   *
   * @throws PublicationFormatException if the fixed part does not check out
   */
  static @Nullable Instant completionDate(byte[] key, byte[] value) {
    Reader in = header(key, value);
    if ((value[FLAGS_OFFSET] & FLAG_COMPLETION) == 0) {
      return null;
    }
    in.buffer.position(COMPLETION_DATE_OFFSET);
    return in.instant("completion date");
  }

  private static Reader header(byte[] key, byte[] value) {
    Reader in = new Reader(key, value);
    if (value.length < FIXED_SIZE || value[VERSION_OFFSET] != VERSION) {
      throw in.bad(
          value.length < FIXED_SIZE
              ? "the value is " + value.length + " bytes, shorter than the " + FIXED_SIZE + " fixed"
              : "format version " + value[VERSION_OFFSET] + " is unknown");
    }
    return in;
  }

  /** Reads the fields in order; every error names the key and the byte offset. */
  private static final class Reader {
    final byte[] key;
    final ByteBuffer buffer;

    Reader(byte[] key, byte[] value) {
      this.key = key;
      this.buffer = ByteBuffer.wrap(value);
    }

    PublicationFormatException bad(String problem) {
      return new PublicationFormatException(key, problem);
    }

    Instant instant(String field) {
      int at = buffer.position();
      long seconds = buffer.getLong();
      int nanos = buffer.getInt();
      if (nanos < 0 || nanos > 999_999_999) {
        throw bad(field + " at byte " + at + " has nanoseconds " + nanos + ", not 0..999999999");
      }
      try {
        return Instant.ofEpochSecond(seconds, nanos);
      } catch (java.time.DateTimeException e) {
        throw bad(field + " at byte " + at + " is out of range (" + seconds + " s)");
      }
    }

    String text(String field, int min, int max) {
      int at = buffer.position();
      if (buffer.remaining() < 4) {
        throw bad(field + "'s length at byte " + at + " is cut off: the value ends there");
      }
      int length = buffer.getInt();
      if (length < min || length > max || length > buffer.remaining()) {
        throw bad(
            field
                + "'s length "
                + length
                + " at byte "
                + at
                + " does not fit (allowed "
                + min
                + ".."
                + Math.min(max, buffer.remaining())
                + ")");
      }
      ByteBuffer bytes = buffer.slice(buffer.position(), length);
      buffer.position(buffer.position() + length);
      try {
        CharBuffer chars =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(bytes);
        return chars.toString();
      } catch (CharacterCodingException e) {
        throw bad(field + " at byte " + (at + 4) + " is not valid UTF-8");
      }
    }
  }
}
