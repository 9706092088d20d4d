package dev.datawal.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code datawal [--json] <command> <positionals...> [options]}. Options may come anywhere
 * after the command, as {@code --name value} or {@code --name=value}; the global {@code --json},
 * {@code --progress}, {@code --no-progress}, {@code --help} ({@code -h}) and {@code --version}
 * anywhere. {@code --} ends the options, so a positional argument may start with a dash. Every
 * error names the bad argument.
 *
 * <p>Thread-safe: holds only the immutable command list.
 */
final class ArgParser {
  private final List<CommandSpec> commands;

  ArgParser(List<CommandSpec> commands) {
    this.commands = List.copyOf(commands);
  }

  /**
   * Parses {@code args}. With {@code --help} or {@code --version}, missing arguments are not an
   * error.
   *
   * @throws UsageException naming what is wrong
   */
  ParsedArgs parse(String... args) {
    CommandSpec command = null;
    boolean json = false;
    boolean help = false;
    boolean version = false;
    Boolean progress = null;
    boolean optionsEnded = false;
    List<String> positionals = new ArrayList<>();
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!optionsEnded && arg.equals("--")) {
        optionsEnded = true;
        continue;
      }
      if (!optionsEnded && arg.startsWith("-") && arg.length() > 1) {
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg : arg.substring(0, eq);
        String inline = eq < 0 ? null : arg.substring(eq + 1);
        switch (name) {
          case "--json", "--help", "-h", "--version", "--progress", "--no-progress" -> {
            if (inline != null) {
              throw new UsageException(name + " takes no value, got '" + arg + "'");
            }
            json |= name.equals("--json");
            help |= name.equals("--help") || name.equals("-h");
            version |= name.equals("--version");
            if (name.endsWith("progress")) {
              boolean on = name.equals("--progress");
              if (progress != null && progress != on) {
                throw new UsageException("give --progress or --no-progress, not both");
              }
              progress = on;
            }
            continue;
          }
          default -> {}
        }
        if (command == null) {
          throw new UsageException(
              "unknown option " + name + " (command options go after the command)");
        }
        CommandSpec.Option option = command.option(name);
        if (option == null) {
          throw new UsageException("unknown option " + name + " for " + command.name());
        }
        String value = "";
        if (option.takesValue()) {
          if (inline != null) {
            value = inline;
          } else if (i + 1 < args.length) {
            value = args[++i];
          } else {
            throw new UsageException(name + " needs a value (" + option.valueName() + ")");
          }
        } else if (inline != null) {
          throw new UsageException(name + " takes no value, got '" + arg + "'");
        }
        if (options.putIfAbsent(name, value) != null) {
          throw new UsageException(name + " is given twice");
        }
        continue;
      }
      if (command == null) {
        command = find(arg);
      } else if (positionals.size() < command.positionals().size()) {
        positionals.add(arg);
      } else {
        throw new UsageException("unexpected argument '" + arg + "' for " + command.name());
      }
    }
    if (!help && !version) {
      if (command == null) {
        throw new UsageException("no command given");
      }
      if (positionals.size() < command.positionals().size()) {
        throw new UsageException(
            command.name()
                + " needs "
                + String.join(
                    " ",
                    command.positionals().subList(positionals.size(), command.positionals().size()))
                + " (usage: "
                + command.synopsis()
                + ")");
      }
    }
    return new ParsedArgs(command, json, help, version, progress, positionals, options);
  }

  private CommandSpec find(String name) {
    for (CommandSpec c : commands) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    throw new UsageException(
        "unknown command '"
            + name
            + "'; commands: "
            + String.join(", ", commands.stream().map(CommandSpec::name).toList()));
  }
}
