package dev.datawal.powerloss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@link FileSystemShutdown} round's file system goes away when the round is released, and a
 * release that cannot unmount it fails loudly (root only; skipped, saying why, elsewhere).
 */
@ExtendWith(NoLeftoverMounts.class)
class FileSystemShutdownReleaseTests {
  private static final long GONE_WITHIN_MILLIS = 10_000;

  private Path roundDir;

  @BeforeEach
  void roundDir() throws IOException {
    Optional<String> unavailable = FileSystemShutdown.unavailable();
    Assumptions.assumeTrue(unavailable.isEmpty(), () -> "skipped: " + unavailable.orElse(""));
    roundDir =
        Files.createDirectories(HarnessRun.workRoot().resolve("release-" + System.nanoTime()))
            .toRealPath(); // as /proc names it
  }

  @Test
  void aReleasedRoundLeavesNoMountAndNoLoopDevice() throws Exception {
    Fault.Target target = prepare();
    Files.writeString(target.storeParent().resolve("file"), "written");
    assertThat(LeftoverMounts.under(roundDir).mountPoints()).hasSize(1);
    assertThat(LeftoverMounts.under(roundDir).loopDevices()).hasSize(1);

    target.release(false);

    assertThat(LeftoverMounts.under(roundDir).isEmpty()).isTrue();
    assertThat(roundDir.resolve("fs.img")).doesNotExist();
  }

  @Test
  void aBusyMountFailsTheReleaseNamingItsHolderAndIsCleanedUpOnceFree() throws Exception {
    Fault.Target target = prepare();
    Path mount = target.storeParent();
    Path held = Files.writeString(mount.resolve("held"), "held");
    Process holder = new ProcessBuilder("sleep", "600").redirectInput(held.toFile()).start();
    try {
      assertThatThrownBy(() -> target.release(false))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cannot unmount " + mount)
          .hasMessageContaining("umount exit 32: umount: " + mount)
          .hasMessageContaining("pid " + holder.pid() + " (sleep 600): fd 0 " + held);
    } finally {
      holder.destroyForcibly();
      holder.waitFor();
    }
    // The last resort (lazy unmount, loop device detached once free) leaves nothing behind once
    // the holder has gone, and keeps the image as evidence.
    assertThat(awaitNothingLeft()).as("left under %s", roundDir).isTrue();
    assertThat(roundDir.resolve("fs.img")).exists();
  }

  @Test
  void leftoversAreListedAndRemoved() throws Exception {
    Path image = roundDir.resolve("fs.img");
    try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
      file.setLength(16L << 20); // sparse
    }
    LoopFileSystem.create(
        image, List.of("mkfs.ext4", "-q", "-F"), Files.createDirectories(roundDir.resolve("mnt")));

    LeftoverMounts leftovers = LeftoverMounts.under(roundDir);
    assertThat(leftovers.mountPoints()).containsExactly(roundDir.resolve("mnt").toString());
    assertThat(leftovers.loopDevices()).singleElement().asString().endsWith(" " + image);

    assertThat(leftovers.remove()).isEmpty();
    assertThat(awaitNothingLeft()).as("left under %s", roundDir).isTrue();
  }

  private Fault.Target prepare() throws IOException, InterruptedException {
    return new FileSystemShutdown(List.of(FileSystemShutdown.Kind.EXT4))
        .prepare(roundDir, new Random(1));
  }

  /** The kernel lets go of a lazily unmounted file system and its loop device a moment later. */
  private boolean awaitNothingLeft() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + GONE_WITHIN_MILLIS * 1_000_000;
    while (!LeftoverMounts.under(roundDir).isEmpty()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }
}
