package dev.datawal.internal.format;

import dev.datawal.internal.io.FileHandle;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Reads ahead over the members of a record group ({@link GroupMarker}) before any of them is used,
 * so that a reader applies a group all or nothing. The members are read once more by the reader
 * itself afterwards; this pass only checks them (CRCs, no copies), with a window no larger than the
 * group.
 *
 * <p>What a group can be, and what each reader makes of it, is stated once in {@code
 * docs/format.md} ("Record groups (datawal extension)"):
 *
 * <ul>
 *   <li>{@link Complete}: the marker's n members follow it, whole and CRC-valid, spanning exactly
 *       its length, with the n txids after its own;
 *   <li>{@link Incomplete}: the frames after the marker end (the end of the range, or damage)
 *       before n members and the length are reached: what a crash in the middle of the group's
 *       write leaves, so a torn tail at the end of the last segment and corruption anywhere else;
 *   <li>{@link Mismatch}: the frames after the marker are valid but do not agree with it (another
 *       length for n members, n members not reached within its length, txids that are not the next
 *       ones, a member that is itself a marker): no crash leaves that, so it is always corruption.
 * </ul>
 *
 * <p>Stateless.
 */
public final class GroupCheck {
  /** What follows a marker. */
  public sealed interface Result permits Complete, Incomplete, Mismatch {}

  /** Every member is there, as the marker declares. */
  public record Complete() implements Result {}

  /**
   * The members end early.
   *
   * @param membersFound the whole, valid members before {@code stopAt}
   * @param stopAt where the next member should start
   * @param fault what is wrong there, or {@code null} if the range ends there
   */
  public record Incomplete(long membersFound, long stopAt, @Nullable FrameFault fault)
      implements Result {}

  /**
   * The members are valid frames that disagree with the marker.
   *
   * @param detail how, for messages
   */
  public record Mismatch(String detail) implements Result {}

  private static final Complete COMPLETE = new Complete();

  private GroupCheck() {}

  /**
   * Checks the group whose marker {@code marker}, with txid {@code markerTxid}, starts at {@code
   * markerOffset} of {@code file}, looking no further than {@code end}.
   */
  public static Result check(
      FileHandle file, long markerOffset, long markerTxid, GroupMarker marker, long end)
      throws IOException {
    long start = markerOffset + GroupMarker.FRAME_LENGTH;
    int window = (int) Math.min(SegmentScanner.MAX_WINDOW, Math.max(0, marker.length()));
    SegmentScanner members =
        new SegmentScanner(file, start, end, SegmentScanner.Content.NONE, window);
    long found = 0;
    while (found < marker.members() && members.position() - start < marker.length()) {
      if (!members.next()) {
        return new Incomplete(found, members.position(), members.fault());
      }
      long expectedTxid = markerTxid + found + 1;
      if (members.groupMarker() != null) {
        return new Mismatch(
            describe(marker, markerOffset)
                + ", but its member "
                + (found + 1)
                + " at offset "
                + members.frameOffset()
                + " is itself a group marker");
      }
      if (members.txid() != expectedTxid) {
        return new Mismatch(
            describe(marker, markerOffset)
                + " with the txids after its own ("
                + markerTxid
                + "), but its member "
                + (found + 1)
                + " at offset "
                + members.frameOffset()
                + " has txid "
                + members.txid()
                + ", not "
                + expectedTxid);
      }
      found++;
    }
    long bytes = members.position() - start;
    if (found == marker.members() && bytes == marker.length()) {
      return COMPLETE;
    }
    return new Mismatch(
        describe(marker, markerOffset)
            + ", but the "
            + found
            + " valid frame"
            + (found == 1 ? "" : "s")
            + " after it span "
            + bytes
            + " bytes: the marker does not describe the frames that follow it");
  }

  /** "the record group at offset 120 declares 3 members in 210 bytes". */
  public static String describe(GroupMarker marker, long markerOffset) {
    return "the record group at offset "
        + markerOffset
        + " declares "
        + marker.members()
        + " member"
        + (marker.members() == 1 ? "" : "s")
        + " in "
        + marker.length()
        + " bytes";
  }

  /** Why {@code group}, of {@code marker} at {@code markerOffset}, is incomplete, for messages. */
  public static String describe(GroupMarker marker, long markerOffset, Incomplete group) {
    FrameFault fault = group.fault();
    String after = group.membersFound() + " of them";
    return describe(marker, markerOffset)
        + (fault == null
            ? ", but the segment ends after " + after + " (at offset " + group.stopAt() + ")"
            : ", but after "
                + after
                + " the frame at offset "
                + group.stopAt()
                + " is damaged ("
                + fault
                + ")");
  }
}
