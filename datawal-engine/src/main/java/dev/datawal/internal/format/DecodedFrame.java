package dev.datawal.internal.format;

import dev.datawal.RecordType;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of decoding one frame from memory: either a valid frame or the fault that stopped it.
 *
 * @param fault why the bytes are not a valid frame, or {@code null} when they are
 * @param type the record type (valid frames only)
 * @param txid the txid (valid frames only)
 * @param key the key (valid frames only)
 * @param payload the payload (valid frames only)
 * @param length the frame's whole length (valid frames only)
 */
public record DecodedFrame(
    @Nullable FrameFault fault,
    @Nullable RecordType type,
    long txid,
    byte @Nullable [] key,
    byte @Nullable [] payload,
    int length) {

  static DecodedFrame failed(FrameFault fault) {
    return new DecodedFrame(fault, null, 0, null, null, 0);
  }

  /** Whether the bytes held a valid frame. */
  public boolean valid() {
    return fault == null;
  }
}
