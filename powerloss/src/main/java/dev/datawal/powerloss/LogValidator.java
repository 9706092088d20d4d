package dev.datawal.powerloss;

import dev.datawal.DatawalException;
import dev.datawal.Record;
import dev.datawal.RecordIterator;
import dev.datawal.RecordLog;
import dev.datawal.RecoveryReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Checks a plain log with retention ({@link RetentionWorkload}) after a fault against its {@link
 * LogOracle}.
 *
 * <pre>
 * java dev.datawal.powerloss.LogValidator [--cut-at-byte=N] &lt;store dir&gt; &lt;oracle file&gt;
 * </pre>
 *
 * <p>Invariants: (1) the log opens and recovery finds no mid-stream damage; (2) every record is one
 * the workload issued, byte for byte; (3) the records are consecutive seqs, each once (retention
 * deletes whole segments from the front only, so what is left has no hole); (4) no owed append is
 * missing: the last record is at or past the last owed one; (5) an acknowledged record has the txid
 * its append returned. Exit codes as {@link Validator}'s: 0 holds, 1 violated, 2 setup error.
 */
public final class LogValidator {
  private LogValidator() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /** Runs the validator, printing to {@code out}; returns the exit code. */
  public static int run(String[] args, PrintStream out) {
    long owedBytes = Long.MAX_VALUE;
    int first = 0;
    if (args.length == 3 && args[0].startsWith("--cut-at-byte=")) {
      try {
        owedBytes = Long.parseLong(args[0].substring("--cut-at-byte=".length()));
      } catch (NumberFormatException e) {
        out.println("SETUP ERROR --cut-at-byte= needs a byte count, got: " + args[0]);
        return 2;
      }
      first = 1;
    } else if (args.length != 2) {
      out.println("usage: LogValidator [--cut-at-byte=N] <store dir> <oracle file>");
      return 2;
    }
    Path store = Path.of(args[first]);
    if (!Files.isDirectory(store)) {
      out.println("SETUP ERROR store directory " + store + " does not exist");
      return 2;
    }
    LogOracle oracle;
    try {
      oracle = LogOracle.read(Path.of(args[first + 1]), owedBytes);
    } catch (IOException | Oracle.Malformed e) {
      out.println("SETUP ERROR cannot use the oracle: " + e.getMessage());
      return 2;
    }
    out.printf(
        "oracle: seed=%d payload_len=%d issued=%d acknowledged=%d owed=%d%n",
        oracle.seed, oracle.payloadLength, oracle.issued, oracle.txids.size(), oracle.owed);
    try (RecordLog log = RecordLog.open(store)) {
      RecoveryReport report = log.recoveryReport();
      out.println("recovery: " + report.summary());
      if (report.midStreamErrors() != 0 || report.unsupportedVersions() != 0) {
        return fail(out, "invariant 1: mid-stream damage: " + report.summary());
      }
      long firstSeq = -1;
      long lastSeq = -1;
      long records = 0;
      try (RecordIterator it = log.scanIter()) {
        while (it.hasNext()) {
          Record r = it.next();
          byte[] payload = r.payload();
          if (payload.length != oracle.payloadLength) {
            return fail(out, "invariant 2: txid " + r.txid() + " has " + payload.length + " bytes");
          }
          long seq = ByteBuffer.wrap(payload).getLong();
          if (seq < 0 || seq >= oracle.issued || !Arrays.equals(payload, oracle.payload(seq))) {
            return fail(
                out, "invariant 2: txid " + r.txid() + " holds no issued append (seq " + seq + ")");
          }
          if (lastSeq >= 0 && seq != lastSeq + 1) {
            return fail(
                out,
                "invariant 3: seq " + seq + " follows seq " + lastSeq + " (txid " + r.txid() + ")");
          }
          if (seq < oracle.txids.size() && oracle.txids.get((int) seq) != r.txid()) {
            return fail(
                out,
                "invariant 5: seq "
                    + seq
                    + " has txid "
                    + r.txid()
                    + ", its append returned "
                    + oracle.txids.get((int) seq));
          }
          firstSeq = firstSeq < 0 ? seq : firstSeq;
          lastSeq = seq;
          records++;
        }
      }
      if (oracle.owed > 0 && lastSeq < oracle.owed - 1) {
        return fail(
            out,
            "invariant 4: owed appends up to seq "
                + (oracle.owed - 1)
                + ", the log ends "
                + (lastSeq < 0 ? "empty" : "at seq " + lastSeq));
      }
      out.printf(
          "OK records=%d first_seq=%d last_seq=%d owed=%d in_flight_landed=%d deleted_by_retention=%d%n",
          records,
          firstSeq,
          lastSeq,
          oracle.owed,
          Math.max(0, lastSeq + 1 - oracle.owed),
          Math.max(0, firstSeq));
      return 0;
    } catch (DatawalException e) {
      return fail(out, "invariant 1: the log does not open: " + e);
    }
  }

  private static int fail(PrintStream out, String message) {
    out.println("FAIL " + message);
    return 1;
  }
}
