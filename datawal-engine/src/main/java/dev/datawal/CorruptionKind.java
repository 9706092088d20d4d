package dev.datawal;

/** What is wrong with a damaged frame. */
public enum CorruptionKind {
  /** The frame, or its 24-byte header, runs past the end of the segment. */
  TRUNCATED,
  /** The frame is whole but its CRC-32C does not match its bytes. */
  CRC_MISMATCH,
  /**
   * The header is not a format-v1 header: wrong magic, unknown record type, non-zero flags, a
   * length over its limit, or a version no format can have (0, or above 255) on a frame that is not
   * otherwise whole and CRC-valid with version 1: what a header torn after its magic leaves (zero
   * fill, stale bytes or garbage), not a newer format. At the end of the last segment it is a torn
   * tail like any other damage.
   */
  STRUCTURAL,
  /**
   * The magic is right but the version is not 1, and the frame must never be discarded as a torn
   * tail: either its version is 2 to 255, so it may come from a newer format, or its version is 0
   * or above 255 but the frame is otherwise whole and its CRC-32C matches with version 1, so it was
   * written whole (a torn header cannot be that) and its version bytes were damaged since.
   */
  UNSUPPORTED_VERSION
}
