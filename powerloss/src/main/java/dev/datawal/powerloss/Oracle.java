package dev.datawal.powerloss;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A workload oracle file as the sample app writes it (format v1, see the sample app's {@code
 * OracleFile}): the header, then "I seq" when an op is issued and "P seq key value" / "D seq key"
 * once it is durable. Parsing checks every acknowledged line against {@link ReferenceWorkload} and
 * the stream structure (thread t of N acknowledges t, t + N, ... without gaps, with at most its
 * next op in flight); anything else is a {@link Malformed} oracle, a setup error. A last line
 * without its newline (torn by the fault) is left out and counted.
 *
 * <p>A cut that is not instantaneous (a file-system shutdown takes milliseconds, and an fsync that
 * overlaps it can report success for data it then discards: see {@code
 * powerloss/shutdown-race/README.md}) owes only the acknowledgements made before it began. Read
 * with the oracle's length at that moment, the acknowledgement lines that end beyond it count as
 * acknowledged during the cut: like issued ops, they may or may not have landed.
 */
final class Oracle {
  private static final String MAGIC = "# datawal-workload-oracle v1 ";

  /** The oracle cannot be trusted or read: the validator's setup error. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }

  final long seed;
  final int keyLength;
  final int valueLength;
  final int concurrency;
  final ReferenceWorkload workload;

  /** Acknowledged seqs by key hex, ascending. */
  final Map<String, List<Long>> acknowledgedByKey = new HashMap<>();

  /**
   * Not owed: issued but not acknowledged (at most one per thread, each thread's next op), or
   * acknowledged during the cut.
   */
  final TreeSet<Long> inFlight = new TreeSet<>();

  /** In-flight ops by key hex, ascending. */
  final Map<String, List<Long>> inFlightByKey = new HashMap<>();

  /**
   * Whether the store's keys are the ASCII hex text of the reference keys ({@code
   * key_encoding=hex}: a client that sends keys in URLs), not the keys' bytes.
   */
  boolean hexTextKeys;

  /** Acknowledgements owed: made before the cut began. */
  long acknowledged;

  /** Acknowledgements made while the cut was under way: not owed, counted in {@link #inFlight}. */
  long acknowledgedDuringCut;

  boolean ended;
  boolean tornLastLine;

  private Oracle(long seed, int keyLength, int valueLength, int concurrency) {
    this.seed = seed;
    this.keyLength = keyLength;
    this.valueLength = valueLength;
    this.concurrency = concurrency;
    this.workload = new ReferenceWorkload(seed, keyLength, valueLength);
  }

  /**
   * Reads an oracle whose every acknowledgement is owed (an instantaneous cut, such as SIGKILL).
   */
  static Oracle read(Path file) throws IOException, Malformed {
    return read(file, Long.MAX_VALUE);
  }

  /**
   * Reads an oracle of which only the acknowledgement lines ending within its first {@code
   * owedBytes} bytes (its length when the cut began) are owed.
   */
  static Oracle read(Path file, long owedBytes) throws IOException, Malformed {
    String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    boolean torn = !lines.get(lines.size() - 1).isEmpty();
    lines.remove(lines.size() - 1); // the text after the last newline: empty, or a torn line
    if (lines.isEmpty() || !lines.get(0).startsWith(MAGIC)) {
      throw new Malformed(file + ": not a datawal workload oracle (no '" + MAGIC.trim() + "')");
    }
    Map<String, String> header = new HashMap<>();
    for (String field : lines.get(0).substring(MAGIC.length()).split(" ")) {
      int eq = field.indexOf('=');
      if (eq > 0) {
        header.put(field.substring(0, eq), field.substring(eq + 1));
      }
    }
    Oracle oracle;
    try {
      oracle =
          new Oracle(
              Long.parseLong(header.get("seed")),
              Integer.parseInt(header.get("key_len")),
              Integer.parseInt(header.get("value_len")),
              Integer.parseInt(header.get("concurrency")));
    } catch (NumberFormatException | NullPointerException e) {
      throw new Malformed(file + ": bad header: " + lines.get(0));
    }
    if (oracle.concurrency < 1 || oracle.concurrency > ReferenceWorkload.KEY_IDS) {
      throw new Malformed(file + ": bad concurrency " + oracle.concurrency);
    }
    String encoding = header.getOrDefault("key_encoding", "raw");
    if (!encoding.equals("raw") && !encoding.equals("hex")) {
      throw new Malformed(file + ": unknown key_encoding " + encoding);
    }
    oracle.hexTextKeys = encoding.equals("hex");
    oracle.tornLastLine = torn;
    oracle.parse(file, lines, owedBytes);
    return oracle;
  }

