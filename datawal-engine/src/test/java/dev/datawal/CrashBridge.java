package dev.datawal;

import dev.datawal.internal.io.FileIo;
import java.nio.file.Path;

/**
 * Test-side bridge to the package-private factories that open a store through a given {@link
 * FileIo}, for the crash simulation in {@code dev.datawal.crash}.
 */
public final class CrashBridge {
  private CrashBridge() {}

  /** {@code RecordLog.open(dir, options, io)}. */
  public static RecordLog openLog(Path dir, DatawalOptions options, FileIo io) {
    return RecordLog.open(dir, options, io);
  }

  /** {@code DataWal.open(dir, options, io)}. */
  public static DataWal openKv(Path dir, DatawalOptions options, FileIo io) {
    return DataWal.open(dir, options, io);
  }
}
