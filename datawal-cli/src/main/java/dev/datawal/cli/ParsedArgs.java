package dev.datawal.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A parsed command line, with typed access to its options; every conversion error names the option
 * and the value given.
 *
 * @param command the command, or {@code null} when only help or the version was asked for
 * @param json whether {@code --json} was given
 * @param help whether {@code --help} was given
 * @param version whether {@code --version} was given
 * @param progress {@code true} with {@code --progress}, {@code false} with {@code --no-progress},
 *     {@code null} with neither (progress is shown on a terminal)
 * @param positionals the positional arguments, as many as the command names
 * @param options the options given: name to value ({@code ""} for a flag)
 */
record ParsedArgs(
    @Nullable CommandSpec command,
    boolean json,
    boolean help,
    boolean version,
    @Nullable Boolean progress,
    List<String> positionals,
    Map<String, String> options) {

  ParsedArgs {
    positionals = List.copyOf(positionals);
    options = Map.copyOf(options);
  }

  /** The store directory: the first positional argument. */
  Path store() {
    return Path.of(positionals.get(0));
  }

  /** The positional argument at {@code index}. */
  String positional(int index) {
    return positionals.get(index);
  }

  boolean has(String option) {
    return options.containsKey(option);
  }

  /** The value of {@code option}, or {@code null} if it was not given. */
  @Nullable String value(String option) {
    return options.get(option);
  }

  /** The value of {@code option} as an integer of at least 1, or {@code otherwise}. */
  long positiveLong(String option, long otherwise) {
    String value = options.get(option);
    if (value == null) {
      return otherwise;
    }
    long n = parseLong(value);
    if (n < 1) {
      throw new UsageException(option + " must be a positive integer, got '" + value + "'");
    }
    return n;
  }

  /** The value of {@code option} as an integer of at least 0, or {@code otherwise}. */
  long nonNegativeLong(String option, long otherwise) {
    String value = options.get(option);
    if (value == null) {
      return otherwise;
    }
    long n = parseLong(value);
    if (n < 0) {
      throw new UsageException(option + " must be a non-negative integer, got '" + value + "'");
    }
    return n;
  }

  /**
   * The value of {@code option}, which must be one of {@code choices}' keys, or {@code otherwise}.
   */
  <T> T choice(String option, Map<String, T> choices, T otherwise) {
    String value = options.get(option);
    if (value == null) {
      return otherwise;
    }
    T choice = choices.get(value);
    if (choice == null) {
      throw new UsageException(
          option
              + " must be one of "
              + String.join(", ", choices.keySet().stream().sorted().toList())
              + ", got '"
              + value
              + "'");
    }
    return choice;
  }

  private static long parseLong(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1; // reported by the caller, naming the option
    }
  }
}
