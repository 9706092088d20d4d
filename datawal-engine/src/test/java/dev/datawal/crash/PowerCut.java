package dev.datawal.crash;

/**
 * Thrown by {@link CrashFs} at the step where the power goes, and by every call after it: the
 * process is dead. An {@link Error}, so the engine (which catches {@code IOException} and {@code
 * RuntimeException}) never handles it, and nothing it would do after the cut takes effect.
 */
public final class PowerCut extends Error {
  private static final long serialVersionUID = 1L;

  private final long step;
  private final String op;

  PowerCut(long step, String op, boolean atCut) {
    super(
        atCut
            ? "power cut at step " + step + " (" + op + ")"
            : "power is off since step " + step + " (" + op + ")",
        null,
        false,
        false);
    this.step = step;
    this.op = op;
  }

  /** The step at which the power went. */
  public long step() {
    return step;
  }

  /** The I/O call that was cut, e.g. {@code "write store/00000001.dwal @58 +29"}. */
  public String op() {
    return op;
  }
}
