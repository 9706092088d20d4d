package dev.datawal;

/** What is wrong with a damaged frame. */
public enum CorruptionKind {
  /** The frame, or its 24-byte header, runs past the end of the segment. */
  TRUNCATED,
  /** The frame is whole but its CRC-32C does not match its bytes. */
  CRC_MISMATCH,
  /**
   * The header is not a format-v1 header: wrong magic, unknown record type, non-zero flags, a
   * length over its limit, or version 0 (which no format ever used, so it is damage such as zero
   * fill, not a newer format).
   */
  STRUCTURAL,
  /**
   * The magic is right but the version is not 1: the frame may come from a newer format, so it is
   * never discarded as a torn tail.
   */
  UNSUPPORTED_VERSION
}
