package dev.datawal;

import java.nio.file.Path;

/** Another writer, in this process or another, holds the store directory's lock. */
public class StoreLockedException extends DatawalException {
  private static final long serialVersionUID = 1L;

  private final transient Path dir;
  private final long holderPid;

  /**
   * @param dir the locked store directory
   * @param holderPid the process id the lock file names, or -1 if unknown
   * @param message what happened
   */
  public StoreLockedException(Path dir, long holderPid, String message) {
    super(message);
    this.dir = dir;
    this.holderPid = holderPid;
  }

  /** {@return the store directory that is locked} */
  public Path dir() {
    return dir;
  }

  /**
   * {@return the process id written in the lock file by its holder, or -1 when it could not be
   * read}
   */
  public long holderPid() {
    return holderPid;
  }
}
