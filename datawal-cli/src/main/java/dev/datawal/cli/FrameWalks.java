package dev.datawal.cli;

import dev.datawal.DatawalException;
import dev.datawal.RecordLogReader;
import dev.datawal.tools.SegmentWalker;
import java.nio.file.NoSuchFileException;
import java.util.List;

/** Walks every frame and damaged region of every segment, past damage (verify, dump). */
final class FrameWalks {
  /** Sees each item; returns {@code false} to stop the walk. */
  @FunctionalInterface
  interface Visitor {
    boolean visit(SegmentWalker.Item item, boolean lastSegment);
  }

  private FrameWalks() {}

  /**
   * Shows every item of every segment of {@code reader} to {@code visitor}, in log order.
   *
   * @return how many segments were walked
   */
  static int walk(RecordLogReader reader, Visitor visitor) {
    List<Long> ids = reader.segments();
    int walked = 0;
    for (int i = 0; i < ids.size(); i++) {
      SegmentWalker walker;
      try {
        walker = SegmentWalker.open(reader.dir(), ids.get(i), false);
      } catch (DatawalException e) {
        if (e.getCause() instanceof NoSuchFileException) {
          continue; // deleted by a live writer since the reader listed it
        }
        throw e;
      }
      walked++;
      try (walker) {
        for (SegmentWalker.Item item = walker.next(); item != null; item = walker.next()) {
          if (!visitor.visit(item, i == ids.size() - 1)) {
            return walked;
          }
        }
      }
    }
    return walked;
  }
}
