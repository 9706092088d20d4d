package dev.datawal.cli;

import dev.datawal.CorruptionKind;
import dev.datawal.DatawalException;
import dev.datawal.tools.SegmentWalker;
import dev.datawal.tools.StoreRepair;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How many records, and which txids, the losses of a repair plan held: what the store manifest
 * recorded of each segment that is gone or shorter, less the records of its txids that the store
 * still has after the repair (the first part of a cut segment; a swapped segment's records, in the
 * file of another id). What a changed segment or a damaged manifest held is not known. Records left
 * only in quarantine files count as lost: the store no longer has them.
 *
 * <p>The manifest is the engine's internal file: what it records reaches the CLI only in the words
 * of the engine's messages ({@code "... records it with 51200 bytes with 400 records, txids 1601 to
 * 2000"}), so a loss whose message does not say it counts as not known.
 *
 * @param held what each loss whose records are known held, in the plan's order
 * @param unknown the losses whose records are not known, as "segment 4 (changed segment)"
 */
record LostRecords(List<Held> held, List<String> unknown) {
  /** "N bytes with R records, txids A to B" or "N bytes with R records, up to txid B". */
  private static final Pattern RECORDED =
      Pattern.compile(
          "\\d+ bytes with (?:no records|(\\d+) records?, (?:txids (\\d+) to|up to txid) (\\d+))");

  /**
   * What one loss held.
   *
   * @param segment the segment
   * @param records how many records
   * @param firstTxid the lowest of their txids, 0 if none or not known
   * @param lastTxid the highest, 0 if none
   */
  record Held(long segment, long records, long firstTxid, long lastTxid) {}

  LostRecords {
    held = List.copyOf(held);
    unknown = List.copyOf(unknown);
  }

  static LostRecords of(StoreRepair.Plan plan) {
    List<Recorded> recorded = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (StoreRepair.Loss loss : plan.losses()) {
      Recorded r = recorded(loss);
      if (r != null) {
        recorded.add(r);
      } else {
        unknown.add(
            (loss.segment() < 0 ? StoreProblem.MANIFEST : "segment " + loss.segment())
                + " ("
                + loss.kind().phrase()
                + ")");
      }
    }
    if (!recorded.isEmpty() && !keptAnywhere(plan, recorded)) {
      for (Recorded r : recorded) {
        unknown.add("segment " + r.segment + " (" + r.kind.phrase() + ")");
      }
      recorded.clear();
    }
    List<Held> held = new ArrayList<>();
    for (Recorded r : recorded) {
      long lost = Math.max(0, r.records - r.kept);
      held.add(
          lost == 0
              ? new Held(r.segment, 0, 0, 0)
              : new Held(r.segment, lost, r.kept == 0 ? r.first : r.lastKept + 1, r.last));
    }
    return new LostRecords(held, unknown);
  }

  /** What the manifest recorded of a lost segment, and how much of it the store still has. */
  private static final class Recorded {
    final long segment;
    final CorruptionKind kind;
    final long records;
    final long first;
    final long last;
    long kept;
    long lastKept;

    Recorded(long segment, CorruptionKind kind, long records, long first, long last) {
      this.segment = segment;
      this.kind = kind;
      this.records = records;
      this.first = first;
      this.last = last;
    }
  }

  /**
   * What the manifest recorded of the segment of a missing or shorter segment, or {@code null} if
   * the loss is of another kind or its message does not say.
   */
  private static @Nullable Recorded recorded(StoreRepair.Loss loss) {
    if (loss.kind() != CorruptionKind.SEGMENT_MISSING
        && loss.kind() != CorruptionKind.SEGMENT_SHORTER) {
      return null;
    }
    Matcher m = RECORDED.matcher(loss.detail());
    if (!m.find() || (m.group(1) != null && m.group(2) == null)) {
      return null; // not said, or without its first txid (what is left cannot be told apart)
    }
    return m.group(1) == null
        ? new Recorded(loss.segment(), loss.kind(), 0, 0, 0) // "no records"
        : new Recorded(
            loss.segment(),
            loss.kind(),
            Long.parseLong(m.group(1)),
            Long.parseLong(m.group(2)),
            Long.parseLong(m.group(3)));
  }

  /**
   * Counts, for each recorded loss, the records of its txids that the repair keeps, wherever they
   * lie now (a shorter segment keeps its first ones; a swapped segment's records are in another
   * file): frames in the segment files, less those the plan quarantines.
   *
   * @return false if a segment cannot be read
   */
  private static boolean keptAnywhere(StoreRepair.Plan plan, List<Recorded> recorded) {
    for (long id : plan.sizes().keySet()) {
      try (SegmentWalker walker = SegmentWalker.open(plan.dir(), id, false)) {
        for (SegmentWalker.Item item = walker.next(); item != null; item = walker.next()) {
          if (!(item instanceof SegmentWalker.Frame f) || quarantined(plan, f)) {
            continue;
          }
          for (Recorded r : recorded) {
            if (f.txid() >= r.first && f.txid() <= r.last) {
              r.kept++;
              r.lastKept = Math.max(r.lastKept, f.txid());
            }
          }
        }
      } catch (DatawalException unreadable) {
        return false;
      }
    }
    return true;
  }

  private static boolean quarantined(StoreRepair.Plan plan, SegmentWalker.Frame f) {
    for (StoreRepair.Quarantine q : plan.quarantines()) {
      if (q.segment() == f.segment()
          && f.offset() >= q.offset()
          && f.offset() < q.offset() + q.length()) {
        return true;
      }
    }
    return false;
  }

  /** The records the known losses held. */
  long records() {
    return held.stream().mapToLong(Held::records).sum();
  }

  /** Whether every loss's records are known. */
  boolean known() {
    return unknown.isEmpty();
  }

  /**
   * "119 records (segment 5: 71, txids 286 to 356; segment 9: 48, txids 594 to 641)", with what is
   * not known.
   */
  String describe() {
    long records = records();
    StringBuilder sb =
        new StringBuilder().append(records).append(records == 1 ? " record" : " records");
    StringJoiner each = new StringJoiner("; ", " (", ")").setEmptyValue("");
    for (Held h : held) {
      if (h.records() > 0) {
        each.add(
            "segment "
                + h.segment()
                + ": "
                + h.records()
                + (h.firstTxid() > 0
                    ? ", txids " + h.firstTxid() + " to " + h.lastTxid()
                    : ", up to txid " + h.lastTxid()));
      }
    }
    sb.append(each);
    if (!unknown.isEmpty()) {
      sb.append(held.isEmpty() ? " known; " : ", and ")
          .append("what ")
          .append(String.join(", ", unknown))
          .append(" held is not known");
    }
    return sb.toString();
  }
}
