package dev.datawal.powerloss;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The mounts and loop devices under a directory, as Linux lists them: mounts whose mount point is
 * there ({@code /proc/self/mountinfo}) and loop devices whose backing file is there ({@code losetup
 * --list}). What a file-system harness must not leave behind.
 *
 * @param dir the directory, as an absolute path without symbolic links
 * @param mountPoints the mount points under it
 * @param loopDevices the loop devices backed by a file under it, each as {@code <device> <file>}
 */
record LeftoverMounts(Path dir, List<String> mountPoints, List<String> loopDevices) {
  private static final Path MOUNT_INFO = Path.of("/proc/self/mountinfo");
  private static final Pattern OCTAL_ESCAPE = Pattern.compile("\\\\([0-7]{3})"); // mountinfo
  private static final Pattern HEX_ESCAPE = Pattern.compile("\\\\x([0-9a-fA-F]{2})"); // losetup

  /** Lists them now. */
  static LeftoverMounts under(Path dir) throws IOException, InterruptedException {
    Path root = Files.exists(dir) ? dir.toRealPath() : dir.toAbsolutePath().normalize();
    List<String> mountPoints;
    try (Stream<String> lines = Files.lines(MOUNT_INFO)) {
      // <id> <parent> <major:minor> <root> <mount point> ...
      mountPoints =
          lines
              .map(l -> unescape(l.split(" ")[4], OCTAL_ESCAPE, 8))
              .filter(m -> KernelPaths.within(m, root))
              .toList();
    }
    List<String> loopDevices = new ArrayList<>();
    String listing =
        Commands.run("losetup", "--list", "--noheadings", "--raw", "--output", "NAME,BACK-FILE");
    for (String line : listing.lines().toList()) {
      String[] fields = line.split(" ", 2);
      if (fields.length == 2) {
        String file = unescape(fields[1], HEX_ESCAPE, 16);
        if (KernelPaths.within(file, root)) {
          loopDevices.add(fields[0] + " " + file);
        }
      }
    }
    return new LeftoverMounts(root, mountPoints, List.copyOf(loopDevices));
  }

  boolean isEmpty() {
    return mountPoints.isEmpty() && loopDevices.isEmpty();
  }

  /**
   * Removes them: each mount unmounted lazily (the deepest first), each loop device detached (once
   * its file system is gone, if it is still in use).
   *
   * @return what failed, or empty
   */
  String remove() {
    Stream<String[]> unmounts =
        mountPoints.stream()
            .sorted(Comparator.comparing(String::length).reversed())
            .map(m -> new String[] {"umount", "-l", m});
    Stream<String[]> detaches =
        loopDevices.stream().map(d -> new String[] {"losetup", "-d", d.split(" ")[0]});
    return Stream.concat(unmounts, detaches)
        .map(Commands::failureOf)
        .flatMap(Optional::stream)
        .collect(Collectors.joining("; "));
  }

  @Override
  public String toString() {
    return "mounts " + mountPoints + " and loop devices " + loopDevices + " under " + dir;
  }

  private static String unescape(String text, Pattern escape, int radix) {
    Matcher m = escape.matcher(text);
    return m.replaceAll(
        r -> Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(r.group(1), radix))));
  }
}
