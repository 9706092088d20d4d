package dev.datawal.powerloss;

import java.util.ArrayList;
import java.util.List;

/**
 * What the oracle says about each state of a {@code dm-log-writes} log, from the marks the recorder
 * put into it: a mark labelled {@code L<n>} was sent just after the recorder read the oracle and
 * found {@code n} complete lines.
 *
 * <p>Why the two bounds are sound:
 *
 * <ul>
 *   <li><b>Owed</b>: an acknowledgement line is written after its fsync returned, so after the
 *       flush that made its data stable completed; the kernel logs a flush's writes when it
 *       completes. A mark {@code L<n>} at index {@code m} therefore follows every write that the
 *       first {@code n} lines' acknowledgements needed, and the state after any entry {@code e >=
 *       m} owes them.
 *   <li><b>Known</b>: an op's "issued" line is written before it sends its first write. A write in
 *       the state after entry {@code e} was logged by then; the first mark after {@code e} was
 *       logged after it, and the recorder read the oracle for the second mark after {@code e} only
 *       once the first had been logged, so that second label counts the op's "issued" line. Ops
 *       beyond it cannot have touched the state; with fewer than two marks after {@code e}, the
 *       whole oracle is the bound.
 * </ul>
 *
 * Acknowledgements between the two bounds are in flight for that state: either outcome is right.
 */
final class AckWindows {
  private static final String PREFIX = "L";

  /** The lines of the oracle that a state owes ({@code owedLines}) and may reflect. */
  record Window(int owedLines, int knownLines) {}

  private final long[] markIndex; // entry index of each L mark, ascending
  private final int[] markLines; // its label
  private final int oracleLines;

  private AckWindows(long[] markIndex, int[] markLines, int oracleLines) {
    this.markIndex = markIndex;
    this.markLines = markLines;
    this.oracleLines = oracleLines;
  }

  /**
   * Reads the {@code L<n>} marks of {@code entries}.
   *
   * @param oracleLines the oracle's complete lines when recording ended
   * @throws IllegalArgumentException if a label is malformed, goes back, or exceeds the oracle
   */
  static AckWindows of(List<WriteLog.Entry> entries, int oracleLines) {
    List<long[]> marks = new ArrayList<>();
    int previous = 0;
    for (WriteLog.Entry e : entries) {
      if (!e.is(WriteLog.MARK) || !e.mark().startsWith(PREFIX)) {
        continue;
      }
      int lines;
      try {
        lines = Integer.parseInt(e.mark().substring(PREFIX.length()));
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(
            "entry " + e.index() + ": mark '" + e.mark() + "' is not L<oracle lines>");
      }
      if (lines < previous || lines > oracleLines) {
        throw new IllegalArgumentException(
            "entry "
                + e.index()
                + ": mark "
                + e.mark()
                + " after L"
                + previous
                + " with an oracle of "
                + oracleLines
                + " lines: the oracle does not belong to this log");
      }
      previous = lines;
      marks.add(new long[] {e.index(), lines});
    }
    return new AckWindows(
        marks.stream().mapToLong(m -> m[0]).toArray(),
        marks.stream().mapToInt(m -> (int) m[1]).toArray(),
        oracleLines);
  }

  /** The number of {@code L} marks. */
  int marks() {
    return markIndex.length;
  }

  /** The window of the state just after entry {@code index}. */
  Window at(long index) {
    int after = firstMarkAfter(index);
    int owed = after == 0 ? 0 : markLines[after - 1];
    int known = after + 1 < markIndex.length ? markLines[after + 1] : oracleLines;
    return new Window(owed, known);
  }

  /** The position in {@code markIndex} of the first mark with an index above {@code index}. */
  private int firstMarkAfter(long index) {
    int lo = 0;
    int hi = markIndex.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (markIndex[mid] <= index) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
