package dev.datawal.powerloss;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/** How a {@link CutHarness} round cuts the power under the running workload. */
public interface Fault {
  /** Kills the app with SIGKILL and nothing else: the page cache survives. */
  Fault SIGKILL =
      (roundDir, random) ->
          new Target() {
            @Override
            public Path storeParent() {
              return roundDir;
            }

            @Override
            public String describe() {
              return "sigkill";
            }
          };

  /**
   * Prepares one round: where its store goes, and the cut.
   *
   * @param roundDir the round's own directory, on the host's file system (the oracle goes there)
   * @param random the round's seeded random source, for the fault's own choices
   */
  Target prepare(Path roundDir, Random random) throws IOException, InterruptedException;

  /** One round's fault. */
  interface Target {
    /** The directory the store is created in. */
    Path storeParent();

    /** What the cut is, for the round's line, e.g. {@code sigkill}. */
    String describe();

    /** Cuts, while the app is writing; the harness kills the app right after. */
    default void cut() throws IOException, InterruptedException {}

    /**
     * Whether the cut takes effect at one instant, so every acknowledgement written before the app
     * died is owed (SIGKILL). If not (a file-system shutdown takes milliseconds, and an fsync that
     * overlaps it may report success for data the shutdown discards), only acknowledgements written
     * before {@link #cut()} began are owed.
     */
    default boolean instantaneous() {
      return true;
    }

    /** Once the app is dead: brings the store's file system back, as after a reboot. */
    default void restore() throws IOException, InterruptedException {}

    /**
     * Releases what {@link Fault#prepare} took, keeping the store's bytes in the round directory
     * when {@code keepEvidence}.
     */
    default void release(boolean keepEvidence) throws IOException, InterruptedException {}
  }
}
