package dev.datawal.cli;

import dev.datawal.CorruptionKind;
import dev.datawal.tools.StoreRepair;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One problem with a store as a whole, as the CLI shows it: a segment missing, shorter, changed or
 * unexpected, a damaged manifest, damage recorded while the store was open, or records whose txids
 * do not go up. Every frame may still pass its CRC; the engine's open refuses the store all the
 * same.
 *
 * @param kind what is wrong
 * @param segment the segment, or -1 for the manifest itself
 * @param offset where in the segment, or {@code null} when it is not one place (the manifest)
 * @param length how many bytes a repair moves out, or {@code null} when it moves nothing
 * @param file the segment file, or the manifest
 * @param detail what exactly is wrong, as the engine says it
 * @param repair what {@code datawal repair --yes} does about it
 */
record StoreProblem(
    CorruptionKind kind,
    long segment,
    @Nullable Long offset,
    @Nullable Long length,
    Path file,
    String detail,
    RepairAction repair) {

  /** The manifest's file name ({@code StoreManifest.FILE_NAME} in the engine). */
  static final String MANIFEST = "datawal.manifest";

  /** A loss a repair plan accepts: nothing to move. */
  static StoreProblem of(StoreRepair.Loss loss, Path dir) {
    Path file =
        loss.segment() < 0
            ? dir.resolve(MANIFEST)
            : dir.resolve(SegmentFileNames.name(loss.segment()));
    EngineMessage m = EngineMessage.parse(loss.detail(), file);
    Long offset = m.offset() != null ? m.offset() : loss.segment() < 0 ? null : Long.valueOf(0);
    return new StoreProblem(
        loss.kind(), loss.segment(), offset, null, file, m.detail(), RepairAction.ACCEPT_LOSS);
  }

  /** A whole segment or a run of records a repair plan moves out. */
  static StoreProblem of(StoreRepair.Quarantine q, Path dir) {
    Path file = dir.resolve(SegmentFileNames.name(q.segment()));
    return new StoreProblem(
        q.kind(),
        q.segment(),
        q.offset(),
        q.length(),
        file,
        EngineMessage.parse(q.detail(), file).detail(),
        q.wholeFile() ? RepairAction.QUARANTINE_FILE : RepairAction.QUARANTINE_REGION);
  }

  /** Whether the problem is with the manifest rather than a segment. */
  boolean manifest() {
    return segment < 0;
  }

  /** The {@code problem} JSON line. */
  JsonLine json() {
    return JsonLine.of("problem")
        .add("problem_kind", kind.name())
        .addNullable("segment", manifest() ? null : segment)
        .addNullable("offset", offset)
        .addNullable("length", length)
        .add("file", file.toString())
        .add("detail", detail)
        .add("repair", repair.jsonName());
  }

  /**
   * One line for people: {@code missing segment: segment 3 (.../00000003.dwal): the segment is
   * gone: ...}.
   */
  String describe() {
    StringBuilder sb = new StringBuilder(kind.phrase());
    if (manifest()) {
      sb.append(" (").append(file).append(')');
    } else {
      sb.append(" in segment ").append(segment);
      boolean wholeSegment =
          kind == CorruptionKind.SEGMENT_MISSING || repair == RepairAction.QUARANTINE_FILE;
      if (offset != null && !wholeSegment) {
        sb.append(" at offset ").append(offset);
      }
      if (length != null) {
        sb.append(", ").append(length).append(length == 1 ? " byte" : " bytes");
      }
      sb.append(" (").append(file).append(')');
    }
    return sb.append(": ").append(detail).toString();
  }

  /** What recovery and a repair do about it, for people. */
  String consequence() {
    return repair.consequence();
  }

  /**
   * An engine message split into its parts. The engine words every {@code CorruptStoreException} as
   * {@code datawal: <kind> in [sealed ]segment <id> at offset <n> (<file>): <detail>}; other texts
   * (a repair's own) are the detail as they are.
   */
  record EngineMessage(@Nullable Long offset, String detail) {
    private static final Pattern OFFSET = Pattern.compile(" at offset (\\d+) \\($");

    static EngineMessage parse(String message, Path file) {
      String marker = "(" + file + "): ";
      int at = message.startsWith("datawal: ") ? message.indexOf(marker) : -1;
      if (at < 0) {
        return new EngineMessage(null, message);
      }
      Matcher offset = OFFSET.matcher(message.substring(0, at + 1));
      return new EngineMessage(
          offset.find() ? Long.valueOf(offset.group(1)) : null,
          message.substring(at + marker.length()));
    }
  }
}
