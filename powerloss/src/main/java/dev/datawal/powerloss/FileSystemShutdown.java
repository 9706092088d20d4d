package dev.datawal.powerloss;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A power cut at the file-system level: the store lives on its own ext4 or XFS file system on a
 * loop device, and the cut is {@code xfs_io -x -c shutdown} (xfstests' "godown", without {@code
 * -f}: the journal is not flushed), which makes the file system drop everything not yet committed
 * to its journal and fail every later write and fsync, as if the disk had lost power. Restoring
 * unmounts it and mounts it again, which replays the journal as a reboot would.
 *
 * <p>The shutdown is not instantaneous (the ioctl takes milliseconds) and an fsync that overlaps it
 * can report success for data the file system then discards (measured with a plain C writer in
 * {@code powerloss/shutdown-race/}), so only acknowledgements written before the cut began are owed
 * ({@link Target#instantaneous()}). To keep that window short, {@code xfs_io} is started when the
 * file system is mounted and waits for its command on standard input: starting it takes tens of
 * milliseconds, reading a line and calling the ioctl does not.
 *
 * <p>What it covers: data and metadata that were written but not made durable are lost, exactly at
 * the granularity the file system commits (so unsynced appends, a segment created but whose
 * directory entry was not synced, a rename not yet committed). What it does not: the device itself
 * keeps every block the file system wrote (no torn sectors, no reordering below the file system;
 * see the dm-flakey harness for a device that stops persisting).
 *
 * <p>Needs root, loop devices, {@code losetup}, {@code mkfs.ext4}, {@code mkfs.xfs} and {@code
 * xfs_io} (xfsprogs); {@link #unavailable()} says what is missing.
 */
public final class FileSystemShutdown implements Fault {
  /** The file systems rounds alternate between. */
  public enum Kind {
    EXT4("mkfs.ext4", "-q", "-F"),
    XFS("mkfs.xfs", "-q", "-f");

    private final List<String> mkfs;

    Kind(String... mkfs) {
      this.mkfs = List.of(mkfs);
    }
  }

  /** XFS refuses file systems under 300 MB; the image is sparse, so this costs little disk. */
  private static final long IMAGE_BYTES = 512L << 20;

  private static final List<String> TOOLS =
      List.of("losetup", "mount", "umount", "mkfs.ext4", "mkfs.xfs", "xfs_io");

  private final List<Kind> kinds;
  private final AtomicInteger rounds = new AtomicInteger();

  /** Rounds take the kinds in turn. */
  public FileSystemShutdown(List<Kind> kinds) {
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("at least one file system kind is needed");
    }
    this.kinds = List.copyOf(kinds);
  }

  /** Parses {@code ext4,xfs}. */
  public static List<Kind> kinds(String names) {
    return Stream.of(names.split(","))
        .map(String::trim)
        .filter(n -> !n.isEmpty())
        .map(n -> Kind.valueOf(n.toUpperCase(Locale.ROOT)))
        .toList();
  }

  /** Why the harness cannot run here (not root, a tool or loop devices missing), or empty. */
  public static Optional<String> unavailable() {
    if (!System.getProperty("os.name", "").startsWith("Linux")) {
      return Optional.of("not Linux");
    }
    List<String> missing = Commands.missing(TOOLS);
    if (!missing.isEmpty()) {
      return Optional.of(
          "missing tools: " + String.join(", ", missing) + " (install xfsprogs, util-linux)");
    }
    try {
      if (!Commands.run("id", "-u").strip().equals("0")) {
        return Optional.of("not root (loop devices and mount need root)");
      }
    } catch (IOException | InterruptedException e) {
      return Optional.of("cannot tell the user id: " + e.getMessage());
    }
    if (!Commands.succeeds("losetup", "-f")) {
      return Optional.of("no free loop device (losetup -f failed; is /dev/loop-control there?)");
    }
    return Optional.empty();
  }

  @Override
  public Target prepare(Path roundDir, Random random) throws IOException, InterruptedException {
    Kind kind = kinds.get(rounds.getAndIncrement() % kinds.size());
    Path image = roundDir.resolve("fs.img");
    try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
      file.setLength(IMAGE_BYTES);
    }
    LoopFileSystem fileSystem =
        LoopFileSystem.create(image, kind.mkfs, Files.createDirectories(roundDir.resolve("mnt")));
    Process shutter;
    try {
      shutter =
          new ProcessBuilder("xfs_io", "-x", fileSystem.mountPoint().toString())
              .redirectErrorStream(true)
              .redirectOutput(roundDir.resolve("xfs_io.log").toFile())
              .start();
    } catch (IOException e) {
      try {
        fileSystem.release();
      } catch (IOException | InterruptedException releaseFailed) {
        e.addSuppressed(releaseFailed);
      }
      throw e;
    }
    return new Mounted(kind, image, fileSystem, roundDir, shutter);
  }

  /** A round's file system, mounted. */
  private static final class Mounted implements Target {
    private final Kind kind;
    private final Path image;
    private final LoopFileSystem fileSystem;
    private final Path mount;
    private final Path roundDir;
    private final Process shutter; // xfs_io on the mount, waiting for "shutdown" on stdin

    Mounted(Kind kind, Path image, LoopFileSystem fileSystem, Path roundDir, Process shutter) {
      this.kind = kind;
      this.image = image;
      this.fileSystem = fileSystem;
      this.mount = fileSystem.mountPoint();
      this.roundDir = roundDir;
      this.shutter = shutter;
    }

    @Override
    public Path storeParent() {
      return mount;
    }

    @Override
    public String describe() {
      return "shutdown-" + kind.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void cut() throws IOException, InterruptedException {
      if (!shutter.isAlive()) {
        throw new IOException("xfs_io exited before the cut (exit " + shutter.exitValue() + ")");
      }
      try (OutputStream commands = shutter.getOutputStream()) {
        commands.write(
            "shutdown\nquit\n".getBytes(StandardCharsets.US_ASCII)); // no -f: no log flush
      }
      if (!shutter.waitFor(60, TimeUnit.SECONDS) || shutter.exitValue() != 0) {
        shutter.destroyForcibly();
        throw new IOException(
            "xfs_io shutdown of " + mount + " failed; see " + roundDir.resolve("xfs_io.log"));
      }
      // A cut that silently did nothing would pass every round: a shut-down file system refuses
      // to create a file.
      try {
        Files.createFile(mount.resolve("cut-check"));
      } catch (IOException expected) {
        return;
      }
      throw new IOException(
          mount
              + " still takes writes after xfs_io shutdown; see "
              + roundDir.resolve("xfs_io.log"));
    }

    /** No: the shutdown ioctl takes milliseconds, and fsyncs that overlap it may still succeed. */
    @Override
    public boolean instantaneous() {
      return false;
    }

    @Override
    public void restore() throws IOException, InterruptedException {
      fileSystem.remount(); // replays the journal
    }

    /**
     * Also fails, keeping the image, if the file system cannot be unmounted: something still holds
     * it, and a leaked mount must not pass as a round that passed.
     */
    @Override
    public void release(boolean keepEvidence) throws IOException, InterruptedException {
      try {
        if (keepEvidence && Files.isDirectory(mount.resolve("store"))) {
          copyTree(mount.resolve("store"), roundDir.resolve("store-evidence"));
        }
      } catch (IOException copyFailed) {
        try {
          releaseFileSystem();
        } catch (IOException | InterruptedException e) {
          copyFailed.addSuppressed(e);
        }
        throw copyFailed;
      }
      releaseFileSystem();
      if (!keepEvidence) {
        Files.deleteIfExists(image); // the image is the evidence; a passed round needs none
      }
    }

    private void releaseFileSystem() throws IOException, InterruptedException {
      shutter.destroyForcibly(); // holds the mount open if the round ended before the cut
      shutter.waitFor();
      fileSystem.release();
    }

    private static void copyTree(Path from, Path to) throws IOException {
      try (Stream<Path> files = Files.walk(from)) {
        for (Path source : (Iterable<Path>) files::iterator) {
          Path target = to.resolve(from.relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    }
  }
}
