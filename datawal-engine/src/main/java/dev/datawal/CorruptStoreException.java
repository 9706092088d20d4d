package dev.datawal;

import java.nio.file.Path;

/**
 * A store holds damage that recovery must not discard: corruption in a sealed segment, damage
 * followed by a valid frame (mid-stream corruption), or a frame of an unsupported format version.
 * Nothing was changed on disk.
 */
public class CorruptStoreException extends DatawalException {
  private static final long serialVersionUID = 1L;

  private final CorruptionKind kind;
  private final transient Path file;
  private final long segment;
  private final long offset;

  /**
   * @param kind what is wrong
   * @param file the segment file
   * @param segment the segment id
   * @param offset the byte offset of the damaged frame in the segment
   * @param message the whole message, naming file, segment, offset and kind
   */
  public CorruptStoreException(
      CorruptionKind kind, Path file, long segment, long offset, String message) {
    super(message);
    this.kind = kind;
    this.file = file;
    this.segment = segment;
    this.offset = offset;
  }

  /** {@return what is wrong with the damaged frame or segment} */
  public CorruptionKind kind() {
    return kind;
  }

  /** {@return the damaged segment file (the manifest, for a damaged manifest)} */
  public Path file() {
    return file;
  }

  /** {@return the damaged segment's id, or -1 for a damaged manifest} */
  public long segment() {
    return segment;
  }

  /** {@return the byte offset of the damaged frame in its segment, or -1 for a damaged manifest} */
  public long offset() {
    return offset;
  }
}
