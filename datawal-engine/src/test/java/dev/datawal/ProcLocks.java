package dev.datawal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The kinds of lock ({@code POSIX} for fcntl, {@code FLOCK}) a process holds on a file, as Linux
 * lists them in {@code /proc/locks}: {@code <n>: <kind> ADVISORY WRITE <pid> <dev>:<inode> ...}.
 */
public final class ProcLocks {
  private static final Path PROC_LOCKS = Path.of("/proc/locks");

  private ProcLocks() {}

  /** Whether this system lists its locks in {@code /proc/locks}. */
  public static boolean listed() {
    return Files.isReadable(PROC_LOCKS);
  }

  /** The kinds of lock process {@code pid} holds on {@code file}, sorted. */
  public static Set<String> heldBy(long pid, Path file) throws IOException {
    String inode = Files.getAttribute(file, "unix:ino").toString();
    Set<String> kinds = new TreeSet<>();
    for (String line : Files.readAllLines(PROC_LOCKS)) {
      // Lines of locks that others wait for start with "-> "; those are not held.
      String[] fields = line.trim().split("\\s+");
      if (fields.length >= 6
          && !fields[1].equals("->")
          && fields[4].equals(Long.toString(pid))
          && fields[5].endsWith(":" + inode)) {
        kinds.add(fields[1]);
      }
    }
    return kinds;
  }
}
