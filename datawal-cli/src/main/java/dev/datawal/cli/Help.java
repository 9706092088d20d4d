package dev.datawal.cli;

import java.util.List;

/** The help texts. */
final class Help {
  private Help() {}

  static String general(List<Command> commands) {
    StringBuilder sb =
        new StringBuilder()
            .append("datawal - inspect and repair a datawal store (DWAL v1) on disk\n\n")
            .append("usage: datawal [--json] <command> <store> [options]\n\n")
            .append("commands:\n");
    int width = commands.stream().mapToInt(c -> c.spec().name().length()).max().orElse(0);
    for (Command c : commands) {
      String name = c.spec().name();
      sb.append("  ")
          .append(name)
          .append(" ".repeat(width - name.length() + 2))
          .append(c.spec().summary())
          .append('\n');
    }
    return sb.append(
            """

            Every command but repair only reads: it takes no lock, never creates or changes
            anything, and works beside a live writer. A missing store directory is an error.

            options for every command:
              --json         JSON Lines on stdout, each with "schema":"datawal.cli.v1" and a
                             "kind"; notes and errors always go to stderr
              --progress     show how far verify, check, export, compact and get have got,
                             on stderr (one line, rewritten in place); by default only when
                             run in a terminal, never on stdout
              --no-progress  never show it
              --help         this help; datawal help <command> (or <command> --help) for one
                             command
              --version      the version

            exit codes: 0 ok; 1 usage error or the store cannot be opened (missing, locked, I/O);
            2 recoverable state (a torn tail, a key not found); 3 corruption found
            """)
        .toString();
  }

  static String of(CommandSpec spec) {
    StringBuilder sb =
        new StringBuilder()
            .append("datawal ")
            .append(spec.name())
            .append(" - ")
            .append(spec.summary())
            .append("\n\nusage: ")
            .append(spec.synopsis())
            .append('\n');
    if (!spec.options().isEmpty()) {
      sb.append("\noptions:\n");
      int width = 0;
      for (CommandSpec.Option o : spec.options()) {
        width = Math.max(width, label(o).length());
      }
      for (CommandSpec.Option o : spec.options()) {
        sb.append("  ")
            .append(label(o))
            .append(" ".repeat(width - label(o).length() + 2))
            .append(o.help())
            .append('\n');
      }
    }
    return sb.append('\n').append(spec.details()).append('\n').toString();
  }

  private static String label(CommandSpec.Option o) {
    return o.takesValue() ? o.name() + " " + o.valueName() : o.name();
  }
}
