package dev.datawal.cli;

import dev.datawal.CorruptionKind;
import dev.datawal.tools.StoreRepair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The problems of a store as a whole that make the engine's open refuse it even when every frame
 * passes its CRC: what a repair plan ({@link StoreRepair#plan(Path)}) finds besides damaged frames.
 * That is, the segment files compared with the store manifest (a segment missing, shorter, emptied,
 * changed, extra or moved into a gap), a damaged manifest, damage the manifest recorded while the
 * store was open, and records whose txids do not go up, across and within segments.
 *
 * <p>Takes no lock and changes nothing. A live writer may seal, compact or delete segments while
 * the files are compared, which can look like a problem for a moment: when a plan finds problems,
 * the store is planned again until two plans in a row agree (at most five plans), as the engine's
 * reader checks again when the manifest changed under it.
 */
final class StoreProblems {
  private static final int ATTEMPTS = 5;

  private StoreProblems() {}

  /** The problems of the store in {@code dir}, manifest first, then by segment and offset. */
  static List<StoreProblem> find(Path dir) {
    List<StoreProblem> found = of(StoreRepair.plan(dir));
    for (int attempt = 1; attempt < ATTEMPTS && !found.isEmpty(); attempt++) {
      List<StoreProblem> again = of(StoreRepair.plan(dir));
      if (same(found, again)) {
        break;
      }
      found = again;
    }
    return found;
  }

  /** The problems in {@code plan}: its losses, whole-file quarantines and txid-order regions. */
  static List<StoreProblem> of(StoreRepair.Plan plan) {
    List<StoreProblem> problems = new ArrayList<>();
    for (StoreRepair.Loss loss : plan.losses()) {
      problems.add(StoreProblem.of(loss, plan.dir()));
    }
    for (StoreRepair.Quarantine q : plan.quarantines()) {
      if (q.wholeFile() || q.kind() == CorruptionKind.TXID_ORDER) {
        problems.add(StoreProblem.of(q, plan.dir()));
      }
    }
    problems.sort(
        Comparator.comparingLong(StoreProblem::segment)
            .thenComparing(p -> p.offset() == null ? -1 : p.offset()));
    return problems;
  }

  private static boolean same(List<StoreProblem> a, List<StoreProblem> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      StoreProblem x = a.get(i);
      StoreProblem y = b.get(i);
      if (x.kind() != y.kind() || x.segment() != y.segment()) {
        return false;
      }
    }
    return true;
  }
}
