package dev.datawal.powerloss;

import java.nio.file.Path;

/**
 * Paths as Linux prints them in {@code /proc} and sysfs (open files, mappings, loop devices'
 * backing files): absolute, without symbolic links, a deleted file's followed by {@code "
 * (deleted)"}.
 */
final class KernelPaths {
  private static final String DELETED = " (deleted)";

  private KernelPaths() {}

  /** Whether {@code path}, deleted or not, is {@code dir} or under it. */
  static boolean within(String path, Path dir) {
    String name =
        path.endsWith(DELETED) ? path.substring(0, path.length() - DELETED.length()) : path;
    String root = dir.toString();
    return name.equals(root) || name.startsWith(root.endsWith("/") ? root : root + "/");
  }
}
