package dev.datawal.powerloss;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The processes that keep something under a directory in use, as Linux's {@code /proc} shows them:
 * a file open ({@code /proc/<pid>/fd}), a file mapped ({@code /proc/<pid>/maps}), or the directory
 * as working or root directory. These are what make {@code umount} say "target is busy"; a holder
 * inside the kernel (a loop device on a file there, a mount below it) is not seen.
 */
final class Holders {
  private static final int USES_SHOWN = 5;
  private static final int COMMAND_LINE_SHOWN = 200;

  private Holders() {}

  /** A process and what it holds under the directory. */
  record Holder(long pid, String commandLine, List<String> uses) {
    /** {@code pid <pid> (<command line>): <use>, ...}, both shortened to stay readable. */
    @Override
    public String toString() {
      String command =
          commandLine.length() <= COMMAND_LINE_SHOWN
              ? commandLine
              : commandLine.substring(0, COMMAND_LINE_SHOWN) + "...";
      String shown = String.join(", ", uses.subList(0, Math.min(uses.size(), USES_SHOWN)));
      return "pid "
          + pid
          + " ("
          + command
          + "): "
          + shown
          + (uses.size() > USES_SHOWN ? " (+" + (uses.size() - USES_SHOWN) + " more)" : "");
    }
  }

  /**
   * Every process holding something under {@code dir} (an absolute path, without symbolic links, as
   * {@code /proc} prints it). Processes that end or cannot be read while they are scanned are left
   * out.
   */
  static List<Holder> under(Path dir) throws IOException {
    List<Holder> holders = new ArrayList<>();
    try (DirectoryStream<Path> processes =
        Files.newDirectoryStream(Path.of("/proc"), p -> isNumber(p.getFileName().toString()))) {
      for (Path process : processes) {
        try {
          List<String> uses = uses(process, dir);
          if (!uses.isEmpty()) {
            holders.add(
                new Holder(
                    Long.parseLong(process.getFileName().toString()), commandLine(process), uses));
          }
        } catch (IOException gone) {
          // Ended while scanned, or a kernel thread's links: it holds nothing now.
        }
      }
    }
    return holders;
  }

  private static List<String> uses(Path process, Path dir) throws IOException {
    Set<String> uses = new LinkedHashSet<>();
    for (String link : List.of("cwd", "root")) {
      String target = linkTarget(process.resolve(link));
      if (KernelPaths.within(target, dir)) {
        uses.add(link + " " + target);
      }
    }
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
      for (Path fd : fds) {
        String target = linkTarget(fd);
        if (KernelPaths.within(target, dir)) {
          uses.add("fd " + fd.getFileName() + " " + target);
        }
      }
    }
    // <range> <perms> <offset> <dev> <inode> <path>: the path is the sixth field, if any. Read as
    // Latin-1, which decodes any bytes: another process may map a file whose name is not UTF-8.
    for (String line : Files.readAllLines(process.resolve("maps"), StandardCharsets.ISO_8859_1)) {
      String[] fields = line.split("\\s+", 6);
      if (fields.length == 6 && KernelPaths.within(fields[5], dir)) {
        uses.add("mapped " + fields[5]);
      }
    }
    return List.copyOf(uses);
  }

  /** A link's target, or empty if it went away (an fd closed while the directory was listed). */
  private static String linkTarget(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      return "";
    }
  }

  private static String commandLine(Path process) throws IOException {
    // Arguments are NUL-separated; a kernel thread has none.
    String line =
        new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8)
            .replace('\0', ' ')
            .strip();
    return line.isEmpty() ? Files.readString(process.resolve("comm")).strip() : line;
  }

  private static boolean isNumber(String name) {
    return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
  }
}
