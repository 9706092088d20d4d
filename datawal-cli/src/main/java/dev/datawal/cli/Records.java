package dev.datawal.cli;

import dev.datawal.RecordType;
import dev.datawal.tools.SegmentWalker;

/** How records and frame headers are shown, as the reference CLI shows them. */
final class Records {
  private Records() {}

  /** {@code Raw}, {@code Put}, {@code Delete}: the JSON {@code record_type}. */
  static String jsonType(RecordType type) {
    return switch (type) {
      case RAW -> "Raw";
      case PUT -> "Put";
      case DELETE -> "Delete";
    };
  }

  /** {@code RAW}, {@code PUT}, {@code DEL}: the human {@code type=}. */
  static String textType(RecordType type) {
    return switch (type) {
      case RAW -> "RAW";
      case PUT -> "PUT";
      case DELETE -> "DEL";
    };
  }

  /** The start of a human line: {@code seg=00000001 off= 0 len= 33 type=RAW txid=...}. */
  static String textHeader(SegmentWalker.Frame f) {
    return String.format(
        "seg=%08d off=%10d len=%8d type=%-3s txid=%10d",
        f.segment(), f.offset(), f.length(), textType(f.type()), f.txid());
  }

  /**
   * A {@code record} line: a whole record, key and payload in base64, and as text where they are
   * UTF-8 ({@code null} where not).
   */
  static JsonLine jsonRecord(SegmentWalker.Frame f) {
    return JsonLine.of("record")
        .add("segment", f.segment())
        .add("offset", f.offset())
        .add("len", f.length())
        .add("record_type", jsonType(f.type()))
        .add("txid", f.txid())
        .add("key_base64", BytesFormat.base64(f.key()))
        .add("payload_base64", BytesFormat.base64(f.toRecord().payload()))
        .add("key_text", TextBytes.utf8(f.key()))
        .add("payload_text", TextBytes.utf8(f.toRecord().payload()));
  }

  /**
   * A {@code frame} line: a header only, no payload bytes; a record group's marker also has {@code
   * group_members}.
   */
  static JsonLine jsonFrame(SegmentWalker.Frame f) {
    JsonLine line =
        JsonLine.of("frame")
            .add("segment", f.segment())
            .add("offset", f.offset())
            .add("len", f.length())
            .add("record_type", jsonType(f.type()))
            .add("txid", f.txid())
            .add("key_len", f.key().length)
            .add("payload_len", f.payloadLength());
    return f.isGroupMarker() ? line.add("group_members", f.groupMembers().orElseThrow()) : line;
  }
}
