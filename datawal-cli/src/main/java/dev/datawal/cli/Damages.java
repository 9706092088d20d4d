package dev.datawal.cli;

import org.jspecify.annotations.Nullable;

/** Shows damage a command found, and the exit code it means. */
final class Damages {
  private Damages() {}

  /**
   * Shows {@code damage} (if not {@code null}): a {@code damage} line with {@code --json}, and a
   * note on stderr either way.
   *
   * @return {@link ExitCode#OK} for no damage, {@link ExitCode#RECOVERABLE} for a torn tail, else
   *     {@link ExitCode#CORRUPT}
   */
  static int show(@Nullable DamageView damage, Output out) {
    if (damage == null) {
      return ExitCode.OK;
    }
    if (out.json()) {
      out.json(damage.json());
    }
    out.note(damage.describe() + "; " + damage.consequence());
    return damage.tornTail() ? ExitCode.RECOVERABLE : ExitCode.CORRUPT;
  }
}
