package dev.datawal.internal.io;

import dev.datawal.DatawalException;
import dev.datawal.StoreLockedException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The exclusive writer lock of a store directory: an OS lock on {@code .lock}, which names the
 * holder's pid. The file is created if missing and never deleted; a stale file left by a dead
 * process does not block, because the OS drops a dead process's locks.
 *
 * <p>Design: POSIX record locks belong to the process, and closing <em>any</em> descriptor of the
 * file releases them. So a second open in this process must not even open {@code .lock}: the
 * directories locked by this process are kept in a static set, checked first (as Lucene's
 * NativeFSLockFactory does). For the same reason read-only readers never touch {@code .lock}.
 *
 * <p>The OS lock is the {@link FileHandle#tryLock() handle's}: on Linux an {@code fcntl} record
 * lock, plus the {@code flock} the reference implementation takes, when this JVM can take it
 * ({@link NativeFlock}: Java 22+ with native access enabled). The flock lives on a descriptor of
 * its own, closed only with the handle, since closing it earlier would drop the record lock too.
 *
 * <p>Thread-safe.
 */
public final class DirectoryLock implements Closeable {
  /** The lock file's name in the store directory. */
  public static final String FILE_NAME = ".lock";

  private static final Set<Path> HELD_BY_THIS_PROCESS = ConcurrentHashMap.newKeySet();

  private final Path key;
  private final FileHandle handle;
  private boolean released;

  private DirectoryLock(Path key, FileHandle handle) {
    this.key = key;
    this.handle = handle;
  }

  /**
   * Takes the lock of {@code dir} at once, or fails.
   *
   * @throws StoreLockedException if this or another process holds it
   * @throws DatawalException if the lock file cannot be created or written
   */
  public static DirectoryLock acquire(FileIo io, Path dir) {
    Path key = canonical(dir);
    long ownPid = ProcessHandle.current().pid();
    if (!HELD_BY_THIS_PROCESS.add(key)) {
      throw new StoreLockedException(
          dir,
          ownPid,
          "datawal: store directory "
              + dir
              + " is already locked by this process (pid "
              + ownPid
              + "): another RecordLog or DataWal has it open; close that one first");
    }
    FileHandle handle = null;
    try {
      handle = io.openWrite(dir.resolve(FILE_NAME), false);
      boolean locked;
      try {
        locked = handle.tryLock();
      } catch (OverlappingFileLockException e) {
        locked = false; // held in this JVM under another path (a link or bind mount)
      }
      if (!locked) {
        long holder = readPid(handle);
        throw new StoreLockedException(
            dir,
            holder,
            "datawal: store directory "
                + dir
                + " is already locked by another process"
                + (holder > 0 ? " (pid " + holder + ")" : "")
                + "; only one writer may open a store");
      }
      // Informative only, so not forced: a stale pid never blocks, the OS lock decides. Written
      // over the old pid, then cut to length: cutting a file to zero first costs milliseconds on
      // ext4, which flushes a file rewritten after a truncate to zero.
      byte[] pid = (ownPid + "\n").getBytes(StandardCharsets.US_ASCII);
      handle.write(ByteBuffer.wrap(pid), 0);
      handle.truncate(pid.length);
      return new DirectoryLock(key, handle);
    } catch (IOException e) {
      closeQuietly(handle);
      HELD_BY_THIS_PROCESS.remove(key);
      throw new DatawalException(
          "datawal: cannot lock store directory " + dir + ": " + Errors.describe(e), e);
    } catch (RuntimeException e) {
      closeQuietly(handle);
      HELD_BY_THIS_PROCESS.remove(key);
      throw e;
    }
  }

  /** Releases the lock. Idempotent. */
  @Override
  public synchronized void close() throws IOException {
    if (released) {
      return;
    }
    released = true;
    try {
      handle.close();
    } finally {
      HELD_BY_THIS_PROCESS.remove(key);
    }
  }

  private static Path canonical(Path dir) {
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      return dir.toAbsolutePath().normalize();
    }
  }

  private static long readPid(FileHandle handle) {
    try {
      ByteBuffer buf = ByteBuffer.allocate(32);
      handle.read(buf, 0);
      String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
      return text.isEmpty() ? -1 : Long.parseLong(text);
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  private static void closeQuietly(@Nullable FileHandle handle) {
    if (handle != null) {
      try {
        handle.close();
      } catch (IOException ignored) {
        // nothing more to do: the original failure is what the caller needs
      }
    }
  }
}
