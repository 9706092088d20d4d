package dev.datawal.internal.format;

import dev.datawal.CorruptionKind;
import org.jspecify.annotations.Nullable;

/**
 * Why the bytes at some offset are not a valid frame.
 *
 * @param kind the kind of damage
 * @param detail what exactly is wrong, for messages
 * @param needed for {@link CorruptionKind#TRUNCATED}: how many bytes the frame (or header) needs
 *     from its start; 0 otherwise
 * @param ifCrcValidAsVersion1 for a header whose version no format can have but that is otherwise
 *     the header of a whole v1 frame: the fault it is instead when the frame's CRC-32C matches with
 *     its version read as 1 (see {@link #crcDecides()}); {@code null} otherwise
 */
public record FrameFault(
    CorruptionKind kind, String detail, long needed, @Nullable FrameFault ifCrcValidAsVersion1) {

  /** A fault that is final: no CRC can change it. */
  public FrameFault(CorruptionKind kind, String detail, long needed) {
    this(kind, detail, needed, null);
  }

  /**
   * Whether this fault is only provisional: a header check cannot tell a torn header from a whole
   * frame whose version bytes were damaged, only the CRC of the whole frame can. A reader that has
   * the frame's bytes computes it with {@link FrameFormat#updateHeaderCrcAsVersion1} and calls
   * {@link #settle}; one that reads the header alone may take the fault as it is (the frame is not
   * valid either way).
   */
  public boolean crcDecides() {
    return ifCrcValidAsVersion1 != null;
  }

  /**
   * The final fault, given whether the frame's CRC-32C matched with its version read as 1.
   *
   * @throws IllegalStateException if this fault is already final
   */
  public FrameFault settle(boolean crcValidAsVersion1) {
    FrameFault ifValid = ifCrcValidAsVersion1;
    if (ifValid == null) {
      throw new IllegalStateException("not a fault the CRC decides: " + this);
    }
    return crcValidAsVersion1 ? ifValid : new FrameFault(kind, detail, needed);
  }

  /** A short name of the kind for messages, such as "CRC mismatch". */
  public String kindPhrase() {
    return kind.phrase();
  }

  @Override
  public String toString() {
    return kindPhrase() + ": " + detail;
  }

  /** The fault of a frame (or header) that needs {@code needed} bytes where fewer are left. */
  public static FrameFault truncated(long needed, long available) {
    return new FrameFault(
        CorruptionKind.TRUNCATED,
        "the frame needs " + needed + " bytes, " + available + " are left",
        needed);
  }
}
