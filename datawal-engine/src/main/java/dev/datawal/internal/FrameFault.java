package dev.datawal.internal;

import dev.datawal.CorruptionKind;

/**
 * Why the bytes at some offset are not a valid frame.
 *
 * @param kind the kind of damage
 * @param detail what exactly is wrong, for messages
 * @param needed for {@link CorruptionKind#TRUNCATED}: how many bytes the frame (or header) needs
 *     from its start; 0 otherwise
 */
public record FrameFault(CorruptionKind kind, String detail, long needed) {

  /** A short name of the kind for messages, such as "CRC mismatch". */
  public String kindPhrase() {
    return kind.phrase();
  }

  @Override
  public String toString() {
    return kindPhrase() + ": " + detail;
  }

  static FrameFault truncated(long needed, long available) {
    return new FrameFault(
        CorruptionKind.TRUNCATED,
        "the frame needs " + needed + " bytes, " + available + " are left",
        needed);
  }
}
