package dev.datawal.cli;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one command accepts, and its help text.
 *
 * @param name the command's name ({@code scan})
 * @param summary one line for the command list
 * @param positionals the names of its positional arguments, all required ({@code <store>})
 * @param options the options it accepts besides the global ones
 * @param details paragraphs for {@code datawal <command> --help}: what it does, its output and its
 *     exit codes
 */
record CommandSpec(
    String name,
    String summary,
    List<String> positionals,
    List<CommandSpec.Option> options,
    String details) {

  /**
   * One option.
   *
   * @param name its name with the dashes ({@code --limit})
   * @param valueName the name of its value ({@code N}), or {@code null} for a flag
   * @param help one line
   */
  record Option(String name, @Nullable String valueName, String help) {
    boolean takesValue() {
      return valueName != null;
    }
  }

  CommandSpec {
    positionals = List.copyOf(positionals);
    options = List.copyOf(options);
  }

  /** The option named {@code name}, or {@code null}. */
  @Nullable Option option(String name) {
    for (Option o : options) {
      if (o.name().equals(name)) {
        return o;
      }
    }
    return null;
  }

  /** {@code datawal scan <store> [--limit N] ...}. */
  String synopsis() {
    StringBuilder sb = new StringBuilder("datawal ").append(name);
    for (String p : positionals) {
      sb.append(' ').append(p);
    }
    for (Option o : options) {
      sb.append(" [").append(o.name());
      if (o.takesValue()) {
        sb.append(' ').append(o.valueName());
      }
      sb.append(']');
    }
    return sb.append(" [--json]").toString();
  }
}
