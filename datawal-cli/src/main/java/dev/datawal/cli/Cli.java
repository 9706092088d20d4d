package dev.datawal.cli;

import dev.datawal.CorruptStoreException;
import dev.datawal.DatawalException;
import dev.datawal.StoreLockedException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The {@code datawal} command line: parses the arguments, runs the command, and turns every failure
 * into a message on stderr and an exit code ({@link ExitCode}).
 *
 * <p>Not thread-safe: one instance per invocation.
 */
final class Cli {
  static final List<Command> COMMANDS =
      List.of(
          new ScanCommand(),
          new GetCommand(),
          new ReportCommand(),
          new VerifyCommand(),
          new DumpCommand(),
          new CheckCommand(),
          new ExportCommand(),
          new CompactCommand(),
          new RepairCommand());

  private final PrintStream out;
  private final PrintStream err;
  private final BooleanSupplier terminal;
  private final ArgParser parser = new ArgParser(COMMANDS.stream().map(Command::spec).toList());

  /** Shows progress when {@link Terminal#interactive()} says it runs in a terminal. */
  Cli(PrintStream out, PrintStream err) {
    this(out, err, Terminal::interactive);
  }

  /**
   * @param terminal whether the tool runs in an interactive terminal, where long commands show
   *     their progress unless {@code --no-progress}
   */
  Cli(PrintStream out, PrintStream err, BooleanSupplier terminal) {
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  /** Runs one invocation and returns its exit code. */
  int run(String... args) {
    if (args.length > 0 && args[0].equals("help")) {
      return help(args.length > 1 ? args[1] : null);
    }
    boolean json = Arrays.asList(args).contains("--json");
    Output output = new Output(out, err, json);
    ParsedArgs parsed;
    try {
      parsed = parser.parse(args);
    } catch (UsageException e) {
      output.note(message(e));
      output.errText(
          "usage: datawal [--json] <command> <store> [options]; datawal --help lists the commands\n");
      output.flush();
      return ExitCode.USAGE_OR_UNOPENABLE;
    }
    if (parsed.version()) {
      out.println("datawal-cli " + version());
      out.flush();
      return ExitCode.OK;
    }
    if (parsed.help()) {
      return help(parsed.command() == null ? null : parsed.command().name());
    }
    // Without --help or --version, parse() returns a command or throws.
    CommandSpec spec = Objects.requireNonNull(parsed.command(), "command");
    Command command = command(spec.name());
    Boolean progress = parsed.progress();
    output =
        new Output(out, err, parsed.json(), progress != null ? progress : terminal.getAsBoolean());
    try {
      return command.run(parsed, output);
    } catch (UsageException e) {
      output.note(message(e));
      output.errText("usage: " + spec.synopsis() + "\n");
      return ExitCode.USAGE_OR_UNOPENABLE;
    } catch (Output.ClosedException e) {
      return ExitCode.OK; // the reader of stdout stopped reading: nothing more to say
    } catch (StoreLockedException e) {
      output.note(
          e.getMessage()
              + "; stop that writer first"
              + (e.holderPid() > 0 ? " (pid " + e.holderPid() + ")" : ""));
      return ExitCode.USAGE_OR_UNOPENABLE;
    } catch (CorruptStoreException e) {
      return Damages.show(DamageView.of(e), output);
    } catch (DatawalException | UncheckedIOException e) {
      output.note(message(e));
      return ExitCode.USAGE_OR_UNOPENABLE;
    } finally {
      output.flush();
    }
  }

  private int help(@Nullable String name) {
    if (name == null) {
      out.print(Help.general(COMMANDS));
    } else {
      Command command;
      try {
        command = command(name);
      } catch (UsageException e) {
        err.println("datawal: " + e.getMessage());
        err.flush();
        return ExitCode.USAGE_OR_UNOPENABLE;
      }
      out.print(Help.of(command.spec()));
    }
    out.flush();
    return ExitCode.OK;
  }

  private static Command command(String name) {
    for (Command c : COMMANDS) {
      if (c.spec().name().equals(name)) {
        return c;
      }
    }
    throw new UsageException("unknown command '" + name + "'");
  }

  /**
   * What {@code e} says: its message, or (if it has none) its class name; the engine and the
   * commands give every exception they throw a message.
   */
  static String message(Throwable e) {
    String message = e.getMessage();
    return message != null ? message : e.toString();
  }

  /** The version the jar's manifest names, or "(development build)" outside the jar. */
  static String version() {
    String v = Cli.class.getPackage().getImplementationVersion();
    return v == null ? "(development build)" : v;
  }
}
