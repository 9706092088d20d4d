package dev.datawal.cli;

/** One subcommand: what it accepts, and running it. Implementations are stateless. */
interface Command {
  /** What it accepts, and its help. */
  CommandSpec spec();

  /**
   * Runs it.
   *
   * @return the exit code ({@link ExitCode})
   * @throws UsageException if the arguments do not make sense together
   * @throws dev.datawal.DatawalException if the store cannot be opened or read
   */
  int run(ParsedArgs args, Output out);
}
