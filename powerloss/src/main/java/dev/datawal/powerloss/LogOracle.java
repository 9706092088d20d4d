package dev.datawal.powerloss;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The oracle of {@link RetentionWorkload}, a plain log with one writer. Format (version 1):
 *
 * <pre>
 * # datawal-log-oracle v1 seed=42 payload_len=200
 * I &lt;seq&gt;            append seq is about to be sent (issued)
 * A &lt;seq&gt; &lt;txid&gt;     append seq returned durable with this txid (acknowledged)
 * </pre>
 *
 * Seqs start at 0 and go up by one; record seq's payload is {@link #payload}. Acknowledgements in
 * lines that end after {@code owedBytes} are not owed (in flight), as in {@link Oracle}.
 */
final class LogOracle {
  static final String MAGIC = "# datawal-log-oracle v1 ";
  private static final Pattern HEADER =
      Pattern.compile("# datawal-log-oracle v1 seed=(-?\\d+) payload_len=(\\d+)");

  final long seed;
  final int payloadLength;

  /** Acknowledged seqs, owed: 0 to {@code owed - 1}. */
  long owed;

  /** Issued seqs, owed or not: 0 to {@code issued - 1}. */
  long issued;

  /** The txid each acknowledged seq (owed or not) was given, by seq. */
  final List<Long> txids = new ArrayList<>();

  private LogOracle(long seed, int payloadLength) {
    this.seed = seed;
    this.payloadLength = payloadLength;
  }

  static String header(long seed, int payloadLength) {
    return MAGIC.strip() + " seed=" + seed + " payload_len=" + payloadLength;
  }

  /** Record seq's payload: seq (8 bytes, big-endian), then bytes drawn from the seed and seq. */
  static byte[] payload(long seed, long seq, int length) {
    byte[] fill = ReferenceWorkload.fill(seed ^ (seq * 0x9E3779B97F4A7C15L), length - Long.BYTES);
    return ByteBuffer.allocate(length).putLong(seq).put(fill).array();
  }

  byte[] payload(long seq) {
    return payload(seed, seq, payloadLength);
  }

  /** Whether {@code file} starts like a log oracle. */
  static boolean is(Path file) throws IOException {
    try (var in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      String first = in.readLine();
      return first != null && first.startsWith(MAGIC);
    }
  }

  static LogOracle read(Path file, long owedBytes) throws IOException, Oracle.Malformed {
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    Matcher header = lines.isEmpty() ? null : HEADER.matcher(lines.get(0));
    if (header == null || !header.matches()) {
      throw new Oracle.Malformed(file + " line 1: not a log oracle header");
    }
    LogOracle oracle =
        new LogOracle(Long.parseLong(header.group(1)), Integer.parseInt(header.group(2)));
    long end = lines.get(0).length() + 1;
    for (int n = 1; n < lines.size(); n++) {
      String line = lines.get(n);
      end += line.length() + 1;
      String[] f = line.split(" ");
      String where = file + " line " + (n + 1) + ": ";
      long seq;
      try {
        seq = Long.parseLong(f[1]);
      } catch (RuntimeException e) {
        throw new Oracle.Malformed(where + "unreadable: " + line);
      }
      if (f[0].equals("I") && f.length == 2 && seq == oracle.issued) {
        oracle.issued++;
      } else if (f[0].equals("A")
          && f.length == 3
          && seq == oracle.issued - 1
          && oracle.txids.size() == seq) {
        try {
          oracle.txids.add(Long.parseLong(f[2]));
        } catch (NumberFormatException e) {
          throw new Oracle.Malformed(where + "unreadable txid: " + line);
        }
        if (end <= owedBytes) {
          oracle.owed = seq + 1;
        }
      } else {
        throw new Oracle.Malformed(where + "out of order or unknown: " + line);
      }
    }
    return oracle;
  }
}
