package dev.datawal.powerloss;

import java.util.Optional;

/**
 * The file-system power-cut harness (root): {@link CutHarness} rounds whose cut is a {@link
 * FileSystemShutdown} of the loop-device file system the store lives on, alternating ext4 and XFS.
 *
 * <pre>
 * java -cp powerloss.jar:engine.jar dev.datawal.powerloss.FileSystemShutdownHarness &lt;work dir&gt; \
 *     &lt;rounds&gt; &lt;seed&gt; -- java -jar sample-app-&lt;version&gt;-exec.jar
 * </pre>
 *
 * <p>Exits 0 (with a message saying why) without running anything where the harness cannot run: not
 * root, no loop devices, xfsprogs missing.
 */
public final class FileSystemShutdownHarness {
  private FileSystemShutdownHarness() {}

  public static void main(String[] args) throws Exception {
    Optional<String> unavailable = FileSystemShutdown.unavailable();
    if (unavailable.isPresent()) {
      System.out.println("FileSystemShutdownHarness skipped: " + unavailable.get());
      return;
    }
    Fault fault =
        new FileSystemShutdown(
            FileSystemShutdown.kinds(System.getProperty("powerloss.fs.kinds", "ext4,xfs")));
    System.exit(CutHarness.main("FileSystemShutdownHarness", fault, args));
  }
}
