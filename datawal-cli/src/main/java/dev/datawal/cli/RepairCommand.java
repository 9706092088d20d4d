package dev.datawal.cli;

import dev.datawal.CorruptStoreException;
import dev.datawal.RecordLogReader;
import dev.datawal.RecoveryReport;
import dev.datawal.tools.StoreRepair;
import java.nio.file.Path;
import java.util.List;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * {@code repair}: the only command that changes a store. Shows what it would do; with {@code
 * --yes}, does it under the writer lock.
 */
final class RepairCommand implements Command {
  private static final CommandSpec SPEC =
      new CommandSpec(
          "repair",
          "quarantine damage and accept lost data, so the store opens (dry run unless --yes)",
          List.of("<store>"),
          List.of(new CommandSpec.Option("--yes", null, "carry out the repair")),
          """
          The only command that changes a store. What it does, step by step:
          - moves each damaged region that makes recovery refuse the store (any damage in a
            sealed segment, damage followed by valid frames in the last segment, a frame of an
            unsupported version) and each run of records whose txid is not above the one before
            (segments swapped or copied) out of its segment into
            <segment>.dwal.quarantine-at-<offset>, which holds exactly those bytes; valid frames
            before and after are kept; a torn tail is left for the writer's open;
          - moves a segment file that the store manifest (datawal.manifest) does not know
            (copied in, moved into a gap) out whole: renamed to <segment>.dwal.quarantine-at-0;
          - accepts as gone what nothing can bring back: a segment that is missing, shorter
            (cut or emptied) or holds other frames than the manifest records, a damaged
            manifest, damage recorded while the store was open; it then writes a new manifest
            of what is left, keeping the txid floor so that no txid is handed out twice.
          It names the keys the loss changes, compared with the key-directory snapshot
          (keydir.snapshot) and the records after it: keys lost, set back to an older value, and
          come back (deleted, or never written, and live again). Keys are shown as UTF-8 text
          when printable, else as hex:<hex>, cut after 64 bytes (marked ...(N bytes, M shown));
          at most 100 of each kind, then "... and N more"; --json lists every key whole.
          Without a usable snapshot the keys cannot be named: it says so, and how many records
          (which txids) the losses held, as the manifest recorded them.
          Without --yes: a dry run that takes no lock and changes nothing; it prints the plan.
          With --yes: takes the writer lock (fails, exit 1, if a writer has the store open),
          plans again under it, prints the plan, and carries it out durably: each quarantine
          file written to a temporary name, forced, renamed, directory synced; only then the
          segment rewritten beside itself, forced, renamed over the old one, directory synced;
          the new manifest last. A key-directory snapshot (a cache) is deleted first. Then
          checks, read-only, that recovery accepts the store.
          JSON: a "quarantine" line per region or whole file ("segment","offset","length",
          "damage_kind","detail","file","whole_file","applied"), a "loss" line per loss
          accepted ("segment","offset","damage_kind","detail","file","applied"; segment and
          offset null for the manifest), a "damage" line per torn tail left alone, a "key" line
          per key changed ("change": lost, reverted or came_back, "key_base64", "key_text": the
          key as a string if it is valid UTF-8, else null; every key),
          then {"kind":"repair","dry_run","regions","quarantined_bytes","snapshot_deleted",
          "leftovers_removed","store_opens","files_moved_out","losses","lost_records",
          "manifest_rewritten","txid_floor","keys_named","keys_lost","keys_reverted",
          "keys_came_back"} (lost_records null if not known; keys_* null if not named).
          Exit: dry run 0 nothing to do, 2 only a torn tail, 3 repair needed;
          with --yes 0 (or 2 with a torn tail left) when the store opens afterwards, 3 if not,
          1 if the store is locked or cannot be read.""");

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public int run(ParsedArgs args, Output out) {
    Path store = args.store();
    if (!args.has("--yes")) {
      StoreRepair.Plan plan = StoreRepair.plan(store);
      LostRecords lost = LostRecords.of(plan);
      RepairPlanView.show(plan, lost, false, out);
      summary(plan, lost, true, false, 0, null, out);
      if (plan.needed()) {
        out.note(
            "dry run: nothing was changed; to carry this out, stop every writer of the store, then"
                + " run: datawal repair "
                + store
                + " --yes");
        return ExitCode.CORRUPT;
      }
      out.note("nothing blocks opening this store; nothing to repair");
      return plan.tornTails().isEmpty() ? ExitCode.OK : ExitCode.RECOVERABLE;
    }
    StoreRepair.Result result;
    LostRecords lost;
    try (StoreRepair repair = StoreRepair.lock(store)) {
      StoreRepair.Plan plan = repair.plan();
      lost = LostRecords.of(plan); // before the files change
      if (!out.json()) {
        // What it is about to do, in case it fails part way.
        RepairPlanView.show(plan, lost, false, out);
      }
      result = repair.apply(plan);
      if (out.json()) {
        RepairPlanView.show(plan, lost, true, out);
      } else if (plan.needed()) {
        out.text("done: " + done(plan));
      }
    }
    // Read-only: would a writer's recovery accept the store now?
    RecoveryReport after = null;
    String refused = "";
    try {
      after = RecordLogReader.open(store).report();
    } catch (CorruptStoreException e) {
      refused = Cli.message(e);
    }
    summary(
        result.plan(),
        lost,
        false,
        result.snapshotDeleted(),
        result.leftoversRemoved().size(),
        after != null,
        out);
    if (after == null) {
      out.note("the store still does not open: " + refused);
      return ExitCode.CORRUPT;
    }
    if (!result.plan().needed()) {
      out.note("nothing blocked opening this store; nothing was changed");
    }
    return after.tailTruncated() > 0 ? ExitCode.RECOVERABLE : ExitCode.OK;
  }

