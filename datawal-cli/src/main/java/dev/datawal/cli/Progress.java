package dev.datawal.cli;

import dev.datawal.RecordLogReader;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * How far a long command has got, for someone watching a terminal: one line on stderr ({@code
 * verifying segment 3/17, 45%}), rewritten in place with a carriage return and cleared before
 * anything else is written and at the end. Never on stdout, and only when switched on ({@link Cli}
 * does so on a terminal or with {@code --progress}); switched off, every method does nothing.
 *
 * <p>The line is redrawn only when what it says changes (another segment, another percent), so a
 * walk of a million frames writes a few hundred short lines, not a million.
 *
 * <p>Not thread-safe.
 */
final class Progress {
  private final @Nullable PrintStream err;
  private final @Nullable PrintStream out;
  private String shown = "";
  private String counted = ""; // what the last count() line was about, and its percent

  private Progress(@Nullable PrintStream err, @Nullable PrintStream out) {
    this.err = err;
    this.out = out;
  }

  /** Shows nothing. */
  static Progress off() {
    return new Progress(null, null);
  }

  /**
   * Shows progress on {@code err}, flushing {@code out} (the results) before each line, so that
   * results written before it are on the screen first.
   */
  static Progress on(PrintStream err, PrintStream out) {
    return new Progress(err, out);
  }

  boolean enabled() {
    return err != null;
  }

  /** Whether a progress line is on the screen now. */
  boolean showing() {
    return !shown.isEmpty();
  }

  /** Shows {@code line} in place of the one shown, if it differs. */
  void show(String line) {
    if (err == null || line.equals(shown)) {
      return;
    }
    if (out != null) {
      out.flush();
    }
    // Spaces over whatever of the longer line before would still show.
    String pad = " ".repeat(Math.max(0, shown.length() - line.length()));
    err.print("\r" + line + pad);
    err.flush();
    shown = line;
  }

  /** Clears the line shown, if any, and leaves the cursor at its start. */
  void clear() {
    if (err == null || shown.isEmpty()) {
      return;
    }
    err.print("\r" + " ".repeat(shown.length()) + "\r");
    err.flush();
    shown = "";
  }

  /**
   * {@code "checking key 120/5000, 2%"}: item {@code done} of {@code total}; redrawn when the
   * percent changes.
   */
  void count(String verb, String noun, long done, long total) {
    if (err == null) {
      return;
    }
    String at = verb + " " + noun + " " + percent(done, total);
    if (showing() && at.equals(counted)) {
      return;
    }
    counted = at;
    show(verb + " " + noun + " " + done + "/" + total + ", " + percent(done, total) + "%");
  }

  /**
   * A walk of {@code reader}'s segments in id order, shown as {@code "verifying segment 3/17, 45%"}
   * ({@code verb} first): the segment's place among them, and the bytes before the place reached
   * out of all their bytes.
   */
  Segments segments(String verb, RecordLogReader reader) {
    // Sizes are read only when shown: it opens every segment file.
    return err == null ? new Segments(verb, null) : new Segments(verb, reader.segmentSizes());
  }

  private static int percent(long done, long total) {
    return total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
  }

  /** Where a walk of the segments has got; see {@link #segments}. */
  final class Segments {
    private final String verb;
    private final List<Long> ids = new ArrayList<>();
    private final List<Long> before = new ArrayList<>();
    private final long total;
    private long segment = -1;
    private int index = -1;
    private int shownIndex = -1;
    private int shownPercent = -1;

    private Segments(String verb, @Nullable SortedMap<Long, Long> sizes) {
      this.verb = verb;
      long bytes = 0;
      if (sizes != null) {
        for (var e : sizes.entrySet()) {
          ids.add(e.getKey());
          before.add(bytes);
          bytes += e.getValue();
        }
      }
      this.total = bytes;
    }

    /** The walk has reached {@code offset} of {@code segment}. */
    void at(long segment, long offset) {
      if (err == null) {
        return;
      }
      if (segment != this.segment) {
        this.segment = segment;
        index = Collections.binarySearch(ids, segment);
      }
      if (index < 0) {
        return; // a segment the listing did not have: nothing to measure it by
      }
      int percent = percent(before.get(index) + offset, total);
      if (index == shownIndex && percent == shownPercent && showing()) {
        return;
      }
      shownIndex = index;
      shownPercent = percent;
      show(verb + " segment " + (index + 1) + "/" + ids.size() + ", " + percent + "%");
    }
  }
}
