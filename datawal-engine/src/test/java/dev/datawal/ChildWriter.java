package dev.datawal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A writer run as a child JVM by the cross-process tests ({@link ChildJvm} starts it). It speaks a
 * line protocol on stdout, flushing after each line:
 *
 * <ul>
 *   <li>{@code LOCKED <pid>}: the store is open and locked by this process;
 *   <li>{@code ACK <i>}: record {@code i} (1-based) was appended, and fsynced when {@code
 *       --fsync=true};
 *   <li>{@code DONE}: every record asked for was appended;
 *   <li>{@code STORE_LOCKED <holderPid> <message>} / {@code OPENED}: what {@code --mode=try} found;
 *   <li>{@code CLOSED}: the log was closed (on stdin's end or an {@code exit} line).
 * </ul>
 *
 * <p>Options ({@code --name=value}): {@code dir} (required); {@code mode} = {@code hold} (open,
 * append {@code records}, fsync, then wait for stdin to close), {@code append} (open, then append
 * {@code records} one by one, acknowledging each, then wait), {@code kv} (open a {@link DataWal}
 * and put {@link #kvKey} = {@link #payload} for i = 1..{@code records} over {@code keys} keys,
 * acknowledging each put once it returned, and with {@code compact-every} compacting in place after
 * every that many puts, saying {@code COMPACTED <i>}), {@code churn} (append and fsync record after
 * record, acknowledging each, with a rotation after every {@code rotate-every} records and
 * retention down to {@code retain-bytes} after every rotation: the manifest is rewritten all the
 * time) or {@code try} (try to open once); {@code records}; {@code fsync}; {@code policy} (an
 * {@link FsyncPolicy}, default MANUAL); {@code max-segment-size}; {@code seed}, {@code min-len},
 * {@code max-len} for {@link #payload}.
 */
public final class ChildWriter {
  private ChildWriter() {}

  /**
   * The payload of record {@code i} (1-based) for a seed: {@code rec-<i>-} padded with letters to a
   * length in {@code [minLen, maxLen]} derived from the seed and {@code i}.
   */
  public static byte[] payload(long seed, long i, int minLen, int maxLen) {
    SplittableRandom r = new SplittableRandom(seed ^ (i * 0x9E3779B97F4A7C15L));
    String prefix = "rec-" + i + "-";
    int length = Math.max(prefix.length(), minLen + r.nextInt(maxLen - minLen + 1));
    StringBuilder sb = new StringBuilder(length).append(prefix);
    while (sb.length() < length) {
      sb.append((char) ('a' + r.nextInt(26)));
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** The key that put number {@code i} of {@code --mode=kv} writes. */
  public static byte[] kvKey(long i, int keys) {
    return ("key-" + (i % keys)).getBytes(StandardCharsets.US_ASCII);
  }

  public static void main(String[] args) throws IOException {
    Map<String, String> opts = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("expected --name=value, got " + arg);
      }
      opts.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    Path dir = Path.of(required(opts, "dir"));
    String mode = opts.getOrDefault("mode", "hold");
    long records = Long.parseLong(opts.getOrDefault("records", "0"));
    boolean fsync = Boolean.parseBoolean(opts.getOrDefault("fsync", "false"));
    long seed = Long.parseLong(opts.getOrDefault("seed", "0"));
    int minLen = Integer.parseInt(opts.getOrDefault("min-len", "0"));
    int maxLen = Integer.parseInt(opts.getOrDefault("max-len", "64"));
    // MANUAL by default, so --fsync decides durability as in the reference's crash tests.
    DatawalOptions.Builder options =
        DatawalOptions.builder()
            .fsyncPolicy(FsyncPolicy.valueOf(opts.getOrDefault("policy", "MANUAL")));
    if (opts.containsKey("max-segment-size")) {
      options.maxSegmentSize(Long.parseLong(opts.get("max-segment-size")));
    }
    PrintStream out = System.out;
    long pid = ProcessHandle.current().pid();

    if (mode.equals("try")) {
      try (RecordLog log = RecordLog.open(dir, options.build())) {
        say(out, "OPENED " + log.lastTxid());
      } catch (StoreLockedException e) {
        say(out, "STORE_LOCKED " + e.holderPid() + " " + e.getMessage());
        System.exit(3);
      }
      return;
    }

    if (mode.equals("compact-to") || mode.equals("export")) {
      // Copies the existing store again and again, into target-<n> or export-<n>.jsonl.
      try (DataWal store = DataWal.open(dir, options.build())) {
        say(out, "LOCKED " + pid);
        Path out2 = Path.of(required(opts, "out"));
        for (long n = 1; n <= records; n++) {
          say(out, "START " + n);
          if (mode.equals("export")) {
            store.exportJsonl(out2.resolve("export-" + n + ".jsonl"));
          } else {
            store.compactTo(out2.resolve("target-" + n));
          }
          say(out, "DONE " + n);
        }
        awaitExit();
      }
      return;
    }
    if (mode.equals("kv")) {
      try (DataWal store = DataWal.open(dir, options.build())) {
        say(out, "LOCKED " + pid);
        int keys = Integer.parseInt(opts.getOrDefault("keys", "50"));
        long compactEvery = Long.parseLong(opts.getOrDefault("compact-every", "0"));
        for (long i = 1; i <= records; i++) {
          store.put(kvKey(i, keys), payload(seed, i, minLen, maxLen));
          say(out, "ACK " + i);
          if (compactEvery > 0 && i % compactEvery == 0) {
            store.compact();
            say(out, "COMPACTED " + i);
          }
        }
        say(out, "DONE");
        awaitExit();
      }
      say(out, "CLOSED");
      return;
    }

    if (mode.equals("churn")) {
      long rotateEvery = Long.parseLong(opts.getOrDefault("rotate-every", "3"));
      options.retentionMaxBytes(Long.parseLong(opts.getOrDefault("retain-bytes", "4096")));
      try (RecordLog log = RecordLog.open(dir, options.build())) {
        say(out, "LOCKED " + pid);
        for (long i = log.lastTxid() + 1; i <= records; i++) {
          log.append(payload(seed, i, minLen, maxLen));
          log.fsync();
          say(out, "ACK " + i);
          if (i % rotateEvery == 0) {
            log.rotate();
            log.applyRetention();
          }
        }
        say(out, "DONE");
        awaitExit();
      }
      say(out, "CLOSED");
      return;
    }

    try (RecordLog log = RecordLog.open(dir, options.build())) {
      long first = log.lastTxid() + 1;
      switch (mode) {
        case "hold" -> {
          for (long i = first; i < first + records; i++) {
            log.append(payload(seed, i, minLen, maxLen));
          }
          log.fsync();
          say(out, "LOCKED " + pid);
        }
        case "append" -> {
          say(out, "LOCKED " + pid);
          for (long i = first; i < first + records; i++) {
            log.append(payload(seed, i, minLen, maxLen));
            if (fsync) {
              log.fsync();
            }
            say(out, "ACK " + i);
          }
          say(out, "DONE");
        }
        default -> throw new IllegalArgumentException("unknown mode " + mode);
      }
      awaitExit();
    }
    say(out, "CLOSED");
  }

  /** Waits until stdin ends or says {@code exit}. */
  private static void awaitExit() throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.trim().equals("exit")) {
        return;
      }
    }
  }

  /** One whole line in one write, so a kill never leaves half a line. */
  private static void say(PrintStream out, String line) {
    out.print(line + "\n");
    out.flush();
  }

  private static String required(Map<String, String> opts, String name) {
    String value = opts.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + "= is required");
    }
    return value;
  }
}