  /**
   * The name under which the oracle knows a store key: the hex of its bytes, or for {@link
   * #hexTextKeys} the key's own text when it is the hex of a reference-length key (anything else
   * gets a name no oracle key has, so it counts as invented).
   */
  String keyName(byte[] storeKey) {
    if (!hexTextKeys) {
      return HexFormat.of().formatHex(storeKey);
    }
    String text = new String(storeKey, StandardCharsets.US_ASCII);
    return text.matches("[0-9a-f]{" + 2 * keyLength + "}")
        ? text
        : "not-hex:" + HexFormat.of().formatHex(storeKey);
  }

  private void parse(Path file, List<String> lines, long owedBytes) throws Malformed {
    HexFormat hex = HexFormat.of();
    // Per thread: the next seq it must acknowledge, and its issued-but-unacknowledged op.
    long[] next = new long[concurrency];
    for (int t = 0; t < concurrency; t++) {
      next[t] = t;
    }
    Map<Integer, Long> issued = new TreeMap<>();
    long end = lines.get(0).length() + 1; // where the current line ends, its newline included
    for (int n = 1; n < lines.size(); n++) {
      String line = lines.get(n);
      end += line.length() + 1;
      String where = file + " line " + (n + 1) + ": ";
      if (line.startsWith("# end ")) {
        ended = true;
        continue;
      }
      String[] f = line.split(" ");
      long seq;
      try {
        seq = Long.parseLong(f[1]);
      } catch (RuntimeException e) {
        throw new Malformed(where + "unreadable: " + line);
      }
      if (seq < 0) {
        throw new Malformed(where + "negative seq: " + line);
      }
      int thread = (int) (seq % concurrency);
      switch (f[0]) {
        case "I" -> {
          if (f.length != 2 || seq != next[thread] || issued.containsKey(thread)) {
            throw new Malformed(
                where
                    + "issues "
                    + seq
                    + " but thread "
                    + thread
                    + "'s next op is "
                    + next[thread]);
          }
          issued.put(thread, seq);
        }
        case "P", "D" -> {
          boolean delete = f[0].equals("D");
          if (seq != next[thread] || f.length != (delete ? 3 : 4)) {
            throw new Malformed(
                where
                    + "acknowledges "
                    + line
                    + " but thread "
                    + thread
                    + "'s next op is "
                    + next[thread]);
          }
          if (delete != ReferenceWorkload.isDelete(seq)
              || !f[2].equals(hex.formatHex(workload.key(seq)))
              || (!delete && !f[3].equals(hex.formatHex(workload.value(seq))))) {
            throw new Malformed(where + "op " + seq + " differs from the reference generator");
          }
          issued.remove(thread);
          next[thread] += concurrency;
          if (end <= owedBytes) {
            acknowledgedByKey.computeIfAbsent(f[2], k -> new ArrayList<>()).add(seq);
            acknowledged++;
          } else {
            notOwed(seq);
            acknowledgedDuringCut++;
          }
        }
        default -> throw new Malformed(where + "unknown line: " + line);
      }
    }
    for (long seq : issued.values()) {
      notOwed(seq);
    }
  }

  private void notOwed(long seq) {
    inFlight.add(seq);
    List<Long> ops =
        inFlightByKey.computeIfAbsent(
            HexFormat.of().formatHex(workload.key(seq)), k -> new ArrayList<>());
    ops.add(seq);
    ops.sort(null);
  }
}
