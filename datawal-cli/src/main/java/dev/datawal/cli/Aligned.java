package dev.datawal.cli;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Label-value lines with the values lined up, for summaries in human output.
 *
 * <p>Not thread-safe.
 */
final class Aligned {
  private final List<String[]> rows = new ArrayList<>();

  /** A line; a {@code null} value shows as {@code null}. */
  Aligned add(String label, @Nullable Object value) {
    rows.add(new String[] {label, String.valueOf(value)});
    return this;
  }

  /** Writes the lines, each label padded to the longest. */
  void print(Output out) {
    int width = 0;
    for (String[] row : rows) {
      width = Math.max(width, row[0].length());
    }
    for (String[] row : rows) {
      out.text(row[0] + " ".repeat(width - row[0].length() + 2) + row[1]);
    }
  }
}
