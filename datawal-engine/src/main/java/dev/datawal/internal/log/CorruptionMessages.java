package dev.datawal.internal.log;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.internal.format.FrameFault;
import dev.datawal.internal.format.SegmentFiles;
import java.nio.file.Path;

/**
 * Builds every {@link CorruptStoreException}, so their messages read alike: {@code datawal: <what
 * is wrong> in [sealed ]segment <id> at offset <offset> (<file>): <detail>}.
 */
public final class CorruptionMessages {
  private CorruptionMessages() {}

  /** Damage of {@code kind} found in segment {@code segment} at {@code offset}. */
  public static CorruptStoreException segment(
      CorruptionKind kind, Path dir, long segment, long offset, String detail) {
    return at(kind, kind.phrase(), "segment ", dir, segment, offset, detail);
  }

  /**
   * A damaged frame.
   *
   * @param sealed whether the segment is sealed (not the last), for the message
   * @param suffix more detail after the fault's own, or ""
   */
  public static CorruptStoreException frame(
      FrameFault fault, Path dir, long segment, long offset, boolean sealed, String suffix) {
    return at(
        fault.kind(),
        fault.kindPhrase(),
        sealed ? "sealed segment " : "segment ",
        dir,
        segment,
        offset,
        fault.detail() + suffix);
  }

  /**
   * A damaged frame met while reading {@code what} (such as "a value") from {@code file}, which
   * holds segment {@code segment}.
   */
  public static CorruptStoreException reading(
      FrameFault fault, String what, Path file, long segment, long offset) {
    return at(
        fault.kind(),
        fault.kindPhrase() + " reading " + what,
        "segment ",
        file,
        segment,
        offset,
        fault.detail(),
        file);
  }

  /** The manifest of the store in {@code dir} cannot be trusted. */
  public static CorruptStoreException manifest(Path dir, String detail) {
    Path file = StoreManifest.path(dir);
    return new CorruptStoreException(
        CorruptionKind.MANIFEST_DAMAGED,
        file,
        -1,
        -1,
        "datawal: damaged manifest ("
            + file
            + "): "
            + detail
            + "; the store's expected shape is unknown, so it is not opened. `datawal verify`"
            + " checks the segments; `datawal repair --yes` writes a new manifest from them");
  }

  private static CorruptStoreException at(
      CorruptionKind kind,
      String phrase,
      String where,
      Path dir,
      long segment,
      long offset,
      String detail) {
    return at(kind, phrase, where, dir, segment, offset, detail, SegmentFiles.path(dir, segment));
  }

  private static CorruptStoreException at(
      CorruptionKind kind,
      String phrase,
      String where,
      Path file,
      long segment,
      long offset,
      String detail,
      Path path) {
    return new CorruptStoreException(
        kind,
        path,
        segment,
        offset,
        "datawal: "
            + phrase
            + " in "
            + where
            + segment
            + " at offset "
            + offset
            + " ("
            + path
            + "): "
            + detail);
  }
}
