package dev.datawal.crash;

import dev.datawal.FsyncPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * DataWal compacted in place ({@code DataWal.compact()}) between writes, with 150-byte segments so
 * there are many sealed segments holding garbage; the checks compare key/value states (the log is
 * rewritten).
 */
final class KvCompactInPlace extends Workload {
  KvCompactInPlace(FsyncPolicy policy) {
    super(
        "kv-compact-" + policy.name().toLowerCase(java.util.Locale.ROOT),
        StoreKind.KV,
        Workloads.options(policy, 150));
  }

  @Override
  protected List<Op> script(SplittableRandom rnd) {
    List<Op> ops = new ArrayList<>();
    ops.add(Op.of("open", Session::open));
    Workloads.kvWrites(ops, rnd, 16);
    ops.add(Op.of("fsync", Session::fsync));
    Workloads.kvWrites(ops, rnd, 3); // unsynced under MANUAL
    ops.add(Op.of("compact", s -> s.preservingState("compact", kv -> kv.compact())));
    Workloads.kvWrites(ops, rnd, 6);
    ops.add(Op.of("compact", s -> s.preservingState("compact", kv -> kv.compact())));
    ops.add(Op.of("reopen", Session::reopen));
    Workloads.kvWrites(ops, rnd, 3);
    ops.add(Op.of("compact", s -> s.preservingState("compact", kv -> kv.compact())));
    ops.add(Op.of("close", Session::close));
    return ops;
  }

  @Override
  protected boolean rewritesLog() {
    return true;
  }
}
