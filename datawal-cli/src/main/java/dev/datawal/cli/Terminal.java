package dev.datawal.cli;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether the tool runs in an interactive terminal, where showing progress helps. */
final class Terminal {
  private Terminal() {}

  /**
   * Whether a person is watching: the JVM has a console (standard input and output are a terminal),
   * and on Java 22 and later {@code Console.isTerminal()} says so too, since from 22 on {@link
   * System#console()} returns a console even when the output is redirected. Java cannot tell
   * whether standard error alone is a terminal, so {@code datawal check ... > out.txt} shows no
   * progress; {@code --progress} asks for it.
   */
  static boolean interactive() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    Method isTerminal;
    try {
      isTerminal = Console.class.getMethod("isTerminal");
    } catch (NoSuchMethodException before22) {
      return true; // up to Java 21, a console is a terminal
    }
    try {
      return Boolean.TRUE.equals(isTerminal.invoke(console));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false; // cannot tell: show nothing rather than write control characters into a file
    }
  }
}
