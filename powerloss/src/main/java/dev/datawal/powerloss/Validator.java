package dev.datawal.powerloss;

import dev.datawal.CorruptStoreException;
import dev.datawal.DataWal;
import dev.datawal.DatawalException;
import dev.datawal.Record;
import dev.datawal.RecordIterator;
import dev.datawal.RecordLogReader;
import dev.datawal.RecordType;
import dev.datawal.RecoveryReport;
import dev.datawal.StoreLockedException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks a store after a fault against the workload's oracle.
 *
 * <pre>
 * java dev.datawal.powerloss.Validator [--allow-dropped] [--cut-at-byte=N] &lt;store dir&gt; &lt;oracle file&gt;
 * </pre>
 *
 * <p>{@code --cut-at-byte=N}: the oracle was N bytes long when the cut began, and the cut was not
 * instantaneous (a file-system shutdown): acknowledgements written after that are not owed and
 * count as in flight (see {@link Oracle}).
 *
 * <p>Exit codes: 0 every invariant holds; 1 an invariant is violated; 2 setup error (bad arguments,
 * no store directory, an unreadable or malformed oracle, the store locked by another process).
 *
 * <p>Invariants, the reference's first: (1) the store opens; (2) no mid-stream damage; (3) every
 * key the oracle says is live is absent or holds exactly the oracle's value; (4) no value differs
 * from the oracle's; (5) no key exists that the oracle never wrote. Then datawal's stricter ones,
 * since every acknowledgement follows a successful fsync: (6) no acknowledged write is missing, so
 * a live key is never absent or stale and a deleted key never comes back ({@code dropped} must be
 * 0; the reference's leniency is {@code --allow-dropped}); (7) the only states beyond the
 * acknowledged ones are those of ops issued and not acknowledged (in flight). The store is also
 * replayed independently from a read-only scan and must agree with the engine's key/value view.
 *
 * <p>Evidence is kept: nothing is deleted; opening the store runs the engine's recovery, which
 * moves a torn tail into an evidence file rather than dropping it.
 */
public final class Validator {
  private static final HexFormat HEX = HexFormat.of();
  private static final String CUT_AT_BYTE = "--cut-at-byte=";
  private static final String USAGE =
      "usage: Validator [--allow-dropped] [--cut-at-byte=N] <store dir> <oracle file>";

  private Validator() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /** Runs the validator, printing to {@code out}; returns the exit code. */
  public static int run(String[] args, PrintStream out) {
    boolean allowDropped = false;
    long owedBytes = Long.MAX_VALUE;
    List<String> paths = new ArrayList<>();
    for (String arg : args) {
      if (arg.equals("--allow-dropped")) {
        allowDropped = true;
      } else if (arg.startsWith(CUT_AT_BYTE)) {
        try {
          owedBytes = Long.parseLong(arg.substring(CUT_AT_BYTE.length()));
        } catch (NumberFormatException e) {
          owedBytes = -1;
        }
        if (owedBytes < 0) {
          out.println("SETUP ERROR " + CUT_AT_BYTE + " needs a byte count >= 0, got: " + arg);
          return 2;
        }
      } else if (arg.startsWith("--")) {
        out.println("SETUP ERROR unknown option " + arg);
        out.println(USAGE);
        return 2;
      } else {
        paths.add(arg);
      }
    }
    if (paths.size() != 2) {
      out.println(USAGE);
      return 2;
    }
    Path store = Path.of(paths.get(0));
    Path oracleFile = Path.of(paths.get(1));
    if (!Files.isDirectory(store)) {
      out.println("SETUP ERROR store directory " + store + " does not exist");
      return 2;
    }
    Oracle oracle;
    try {
      oracle = Oracle.read(oracleFile, owedBytes);
    } catch (IOException e) {
      out.println("SETUP ERROR cannot read oracle " + oracleFile + ": " + e);
      return 2;
    } catch (Oracle.Malformed e) {
      out.println("SETUP ERROR malformed oracle: " + e.getMessage());
      return 2;
    }
    out.printf(
        "oracle: seed=%d key_len=%d value_len=%d concurrency=%d acknowledged=%d in_flight=%d"
            + " acknowledged_during_cut=%d ended=%s torn_last_line=%s%n",
        oracle.seed,
        oracle.keyLength,
        oracle.valueLength,
        oracle.concurrency,
        oracle.acknowledged,
        oracle.inFlight.size(),
        oracle.acknowledgedDuringCut,
        oracle.ended,
        oracle.tornLastLine);

    // As found: a read-only scan changes nothing, so this is the damage the fault left.
    Map<String, byte[]> replayed = new HashMap<>();
    try {
      RecordLogReader reader = RecordLogReader.open(store);
      try (RecordIterator it = reader.scanIter()) {
        while (it.hasNext()) {
          Record r = it.next();
          if (r.type() == RecordType.PUT) {
            replayed.put(oracle.keyName(r.key()), r.payload());
          } else if (r.type() == RecordType.DELETE) {
            replayed.remove(oracle.keyName(r.key()));
          }
        }
      }
      RecoveryReport found = reader.report();
      out.println("as found: " + found.summary());
      if (found.midStreamErrors() != 0 || found.unsupportedVersions() != 0) {
        return fail(out, "invariant 2: mid-stream damage: " + found.summary());
      }
    } catch (CorruptStoreException e) {
      return fail(out, "invariant 2: the store has damage recovery must not discard: " + e);
    } catch (DatawalException e) {
      return fail(out, "the store cannot be scanned: " + e);
    }

    // The engine's recovery and key/value view (invariant 1).
    Map<String, byte[]> observed = new HashMap<>();
    try (DataWal kv = DataWal.open(store)) {
      out.println("recovery: " + kv.recoveryReport().summary());
      kv.forEach((k, v) -> observed.put(oracle.keyName(k), v));
    } catch (StoreLockedException e) {
      out.println("SETUP ERROR " + e.getMessage());
      return 2;
    } catch (DatawalException e) {
      return fail(out, "invariant 1: the store does not open: " + e);
    }
    if (!sameState(replayed, observed)) {
      return fail(
          out,
          "the engine's key/value view ("
              + observed.size()
              + " keys) differs from a replay of the log ("
              + replayed.size()
              + " keys)");
    }
    return check(oracle, observed, allowDropped, out);
  }

  private static boolean sameState(Map<String, byte[]> a, Map<String, byte[]> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    return a.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), b.get(e.getKey())));
  }

  private static int check(
      Oracle oracle, Map<String, byte[]> observed, boolean allowDropped, PrintStream out) {
    ReferenceWorkload w = oracle.workload;
    int oracleLive = 0;
    int oracleDead = 0;
    int survived = 0;
    int dropped = 0;
    int landed = 0;
    int extras = 0;
    int unexpected = 0;
    List<String> violations = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>(observed.keySet());
    keys.addAll(oracle.acknowledgedByKey.keySet());
    keys.addAll(oracle.inFlightByKey.keySet());
    for (String key : keys) {
      byte[] seen = observed.get(key);
      List<Long> acked = oracle.acknowledgedByKey.getOrDefault(key, List.of());
      Long last = acked.isEmpty() ? null : acked.get(acked.size() - 1);
      byte[] expected = last == null ? null : w.value(last); // null: deleted or never written
      boolean live = expected != null;
      if (live) {
        oracleLive++;
      } else if (last != null) {
        oracleDead++;
      }
      if (Arrays.equals(seen, expected)) {
        survived += live ? 1 : 0;
        continue;
      }
      List<Long> flyingOps = oracle.inFlightByKey.getOrDefault(key, List.of());
      // One thread writes each key in seq order, so the key holds the result of the last op that
      // landed: its owed state, or the value (or absence, for a delete) of one op not owed.
      if (flyingOps.stream().anyMatch(s -> Arrays.equals(seen, w.value(s)))) {
        landed++;
        continue;
      }
      Long flying = flyingOps.isEmpty() ? null : flyingOps.get(flyingOps.size() - 1);
      String observedText = seen == null ? "absent" : "value " + abbreviate(seen);
      if (last == null && flying == null) {
        extras++;
        violations.add("invariant 5: key " + key + " was never written, but holds " + observedText);
      } else if (seen == null || acked.stream().anyMatch(s -> Arrays.equals(seen, w.value(s)))) {
        // Absent, or an older acknowledged value: an acknowledged write is missing.
        dropped++;
        if (allowDropped && seen != null && live) {
          violations.add(
              "invariant 3: live key " + key + " holds an older value, not that of op " + last);
        } else if (!allowDropped) {
          violations.add(
              "invariant 6: acknowledged op "
                  + last
                  + " on key "
                  + key
                  + " is missing: expected "
                  + (live ? "value of op " + last : "absent (deleted)")
                  + ", found "
                  + observedText
                  + (flying == null ? "" : " (op " + flying + " in flight)"));
        }
      } else {
        unexpected++;
        violations.add(
            "invariants 4 and 7: key "
                + key
                + " holds "
                + observedText
                + ", which is neither its acknowledged state"
                + (flying == null ? "" : " nor that of in-flight op " + flying)
                + (last == null ? "" : " (last acknowledged op " + last + ")"));
      }
    }
    String counts =
        String.format(
            "observed_live=%d oracle_live=%d survived=%d dropped=%d oracle_dead=%d in_flight=%d",
            observed.size(), oracleLive, survived, dropped, oracleDead, oracle.inFlight.size());
    out.printf(
        "detail: acknowledged=%d in_flight_landed=%d unexpected=%d extras=%d%n",
        oracle.acknowledged, landed, unexpected, extras);
    if (!violations.isEmpty()) {
      violations.stream().limit(10).forEach(v -> out.println("violation: " + v));
      out.println(
          "FAIL "
              + violations.size()
              + " violations: "
              + counts
              + " (extras="
              + extras
              + ") first: "
              + violations.get(0));
      return 1;
    }
    out.println("OK " + counts + " (extras=0)");
    return 0;
  }

  private static String abbreviate(byte[] value) {
    String hex = HEX.formatHex(value, 0, Math.min(value.length, 8));
    return hex + (value.length > 8 ? "... (" + value.length + " bytes)" : "");
  }

  private static int fail(PrintStream out, String message) {
    out.println("FAIL " + message);
    return 1;
  }
}
