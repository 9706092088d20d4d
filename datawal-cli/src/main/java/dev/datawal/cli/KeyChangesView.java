package dev.datawal.cli;

import dev.datawal.tools.StoreRepair;
import java.util.List;

/**
 * The keys a repair changes, as {@code repair} shows them: lost, set back to an older value, come
 * back. Text lists at most {@value #TEXT_LIMIT} keys of each kind; JSON lists every one.
 */
final class KeyChangesView {
  /** Keys listed per kind of change in text. */
  static final int TEXT_LIMIT = 100;

  private KeyChangesView() {}

  /**
   * Shows the key changes of {@code plan}, if it changes anything; without a snapshot to name them,
   * what the losses held ({@code lost}).
   */
  static void show(StoreRepair.Plan plan, LostRecords lost, Output out) {
    if (!plan.needed()) {
      return;
    }
    StoreRepair.KeyChanges keys = plan.keys();
    if (keys.evidence() == null) {
      if (!out.json() && !plan.losses().isEmpty()) {
        out.text(
            "keys the repair changes: cannot be named: the store has no usable key-directory"
                + " snapshot (keydir.snapshot), the only record of the keys it had, to compare"
                + " what is left with; the losses held "
                + lost.describe());
      }
      return;
    }
    if (!out.json()) {
      out.text(
          "keys the repair changes (compared with "
              + keys.evidence()
              + "):"
              + (keys.any() ? "" : " none, every key keeps its value"));
    }
    list("lost", "lost (no value any more)", keys.lost(), out);
    list("reverted", "set back to an older value", keys.reverted(), out);
    list("came_back", "come back (deleted or never written, and live again)", keys.cameBack(), out);
  }

  private static void list(String change, String title, List<byte[]> keys, Output out) {
    if (out.json()) {
      for (byte[] key : keys) {
        out.json(
            JsonLine.of("key")
                .add("change", change)
                .add("key_base64", BytesFormat.base64(key))
                .add("key_text", TextBytes.utf8(key)));
      }
      return;
    }
    if (keys.isEmpty()) {
      return;
    }
    out.text("  " + title + ": " + keys.size());
    for (byte[] key : keys.subList(0, Math.min(keys.size(), TEXT_LIMIT))) {
      out.text("    " + KeyText.of(key));
    }
    if (keys.size() > TEXT_LIMIT) {
      out.text("    ... and " + (keys.size() - TEXT_LIMIT) + " more (--json lists every key)");
    }
    if (keys.stream().anyMatch(k -> k.length > BytesFormat.TRUNCATE_AT)) {
      out.text(
          "    (keys over "
              + BytesFormat.TRUNCATE_AT
              + " bytes are cut, marked ...(N bytes, M shown); --json lists every key whole)");
    }
  }
}
