package dev.datawal.cli;

import dev.datawal.CorruptStoreException;
import dev.datawal.RecordLogReader;
import dev.datawal.RecoveryReport;
import dev.datawal.SegmentWalker;
import dev.datawal.StoreRepair;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code repair}: the only command that changes a store. Shows what it would do; with {@code
 * --yes}, does it under the writer lock.
 */
final class RepairCommand implements Command {
  private static final CommandSpec SPEC =
      new CommandSpec(
          "repair",
          "quarantine the damage that stops a store from opening (dry run unless --yes)",
          List.of("<store>"),
          List.of(new CommandSpec.Option("--yes", null, "carry out the repair")),
          """
          The only command that changes a store. Moves each damaged region that makes recovery
          refuse the store (any damage in a sealed segment, damage followed by valid frames in
          the last segment, a frame of an unsupported version) out of its segment into
          <segment>.dwal.quarantine-at-<offset>, which holds exactly those bytes. Valid frames
          before and after the damage are kept; a torn tail is left for the writer's open.
          Without --yes: a dry run that takes no lock and changes nothing; it prints the plan.
          With --yes: takes the writer lock (fails, exit 1, if a writer has the store open),
          plans again under it, prints the plan, and carries it out durably: each quarantine
          file written to a temporary name, forced, renamed, directory synced; only then the
          segment rewritten beside itself, forced, renamed over the old one, directory synced.
          A key-directory snapshot (keydir.snapshot, a cache) is deleted first. Then checks,
          read-only, that recovery accepts the store.
          JSON: a "quarantine" line per region ("segment","offset","length","damage_kind",
          "detail","file","applied"), a "damage" line per torn tail left alone, then
          {"kind":"repair","dry_run","regions","quarantined_bytes","snapshot_deleted",
          "leftovers_removed","store_opens"}.
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
      show(plan, false, out);
      summary(plan, true, false, 0, null, out);
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
    try (StoreRepair repair = StoreRepair.lock(store)) {
      StoreRepair.Plan plan = repair.plan();
      if (!out.json()) {
        show(plan, false, out); // what it is about to do, in case it fails part way
      }
      result = repair.apply(plan);
      if (out.json()) {
        show(plan, true, out);
      } else if (plan.needed()) {
        out.text("done: every quarantine file is durable and the segments are rewritten");
      }
    }
    // Read-only: would a writer's recovery accept the store now?
    RecoveryReport after = null;
    String refused = null;
    try {
      after = RecordLogReader.open(store).report();
    } catch (CorruptStoreException e) {
      refused = e.getMessage();
    }
    summary(
        result.plan(),
        false,
        result.snapshotDeleted(),
        result.leftoversRemoved().size(),
        refused == null,
        out);
    if (refused != null) {
      out.note("the store still does not open: " + refused);
      return ExitCode.CORRUPT;
    }
    if (!result.plan().needed()) {
      out.note("nothing blocked opening this store; nothing was changed");
    }
    return after.tailTruncated() > 0 ? ExitCode.RECOVERABLE : ExitCode.OK;
  }

  private static void show(StoreRepair.Plan plan, boolean applied, Output out) {
    if (!out.json()) {
      out.text("repair plan for " + plan.dir() + ":");
      if (plan.needed() && plan.snapshotPresent()) {
        out.text("  delete      keydir.snapshot (a cache of the key directory; rebuilt at open)");
      }
    }
    for (StoreRepair.Quarantine q : plan.quarantines()) {
      if (out.json()) {
        out.json(
            JsonLine.of("quarantine")
                .add("segment", q.segment())
                .add("offset", q.offset())
                .add("length", q.length())
                .add("damage_kind", q.kind().name())
                .add("detail", q.detail())
                .add("file", q.file().toString())
                .add("applied", applied));
      } else {
        out.text(
            String.format(
                "  quarantine  segment %d, offset %d, %d bytes: %s (%s)%n" + "              -> %s",
                q.segment(),
                q.offset(),
                q.length(),
                DamageView.phrase(q.kind()),
                q.detail(),
                q.file().getFileName()));
      }
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
    if (!out.json() && !plan.needed() && plan.tornTails().isEmpty()) {
      out.text("  nothing: every segment decodes as recovery requires");
    }
  }

  private static void summary(
      StoreRepair.Plan plan,
      boolean dryRun,
      boolean snapshotDeleted,
      int leftovers,
      Boolean opens,
      Output out) {
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
      out.json(line);
    } else if (!dryRun) {
      new Aligned()
          .add("regions quarantined", plan.quarantines().size())
          .add("bytes quarantined", plan.quarantinedBytes())
          .add("snapshot deleted", snapshotDeleted)
          .add("leftovers removed", leftovers)
          .add("store opens", opens)
          .print(out);
    }
  }
}
