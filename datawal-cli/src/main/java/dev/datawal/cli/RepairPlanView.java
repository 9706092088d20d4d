package dev.datawal.cli;

import dev.datawal.tools.SegmentWalker;
import dev.datawal.tools.StoreRepair;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A repair plan as {@code repair} shows it, step by step in the order {@code apply} takes them: the
 * snapshot deleted, segments moved out whole, damaged regions and records whose txids go back
 * quarantined, losses accepted, torn tails left to the writer, a new manifest written; then the
 * keys that changes.
 */
final class RepairPlanView {
  private RepairPlanView() {}

  /**
   * Shows {@code plan}: text, or JSON lines ({@code quarantine}, {@code loss}, {@code damage},
   * {@code key}) whose {@code applied} says whether it was carried out.
   *
   * @param lost what the plan's losses held, as found before it was applied
   */
  static void show(StoreRepair.Plan plan, LostRecords lost, boolean applied, Output out) {
    if (!out.json()) {
      out.text("repair plan for " + plan.dir() + ":");
      if (plan.needed() && plan.snapshotPresent()) {
        out.text("  delete      keydir.snapshot (a cache of the key directory; rebuilt at open)");
      }
    }
    for (StoreRepair.Quarantine q : plan.quarantines()) {
      quarantine(q, applied, out);
    }
    for (StoreRepair.Loss loss : plan.losses()) {
      loss(StoreProblem.of(loss, plan.dir()), applied, out);
    }
    long last = plan.sizes().isEmpty() ? -1 : plan.sizes().lastKey();
    for (SegmentWalker.Damage d : plan.tornTails()) {
      DamageView view =
          DamageView.of(
              d, plan.dir().resolve(SegmentFileNames.name(d.segment())), d.segment() == last);
      if (out.json()) {
        out.json(view.json());
      } else {
        out.text("  leave       " + view.describe());
        out.text("              " + view.consequence());
      }
    }
    if (!out.json() && plan.rewritesManifest()) {
      out.text(
          "  write       "
              + StoreProblem.MANIFEST
              + ": a new one, of the segments as the repair leaves them, keeping txid floor "
              + plan.txidFloor()
              + " (no txid is handed out twice)");
    }
    if (!out.json() && !plan.needed() && plan.tornTails().isEmpty()) {
      out.text("  nothing: every segment decodes as recovery requires");
    }
    KeyChangesView.show(plan, lost, out);
  }

  private static void quarantine(StoreRepair.Quarantine q, boolean applied, Output out) {
    // A quarantine file sits beside its segment, in the store directory.
    Path dir = Objects.requireNonNull(q.file().getParent(), "the store directory");
    if (out.json()) {
      out.json(
          JsonLine.of("quarantine")
              .add("segment", q.segment())
              .add("offset", q.offset())
              .add("length", q.length())
              .add("damage_kind", q.kind().name())
              .add("detail", StoreProblem.of(q, dir).detail())
              .add("file", q.file().toString())
              .add("whole_file", q.wholeFile())
              .add("applied", applied));
    } else if (q.wholeFile()) {
      out.text(
          String.format(
              "  move out    segment %d, the whole file, %d bytes: %s (%s)%n"
                  + "              -> %s",
              q.segment(),
              q.length(),
              q.kind().phrase(),
              StoreProblem.of(q, dir).detail(),
              q.file().getFileName()));
    } else {
      out.text(
          String.format(
              "  quarantine  segment %d, offset %d, %d bytes: %s (%s)%n" + "              -> %s",
              q.segment(),
              q.offset(),
              q.length(),
              q.kind().phrase(),
              q.detail(),
              q.file().getFileName()));
    }
  }

  private static void loss(StoreProblem loss, boolean applied, Output out) {
    if (out.json()) {
      out.json(
          JsonLine.of("loss")
              .addNullable("segment", loss.manifest() ? null : loss.segment())
              .addNullable("offset", loss.offset())
              .add("damage_kind", loss.kind().name())
              .add("detail", loss.detail())
              .add("file", loss.file().toString())
              .add("applied", applied));
    } else {
      String where =
          loss.manifest()
              ? StoreProblem.MANIFEST
              : "segment "
                  + loss.segment()
                  + (loss.offset() != null && loss.offset() > 0 ? ", offset " + loss.offset() : "");
      out.text("  accept loss " + where + ": " + loss.kind().phrase() + " (" + loss.detail() + ")");
    }
  }
}
