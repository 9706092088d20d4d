package dev.datawal.powerloss;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A file system in an image file, on a loop device, mounted on a directory: where a {@link
 * FileSystemShutdown} round's store lives. No step's failure is ignored: a mount left behind keeps
 * a loop device and makes the next {@code mvn clean} fail, so an unmount that fails is reported
 * with the processes that hold the mount, and the round fails.
 */
final class LoopFileSystem {
  /** A process that is just exiting lets go of the mount within a moment. */
  private static final int UNMOUNT_ATTEMPTS = 5;

  private static final Duration UNMOUNT_RETRY = Duration.ofMillis(200);

  private final Path image;
  private final String device;
  private final Path mountPoint;

  private LoopFileSystem(Path image, String device, Path mountPoint) {
    this.image = image;
    this.device = device;
    this.mountPoint = mountPoint;
  }

  /**
   * Attaches {@code image} to a free loop device, makes a file system on it with {@code mkfs} (the
   * device is appended) and mounts it on {@code mountPoint}, an existing directory. If a step
   * fails, the loop device is detached again.
   */
  static LoopFileSystem create(Path image, List<String> mkfs, Path mountPoint)
      throws IOException, InterruptedException {
    return attach(image, mkfs, List.of(), mountPoint);
  }

  /**
   * Attaches {@code image}, which already holds a file system of {@code type}, to a free loop
   * device and mounts it on {@code mountPoint}, which runs the file system's journal or log
   * recovery. If the mount fails, the loop device is detached again.
   *
   * @throws MountFailed if the file system does not mount (a verdict on the image, not a setup
   *     error), with what {@code mount} printed
   */
  static LoopFileSystem open(Path image, String type, Path mountPoint)
      throws IOException, InterruptedException {
    return attach(image, List.of(), List.of("-t", type), mountPoint);
  }

  /** The file system in the image did not mount. */
  static final class MountFailed extends IOException {
    private static final long serialVersionUID = 1L;

    MountFailed(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  private static LoopFileSystem attach(
      Path image, List<String> mkfs, List<String> mountOptions, Path mountPoint)
      throws IOException, InterruptedException {
    Path mount = mountPoint.toRealPath(); // as /proc names it, to find its holders
    String device = Commands.run("losetup", "-f", "--show", image.toString()).strip();
    try {
      if (!mkfs.isEmpty()) {
        List<String> command = new ArrayList<>(mkfs);
        command.add(device);
        Commands.run(command.toArray(String[]::new));
      }
      List<String> command = new ArrayList<>(List.of("mount"));
      command.addAll(mountOptions);
      command.addAll(List.of(device, mount.toString()));
      try {
        Commands.run(command.toArray(String[]::new));
      } catch (IOException e) {
        throw mkfs.isEmpty() ? new MountFailed(e) : e;
      }
    } catch (IOException | InterruptedException e) {
      Commands.cleanUp(e, "losetup", "-d", device);
      throw e;
    }
    return new LoopFileSystem(image, device, mount);
  }

  /** Where it is mounted: an absolute path without symbolic links. */
  Path mountPoint() {
    return mountPoint;
  }

  /** Unmounts and mounts it again, which replays its journal as a reboot would. */
  void remount() throws IOException, InterruptedException {
    unmount();
    Commands.run("mount", device, mountPoint.toString());
  }

  /**
   * Unmounts it and detaches the loop device; the image stays. If it cannot be unmounted, the
   * report says so and what holds it; then, as a last resort so that the machine is not left with a
   * mount and a loop device, it is unmounted lazily (it leaves the directory tree now and goes when
   * its last holder lets go) and the loop device is detached (the kernel does so once the file
   * system is gone), and the report is thrown.
   *
   * @throws IOException if it could not be unmounted, or the loop device not detached
   */
  void release() throws IOException, InterruptedException {
    try {
      unmount();
    } catch (IOException busy) {
      IOException report =
          new IOException(
              busy.getMessage()
                  + "\nlast resort: unmounted lazily (umount -l) and "
                  + device
                  + " detached once free; the image "
                  + image
                  + " is kept");
      Commands.cleanUp(report, "umount", "-l", mountPoint.toString());
      Commands.cleanUp(report, "losetup", "-d", device);
      throw report;
    }
    Commands.run("losetup", "-d", device);
  }

  /**
   * Unmounts it, trying again a few times while it is busy.
   *
   * @throws IOException naming the mount point, what {@code umount} printed and the processes that
   *     hold it, if it stays busy
   */
  private void unmount() throws IOException, InterruptedException {
    Commands.Outcome outcome = Commands.attempt("umount", mountPoint.toString());
    for (int attempt = 1; !outcome.succeeded() && attempt < UNMOUNT_ATTEMPTS; attempt++) {
      Thread.sleep(UNMOUNT_RETRY.toMillis());
      outcome = Commands.attempt("umount", mountPoint.toString());
    }
    if (!outcome.succeeded()) {
      throw new IOException(
          "cannot unmount "
              + mountPoint
              + " ("
              + UNMOUNT_ATTEMPTS
              + " attempts, "
              + UNMOUNT_RETRY.toMillis()
              + " ms apart); umount exit "
              + outcome.exitCode()
              + ": "
              + outcome.output().strip()
              + "\n"
              + holders());
    }
  }

  private String holders() {
    List<Holders.Holder> holders;
    try {
      holders = Holders.under(mountPoint);
    } catch (IOException e) {
      return "cannot list the processes holding it: " + e;
    }
    if (holders.isEmpty()) {
      return "no process holds anything under it (a holder in the kernel, such as a mount below"
          + " it?)";
    }
    return "held by:\n" + holders.stream().map(h -> "  " + h).collect(Collectors.joining("\n"));
  }
}
