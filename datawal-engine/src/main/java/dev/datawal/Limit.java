package dev.datawal;

import dev.datawal.internal.format.SegmentFiles;

/**
 * The format's limits that a request can go past ({@link LimitExceededException#limit()}); each
 * knows its largest allowed value.
 */
public enum Limit {
  /** The longest key, in bytes: {@link RecordLog#MAX_KEY_LEN}. */
  MAX_KEY_LEN(RecordLog.MAX_KEY_LEN),
  /** The longest payload (value), in bytes: {@link RecordLog#MAX_PAYLOAD_LEN}. */
  MAX_PAYLOAD_LEN(RecordLog.MAX_PAYLOAD_LEN),
  /** The highest segment id: eight decimal digits in the file name. */
  MAX_SEGMENT_ID(SegmentFiles.MAX_ID);

  private final long allowed;

  Limit(long allowed) {
    this.allowed = allowed;
  }

  /** {@return the largest value this limit allows} */
  public long allowed() {
    return allowed;
  }

  /** The message of a request for {@code actual}, which is over this limit. */
  String exceededBy(long actual) {
    return switch (this) {
      case MAX_KEY_LEN ->
          "datawal: key of " + actual + " bytes exceeds MAX_KEY_LEN (" + allowed + " bytes)";
      case MAX_PAYLOAD_LEN ->
          "datawal: payload of "
              + actual
              + " bytes exceeds MAX_PAYLOAD_LEN ("
              + allowed
              + " bytes)";
      case MAX_SEGMENT_ID ->
          "datawal: segment ids are exhausted: " + allowed + " is the largest eight digits hold";
    };
  }
}
