package dev.datawal.powerloss;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file-system image attached to a loop device and mounted, for as long as it is open. Closing
 * unmounts and detaches; an unmount that fails (the mount is busy) is an error, never ignored: the
 * mount is then detached lazily so the machine is left clean, and the error says so.
 */
final class LoopMount implements AutoCloseable {
  private static final int UNMOUNT_TRIES = 5;
  private static final long UNMOUNT_PAUSE_MS = 200;

  private final String device;
  private final Path mountPoint;
  private final String mountError; // null when mounted

  private LoopMount(String device, Path mountPoint, String mountError) {
    this.device = device;
    this.mountPoint = mountPoint;
    this.mountError = mountError;
  }

  /**
   * Attaches {@code image} to a free loop device and mounts it at {@code mountPoint} as {@code
   * type}. A mount that fails leaves the device attached ({@link #mounted()} is false) so the
   * caller can report why; closing detaches it.
   */
  static LoopMount attach(Path image, String type, Path mountPoint)
      throws IOException, InterruptedException {
    String device = Commands.run("losetup", "-f", "--show", image.toString()).strip();
    try {
      Commands.run("mount", "-t", type, device, mountPoint.toString());
      return new LoopMount(device, mountPoint, null);
    } catch (IOException e) {
      return new LoopMount(device, mountPoint, e.getMessage());
    }
  }

  boolean mounted() {
    return mountError == null;
  }

  String mountError() {
    return mountError;
  }

  /** Unmounts and detaches; see the class comment for a busy mount. */
  @Override
  public void close() throws IOException {
    try {
      unmountAndDetach();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while unmounting " + mountPoint, e);
    }
  }

  private void unmountAndDetach() throws IOException, InterruptedException {
    IOException busy = null;
    if (mounted()) {
      for (int attempt = 1; ; attempt++) {
        try {
          Commands.run("umount", mountPoint.toString());
          busy = null;
          break;
        } catch (IOException e) {
          busy = e;
          if (attempt == UNMOUNT_TRIES) {
            break;
          }
          Thread.sleep(UNMOUNT_PAUSE_MS);
        }
      }
      if (busy != null) {
        Commands.succeeds("umount", "-l", mountPoint.toString()); // leave the machine clean
      }
    }
    try {
      Commands.run("losetup", "-d", device);
    } catch (IOException e) {
      if (busy == null) {
        throw e;
      }
      busy.addSuppressed(e);
    }
    if (busy != null) {
      throw new IOException(
          mountPoint + " on " + device + " did not unmount (detached lazily): " + busy.getMessage(),
          busy);
    }
  }
}
