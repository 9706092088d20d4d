package dev.datawal.internal.log;

import dev.datawal.FsyncPolicy;
import dev.datawal.RecordRef;

/**
 * Makes each append as durable as the store's {@link FsyncPolicy} asks: under {@code ALWAYS} it
 * waits for a (group) commit that covers the append; under {@code MANUAL} and {@code INTERVAL} it
 * only starts an early background write-back once much is unsynced.
 *
 * <p>Thread-safe, as {@link GroupCommit} is.
 */
public final class AppendDurability {
  /**
   * Unsynced bytes past which the background thread forces the active segment early (under MANUAL
   * and INTERVAL): durability only improves, and a later fsync or segment seal never has to write
   * back a whole segment while appends wait.
   */
  static final long EARLY_WRITEBACK_BYTES = 8L << 20;

  private final FsyncPolicy policy;
  private final Watermarks marks;
  private final GroupCommit commit;

  public AppendDurability(FsyncPolicy policy, Watermarks marks, GroupCommit commit) {
    this.policy = policy;
    this.marks = marks;
    this.commit = commit;
  }

  /** Applies the policy to an append (one record or a batch) that ended with {@code last}. */
  public void afterAppend(RecordRef last) {
    if (policy == FsyncPolicy.ALWAYS) {
      commit.syncUpTo(last.txid());
      return;
    }
    Position durable = marks.durable();
    long unsynced =
        last.segment() == durable.segment()
            ? last.offset() + last.length() - durable.offset()
            : last.offset() + last.length();
    if (unsynced >= EARLY_WRITEBACK_BYTES) {
      commit.syncInBackground();
    }
  }
}
