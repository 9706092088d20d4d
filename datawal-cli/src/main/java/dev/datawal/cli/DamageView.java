package dev.datawal.cli;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.DamageEvent;
import dev.datawal.DatawalException;
import dev.datawal.tools.SegmentWalker;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * One damaged region as the CLI shows it, whichever part of the engine found it; or, from an error
 * that stopped a scan, any reason recovery refuses a store (a missing segment, a damaged manifest,
 * ...).
 *
 * @param segment the segment id, or -1 when the damage is to the store's manifest
 * @param offset where the damage starts in the segment, or -1 for the manifest
 * @param length how many bytes it spans, or -1 when not known (a hard error a scan stopped at)
 * @param kind what is wrong
 * @param tornTail whether recovery tolerates it as a torn tail (left out; a writer's open keeps it
 *     as evidence and cuts it) rather than refusing the store
 * @param file the segment file, or {@code null} when a hard error names none
 * @param detail what exactly is wrong
 * @param storedCrc for a CRC mismatch: the CRC the frame carries
 * @param computedCrc for a CRC mismatch: the CRC of its bytes
 */
record DamageView(
    long segment,
    long offset,
    long length,
    CorruptionKind kind,
    boolean tornTail,
    @Nullable Path file,
    String detail,
    OptionalLong storedCrc,
    OptionalLong computedCrc) {

  /** A region a {@link SegmentWalker} found in {@code file}. */
  static DamageView of(SegmentWalker.Damage d, Path file, boolean lastSegment) {
    return new DamageView(
        d.segment(),
        d.offset(),
        d.length(),
        d.kind(),
        d.tornTail(lastSegment),
        file,
        d.detail(),
        d.storedCrc(),
        d.computedCrc());
  }

  /** A torn tail a recovery report lists. */
  static DamageView of(DamageEvent e) {
    return new DamageView(
        e.segment(),
        e.offset(),
        e.bytes(),
        e.kind(),
        true,
        e.keptIn(),
        "",
        OptionalLong.empty(),
        OptionalLong.empty());
  }

  /**
   * The damage a hard error names; its length and CRCs are looked up by walking the segment (a
   * read-only walk), when a damaged region starts at the error's offset.
   */
  static DamageView of(CorruptStoreException e) {
    // The engine's message is "datawal: <kind> in <where> at offset <n> (<file>): <detail>".
    String message = Cli.message(e);
    String marker = "(" + e.file() + "): ";
    int at = e.file() == null ? -1 : message.indexOf(marker);
    String detail = at < 0 ? message : message.substring(at + marker.length());
    SegmentWalker.Damage region =
        e.file() == null || !frameDamage(e.kind())
            ? null
            : regionAt(e.file(), e.segment(), e.offset());
    return new DamageView(
        e.segment(),
        e.offset(),
        region == null ? -1 : region.length(),
        e.kind(),
        false,
        e.file(),
        detail,
        region == null ? OptionalLong.empty() : region.storedCrc(),
        region == null ? OptionalLong.empty() : region.computedCrc());
  }

  /**
   * Whether {@code kind} is damage to a frame or a record group, which a walk of the segment finds
   * at the error's offset; the other kinds are about segments as a whole (or the manifest).
   */
  private static boolean frameDamage(CorruptionKind kind) {
    return switch (kind) {
      case TRUNCATED,
          CRC_MISMATCH,
          STRUCTURAL,
          UNSUPPORTED_VERSION,
          INCOMPLETE_GROUP,
          GROUP_MISMATCH ->
          true;
      default -> false;
    };
  }

  /** The damaged region that starts at {@code offset} of the segment file, or {@code null}. */
  private static SegmentWalker.@Nullable Damage regionAt(Path file, long segment, long offset) {
    if (file.getParent() == null) {
      return null;
    }
    try (SegmentWalker walker = SegmentWalker.open(file.getParent(), segment, false)) {
      for (SegmentWalker.Item item = walker.next();
          item != null && item.offset() <= offset;
          item = walker.next()) {
        if (item instanceof SegmentWalker.Damage d && d.offset() == offset) {
          return d;
        }
      }
      return null;
    } catch (DatawalException unreadable) {
      return null; // the error being shown says enough
    }
  }

  /** "CRC mismatch", "truncated frame", ... */
  static String phrase(CorruptionKind kind) {
    return kind.phrase();
  }

  /** The {@code damage} JSON line. */
  JsonLine json() {
    return JsonLine.of("damage")
        .addNullable("segment", segment < 0 ? null : segment)
        .addNullable("offset", offset < 0 ? null : offset)
        .addNullable("length", length < 0 ? null : length)
        .add("damage_kind", kind.name())
        .add("torn_tail", tornTail)
        .add("file", file == null ? null : file.toString())
        .add("detail", detail)
        .add("stored_crc", storedCrc.isPresent() ? hex(storedCrc.getAsLong()) : null)
        .add("computed_crc", computedCrc.isPresent() ? hex(computedCrc.getAsLong()) : null);
  }

  /**
   * One line for people: {@code CRC mismatch in segment 2 at offset 0, 50 bytes
   * (.../00000002.dwal): stored CRC 0x..., computed 0x...}.
   */
  String describe() {
    StringBuilder sb =
        new StringBuilder(tornTail ? "torn tail (" + phrase(kind) + ")" : phrase(kind));
    if (segment >= 0) { // else the manifest, which the file names
      sb.append(" in segment ").append(segment).append(" at offset ").append(offset);
    }
    if (length >= 0) {
      sb.append(", ").append(length).append(length == 1 ? " byte" : " bytes");
    }
    if (file != null) {
      sb.append(" (").append(file).append(')');
    }
    return detail.isEmpty() ? sb.toString() : sb.append(": ").append(detail).toString();
  }

  /** What recovery does with this damage, for people. */
  String consequence() {
    return tornTail
        ? "recovery leaves it out; a writer's open moves it to "
            + SegmentFileNames.name(segment)
            + ".torn-at-"
            + offset
            + " and cuts the segment there"
        : RepairAction.of(kind).consequence();
  }

  static String hex(long crc) {
    return String.format("0x%08x", crc);
  }
}
