package dev.datawal;

/**
 * What is wrong with a store: the first four kinds describe a damaged frame, the next six a store
 * whose segment files are not what its manifest ({@code datawal.manifest}) or its own txids say
 * they must be, even though every frame in them may pass its CRC, and the last two a record group
 * whose frames are not what its marker says.
 */
public enum CorruptionKind {
  /** The frame, or its 24-byte header, runs past the end of the segment. */
  TRUNCATED,
  /** The frame is whole but its CRC-32C does not match its bytes. */
  CRC_MISMATCH,
  /**
   * The header is not a format-v1 header: wrong magic, unknown record type, non-zero flags, a
   * length over its limit, or a version no format can have (0, or above 255) on a frame that is not
   * otherwise whole and CRC-valid with version 1: what a header torn after its magic leaves (zero
   * fill, stale bytes or garbage), not a newer format. At the end of the last segment it is a torn
   * tail like any other damage.
   */
  STRUCTURAL,
  /**
   * The magic is right but the version is not 1, and the frame must never be discarded as a torn
   * tail: either its version is 2 to 255, so it may come from a newer format, or its version is 0
   * or above 255 but the frame is otherwise whole and its CRC-32C matches with version 1, so it was
   * written whole (a torn header cannot be that) and its version bytes were damaged since.
   */
  UNSUPPORTED_VERSION,
  /**
   * A record's txid is not above the txid of the record before it, in the same segment or an
   * earlier one: segments were swapped, copied under another id, or frames edited. Txids only ever
   * go up in a store.
   */
  TXID_ORDER,
  /** A segment the manifest records is gone. */
  SEGMENT_MISSING,
  /**
   * A segment is shorter than the manifest records (cut or emptied): records that were durable are
   * gone.
   */
  SEGMENT_SHORTER,
  /**
   * A segment's frames are valid but not the ones the manifest records: another length, other
   * txids, other frames (its last bytes or its frame digest differ), or the contents of another
   * segment.
   */
  SEGMENT_CHANGED,
  /**
   * A segment file the manifest does not know: copied into the store, moved into the place of a
   * segment that compaction or retention deleted, or a stray file with a segment's name.
   */
  SEGMENT_UNEXPECTED,
  /** The manifest itself does not check out, so the store's expected shape is unknown. */
  MANIFEST_DAMAGED,
  /**
   * A record group (an atomic write, see {@code docs/format.md}, "Record groups") has fewer valid
   * members after its marker than the marker declares: the segment ends, or a member is damaged,
   * first. At the end of the last segment that is what a crash during the group's write leaves, a
   * torn tail: recovery drops the whole group and reports it with this kind. Anywhere else (a
   * sealed segment, or with a valid frame after the damage) it is corruption.
   */
  INCOMPLETE_GROUP,
  /**
   * The valid frames after a record group's marker do not agree with it: another byte length for
   * the members it declares, fewer members within its length, txids that are not the ones after the
   * marker's, or a member that is itself a marker. No crash leaves that: corruption anywhere.
   */
  GROUP_MISMATCH;

  /** {@return a short phrase for messages, such as "CRC mismatch" or "missing segment"} */
  public String phrase() {
    return switch (this) {
      case TRUNCATED -> "truncated frame";
      case CRC_MISMATCH -> "CRC mismatch";
      case STRUCTURAL -> "structural damage";
      case UNSUPPORTED_VERSION -> "unsupported version";
      case TXID_ORDER -> "txids out of order";
      case SEGMENT_MISSING -> "missing segment";
      case SEGMENT_SHORTER -> "shortened segment";
      case SEGMENT_CHANGED -> "changed segment";
      case SEGMENT_UNEXPECTED -> "unexpected segment";
      case MANIFEST_DAMAGED -> "damaged manifest";
      case INCOMPLETE_GROUP -> "incomplete record group";
      case GROUP_MISMATCH -> "record group mismatch";
    };
  }
}