  /** "every quarantine file is durable, the segments are rewritten, ...": what apply did. */
  private static String done(StoreRepair.Plan plan) {
    StringJoiner steps = new StringJoiner(", ");
    boolean regions = plan.quarantines().stream().anyMatch(q -> !q.wholeFile());
    if (regions) {
      steps.add("every quarantine file is durable and the segments are rewritten without them");
    }
    if (plan.quarantines().stream().anyMatch(StoreRepair.Quarantine::wholeFile)) {
      steps.add("the unexpected segment files are moved out");
    }
    if (plan.rewritesManifest()) {
      steps.add("a new " + StoreProblem.MANIFEST + " records what is left");
    }
    return steps.toString();
  }

  private static void summary(
      StoreRepair.Plan plan,
      LostRecords lost,
      boolean dryRun,
      boolean snapshotDeleted,
      int leftovers,
      @Nullable Boolean opens,
      Output out) {
    long filesMovedOut =
        plan.quarantines().stream().filter(StoreRepair.Quarantine::wholeFile).count();
    StoreRepair.KeyChanges keys = plan.keys();
    boolean named = keys.evidence() != null;
    if (out.json()) {
      JsonLine line =
          JsonLine.of("repair")
              .add("dry_run", dryRun)
              .add("regions", plan.quarantines().size())
              .add("quarantined_bytes", plan.quarantinedBytes())
              .add("snapshot_deleted", snapshotDeleted)
              .add("leftovers_removed", leftovers);
      if (opens == null) {
        line.add("store_opens", (String) null);
      } else {
        line.add("store_opens", opens.booleanValue());
      }
      line.add("files_moved_out", filesMovedOut)
          .add("losses", plan.losses().size())
          .addNullable("lost_records", lost.known() ? lost.records() : null)
          .add("manifest_rewritten", plan.rewritesManifest())
          .add("txid_floor", plan.txidFloor())
          .add("keys_named", named)
          .addNullable("keys_lost", named ? (long) keys.lost().size() : null)
          .addNullable("keys_reverted", named ? (long) keys.reverted().size() : null)
          .addNullable("keys_came_back", named ? (long) keys.cameBack().size() : null);
      out.json(line);
      return;
    }
    if (dryRun && !plan.needed()) {
      return;
    }
    Aligned summary =
        new Aligned()
            .add(
                dryRun ? "regions to quarantine" : "regions quarantined", plan.quarantines().size())
            .add(dryRun ? "bytes to quarantine" : "bytes quarantined", plan.quarantinedBytes())
            .add(dryRun ? "files to move out" : "files moved out", filesMovedOut)
            .add(dryRun ? "losses to accept" : "losses accepted", plan.losses().size());
    if (!plan.losses().isEmpty()) {
      summary.add("records lost", lost.describe());
    }
    if (named) {
      summary
          .add("keys lost", keys.lost().size())
          .add("keys set back", keys.reverted().size())
          .add("keys come back", keys.cameBack().size());
    } else if (!plan.losses().isEmpty()) {
      summary.add("keys changed", "not known (no key-directory snapshot)");
    }
    if (!dryRun) {
      summary
          .add("snapshot deleted", snapshotDeleted)
          .add("manifest rewritten", plan.rewritesManifest())
          .add("leftovers removed", leftovers)
          .add("store opens", opens);
    }
    summary.print(out);
  }
}
