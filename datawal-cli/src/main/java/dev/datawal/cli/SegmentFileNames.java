package dev.datawal.cli;

/** Segment file names as format v1 defines them: eight decimal digits and {@code .dwal}. */
final class SegmentFileNames {
  private SegmentFileNames() {}

  /** {@code 00000002.dwal} for segment 2. */
  static String name(long segment) {
    return String.format("%08d.dwal", segment);
  }
}
