package dev.datawal.spring.diagnostics;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a store that the open refuses: a damaged frame recovery must not discard, segment files
 * that are not what the store's manifest records (lost, cut, changed, extra), a damaged manifest,
 * or damage found while the store was last open and recorded in its manifest. A refused open leaves
 * the segments, the manifest and the key-directory snapshot as it found them (the engine's tests
 * compare every file before and after); whether the snapshot is there matters to the repair, so it
 * is said. The action leads to {@code datawal verify} and {@code datawal repair}.
 */
final class CorruptStoreFailureAnalyzer extends AbstractFailureAnalyzer<CorruptStoreException> {
  /**
   * How the engine's message tells damage that was recorded in the manifest while the store was
   * open: the exception has no field for it.
   */
  private static final String RECORDED_WHILE_OPEN = "found while the store was open";

  /**
   * The key/value store's key-directory snapshot: what the store held when it was written, so the
   * evidence a repair compares with to name the keys a loss took away or set back.
   */
  static final String SNAPSHOT = "keydir.snapshot";

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, CorruptStoreException cause) {
    String description =
        "The datawal store could not be opened: "
            + what(cause)
            + " This start did not change the store's segments, manifest or key-directory"
            + " snapshot.\n\nReason: "
            + cause.getMessage();
    return new FailureAnalysis(description, action(cause), cause);
  }

  private static String what(CorruptStoreException cause) {
    String segment = "segment " + cause.segment() + " (" + cause.file() + ")";
    if (cause.getMessage() != null && cause.getMessage().contains(RECORDED_WHILE_OPEN)) {
      return segment
          + " holds damage at byte offset "
          + cause.offset()
          + " ("
          + cause.kind().phrase()
          + ") that was found while the store was last open, by a verification of its sealed"
          + " segments or a read, and recorded in its manifest (datawal.manifest). Every start"
          + " refuses the store until a repair accepts the damage.";
    }
    return switch (cause.kind()) {
      case TRUNCATED, CRC_MISMATCH, STRUCTURAL, UNSUPPORTED_VERSION ->
          segment
              + " is damaged at byte offset "
              + cause.offset()
              + " ("
              + cause.kind()
              + "). The damage is not a torn tail left by a crash, so recovery will not discard"
              + " it on its own: records after it would be lost.";
      case TXID_ORDER ->
          "the txids in "
              + segment
              + " stop going up at byte offset "
              + cause.offset()
              + ": segments were swapped or copied under another id, or frames were edited.";
      case SEGMENT_MISSING ->
          segment
              + " is gone, though the store's manifest (datawal.manifest) records it: records"
              + " that were durable are lost.";
      case SEGMENT_SHORTER ->
          segment
              + " is shorter than the store's manifest (datawal.manifest) records (it ends at"
              + " byte offset "
              + cause.offset()
              + "): records that were durable are lost.";
      case SEGMENT_CHANGED ->
          segment
              + " does not hold the frames the store's manifest (datawal.manifest) records: it"
              + " was edited, replaced, or holds another segment's contents.";
      case SEGMENT_UNEXPECTED ->
          segment
              + " is a segment file the store's manifest (datawal.manifest) does not know: copied"
              + " in, moved into the place of a segment compaction or retention deleted, or a"
              + " stray file with a segment's name.";
      case MANIFEST_DAMAGED ->
          "the store's manifest ("
              + cause.file()
              + ") is damaged, so the shape its segment files must have is unknown.";
      case INCOMPLETE_GROUP ->
          segment
              + " holds a record group (an atomic write) cut short at byte offset "
              + cause.offset()
              + " where no crash can have cut it (a sealed segment, or with valid records after"
              + " the damage), so recovery will not drop it on its own.";
      case GROUP_MISMATCH ->
          segment
              + " holds a record group marker at byte offset "
              + cause.offset()
              + " that does not describe the records after it: the frames were edited, or"
              + " another writer appended after a group that a crash had cut short.";
    };
  }

  private static String action(CorruptStoreException cause) {
    Path storeDir = storeDir(cause);
    String dir = storeDir == null ? "<store dir>" : storeDir.toString();
    String file = String.valueOf(cause.file());
    String first =
        switch (cause.kind()) {
          case SEGMENT_MISSING ->
              " If the file was moved or renamed, put it back as " + file + " and start again.";
          case SEGMENT_UNEXPECTED ->
              " If "
                  + file
                  + " does not belong to this store, move it out of the directory and start"
                  + " again: the store then holds what its manifest records, and whatever that"
                  + " file holds is in no store (keep it if you do not know where it came"
                  + " from).";
          default -> "";
        };
    return "Keep a copy of the store directory before anything else (cp -a "
        + dir
        + " <backup>)."
        + first
        + " Then, with the application stopped: `datawal verify "
        + dir
        + "` checks every frame of every segment; `datawal repair "
        + dir
        + "` is a dry run that changes nothing and shows what a repair would do here: "
        + repairs(cause.kind(), file)
        + "; `datawal repair "
        + dir
        + " --yes` carries it out. "
        + snapshot(storeDir)
        + " Then start the application again. Or restore the store from a backup.";
  }

  /** What the key-directory snapshot's presence means for the repair's account of the keys. */
  private static String snapshot(@Nullable Path dir) {
    if (dir == null) {
      return "";
    }
    if (Files.exists(dir.resolve(SNAPSHOT))) {
      return "The key-directory snapshot ("
          + dir.resolve(SNAPSHOT)
          + ") is there: the repair compares with it to name the keys the loss took away or set"
          + " back, and deletes it (it describes the segments as they were), so keep the copy.";
    }
    return "There is no key-directory snapshot ("
        + SNAPSHOT
        + "): a key/value store's repair cannot name the keys the loss took away or set back (a"
        + " clean close writes the snapshot, and compaction deletes it before it changes a"
        + " segment); a plain log never has one.";
  }

  private static String repairs(CorruptionKind kind, String file) {
    return switch (kind) {
      case TRUNCATED, CRC_MISMATCH, STRUCTURAL, UNSUPPORTED_VERSION ->
          "move the damaged region of "
              + file
              + " into a quarantine file beside it, keeping the segment's valid frames before and"
              + " after it, and write a new manifest";
      case TXID_ORDER -> "quarantine the records whose txids do not go up and write a new manifest";
      case SEGMENT_MISSING, SEGMENT_SHORTER, SEGMENT_CHANGED ->
          "accept the loss, write a new manifest of what is left, and say which keys the loss"
              + " took away or set back";
      case SEGMENT_UNEXPECTED ->
          "quarantine " + file + " whole (renamed, nothing deleted) and write a new manifest";
      case MANIFEST_DAMAGED -> "write a new manifest from the segment files";
      case INCOMPLETE_GROUP ->
          "move the whole record group, its marker and the records present, of "
              + file
              + " into a quarantine file beside it, so that none of it is applied, and write a new"
              + " manifest";
      case GROUP_MISMATCH ->
          "move the group marker of "
              + file
              + " into a quarantine file beside it, keeping the records after it as plain"
              + " records, and write a new manifest";
    };
  }

  /** The store directory: the one holding the file named, if one is. */
  private static @Nullable Path storeDir(CorruptStoreException cause) {
    Path file = cause.file();
    return file == null ? null : file.getParent();
  }
}
