package dev.datawal.crash;

import dev.datawal.Entry;
import dev.datawal.RecordType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a workload asked of the store and what the store acknowledged, kept outside the engine.
 *
 * <p>Every record a workload asks for is <em>issued</em>, in order, before the call that writes it
 * (so a call the power cut interrupts has its records issued). The first {@link #acked()} issued
 * records are <em>acknowledged</em>: a call returned that promised their durability (an append,
 * put, delete or batch under {@code ALWAYS}; an {@code fsync}, {@code rotate} or {@code close}
 * under any policy). The others are <em>in flight</em>: the interrupted call's records, and under
 * {@code MANUAL} every record appended since the last completed fsync. Records get consecutive
 * txids from 1, except that a record group (an atomic write of two or more records) gives its
 * marker the txid before its first record's ({@link #txidOf}); a group is recovered whole or not at
 * all ({@link #groups}).
 */
public final class Oracle {

  /** One call of {@code exportJsonl}: the file (relative path) and what it must then hold. */
  public static final class Export {
    final String path;
    final byte[] content;
    boolean acked;

    Export(String path, byte[] content) {
      this.path = path;
      this.content = content;
    }
  }

  /** One call of {@code compactTo}: the target (relative path) and the records it must hold. */
  public static final class Compaction {
    final String target;
    final List<Entry> expected;
    boolean acked;

    Compaction(String target, List<Entry> expected) {
      this.target = target;
      this.expected = expected;
    }
  }

  /**
   * A torn tail put in place before the workload: its bytes must survive, byte for byte, in an
   * evidence file {@code <segment>.torn-at-<validEnd>[.N]}.
   */
  record Evidence(String segment, long validEnd, byte[] bytes) {}

  /**
   * The issued records {@code [from, to)} written as one record group.
   *
   * @param from the first one's index
   * @param to one past the last one's
   */
  record Group(int from, int to) {}

  private final List<Entry> issued = new ArrayList<>();
  private final List<Long> txids = new ArrayList<>();
  private final List<Group> groups = new ArrayList<>();
  private long nextTxid = 1;
  private int acked;
  private final List<Export> exports = new ArrayList<>();
  private final List<Compaction> compactions = new ArrayList<>();
  private final List<Evidence> evidence = new ArrayList<>();

  /** Notes a record about to be written. */
  void issue(Entry e) {
    issued.add(e);
    txids.add(nextTxid++);
  }

  /**
   * Notes records about to be written as one atomic write: two or more are a record group, whose
   * marker takes a txid before them.
   */
  void issueGroup(List<Entry> entries) {
    if (entries.size() > 1) {
      nextTxid++; // the marker's
      groups.add(new Group(issued.size(), issued.size() + entries.size()));
    }
    entries.forEach(this::issue);
  }

  /** The txid issued record {@code i} must have. */
  long txidOf(int i) {
    return txids.get(i);
  }

  /** The index of the issued record with txid {@code txid}, or -1 if none has it. */
  int indexOfTxid(long txid) {
    int i = java.util.Collections.binarySearch(txids, txid);
    return i < 0 ? -1 : i;
  }

  /** The record groups issued, in order. */
  List<Group> groups() {
    return groups;
  }

  /** Every issued record is acknowledged now. */
  void ackAll() {
    acked = issued.size();
  }

  List<Entry> issued() {
    return issued;
  }

  int acked() {
    return acked;
  }

  Export exportStarted(String path, byte[] content) {
    Export e = new Export(path, content);
    exports.add(e);
    return e;
  }

  List<Export> exports() {
    return exports;
  }

  Compaction compactionStarted(String target, List<Entry> expected) {
    Compaction c = new Compaction(target, expected);
    compactions.add(c);
    return c;
  }

  List<Compaction> compactions() {
    return compactions;
  }

  void expectEvidence(String segment, long validEnd, byte[] bytes) {
    evidence.add(new Evidence(segment, validEnd, bytes.clone()));
  }

  List<Evidence> evidence() {
    return evidence;
  }

  /** The live key/value state after the first {@code n} issued records. */
  TreeMap<byte[], byte[]> stateAfter(int n) {
    return replay(issued.subList(0, n));
  }

  /** Last-write-wins replay of Puts and Deletes (Raw ignored), keys in unsigned byte order. */
  static TreeMap<byte[], byte[]> replay(List<Entry> entries) {
    TreeMap<byte[], byte[]> state = new TreeMap<>(Arrays::compareUnsigned);
    for (Entry e : entries) {
      if (e.type() == RecordType.PUT) {
        state.put(e.key(), e.payload());
      } else if (e.type() == RecordType.DELETE) {
        state.remove(e.key());
      }
    }
    return state;
  }

  /** The JSON-lines export of {@code state}, as docs/reference/format-v1.md defines it. */
  static byte[] exportOf(Map<byte[], byte[]> state) {
    StringBuilder sb = new StringBuilder();
    Base64.Encoder b64 = Base64.getEncoder();
    for (Map.Entry<byte[], byte[]> e : state.entrySet()) {
      sb.append("{\"key_b64\":\"")
          .append(b64.encodeToString(e.getKey()))
          .append("\",\"value_b64\":\"")
          .append(b64.encodeToString(e.getValue()))
          .append("\"}\n");
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** One Put per live key in unsigned key order: what {@code compactTo} must write. */
  static List<Entry> compactionOf(Map<byte[], byte[]> state) {
    List<Entry> out = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> e : state.entrySet()) {
      out.add(Entry.put(e.getKey(), e.getValue()));
    }
    return out;
  }

  /** A readable rendering of a state, e.g. {@code {k1=3 B 616263, k2=0 B}}. */
  static String render(Map<byte[], byte[]> state) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<byte[], byte[]> e : state.entrySet()) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(text(e.getKey())).append('=').append(value(e.getValue()));
    }
    return sb.append('}').toString();
  }

  /** Whether two states hold the same keys with the same values. */
  static boolean sameState(Map<byte[], byte[]> a, Map<byte[], byte[]> b) {
    return render(a).equals(render(b));
  }

  static String text(byte[] key) {
    for (byte c : key) {
      if (c < 0x21 || c > 0x7e) {
        return "0x" + HexFormat.of().formatHex(key);
      }
    }
    return new String(key, StandardCharsets.US_ASCII);
  }

  static String value(byte[] v) {
    String hex = HexFormat.of().formatHex(v, 0, Math.min(v.length, 8));
    return v.length + " B" + (v.length == 0 ? "" : " " + hex + (v.length > 8 ? "…" : ""));
  }

  static String describe(Entry e) {
    return switch (e.type()) {
      case RAW -> "Raw(" + value(e.payload()) + ")";
      case PUT -> "Put(" + text(e.key()) + "=" + value(e.payload()) + ")";
      case DELETE -> "Delete(" + text(e.key()) + ")";
    };
  }

  /** E.g. {@code "12 issued, 9 acknowledged, in flight: #9 Raw(29 B ...), ..."}. */
  String summary() {
    StringBuilder sb = new StringBuilder().append(issued.size()).append(" issued, ").append(acked);
    sb.append(" acknowledged");
    if (acked < issued.size()) {
      sb.append(", in flight:");
      for (int i = acked; i < issued.size(); i++) {
        sb.append(" #").append(i).append(' ').append(describe(issued.get(i)));
      }
    }
    return sb.toString();
  }
}
