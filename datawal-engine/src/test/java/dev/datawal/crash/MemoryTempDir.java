package dev.datawal.crash;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * A {@code @TempDir} in {@code /dev/shm} (tmpfs) when there is one, else in the default temporary
 * directory: the sweep writes and fsyncs thousands of small stores, and what it checks is the
 * engine's recovery of each image, not the disk, so a memory file system halves its time. {@code
 * -Ddatawal.crash.tmp=disk} uses the default temporary directory anyway.
 */
public final class MemoryTempDir implements TempDirFactory {
  @Override
  public Path createTempDirectory(
      AnnotatedElementContext elementContext, ExtensionContext extensionContext) throws Exception {
    Path shm = Path.of("/dev/shm");
    if (!"disk".equals(System.getProperty("datawal.crash.tmp"))
        && Files.isDirectory(shm)
        && Files.isWritable(shm)) {
      return Files.createTempDirectory(shm, "datawal-crash-");
    }
    return Files.createTempDirectory("datawal-crash-");
  }
}
