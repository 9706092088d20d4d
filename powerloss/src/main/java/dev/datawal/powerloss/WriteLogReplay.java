package dev.datawal.powerloss;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Replays a {@code dm-log-writes} log ({@link WriteLog}) onto a copy of the data device, so a check
 * can see the device as a power cut would have left it after any logged flush or FUA.
 *
 * <pre>
 * java dev.datawal.powerloss.WriteLogReplay list &lt;log&gt;
 * java dev.datawal.powerloss.WriteLogReplay points &lt;log&gt; [&lt;sample&gt; &lt;seed&gt;]
 * java dev.datawal.powerloss.WriteLogReplay apply &lt;log&gt; &lt;target&gt; &lt;from&gt; &lt;through&gt;
 * </pre>
 *
 * <p>{@code list} prints every entry; {@code points} the entries after which a state is worth
 * checking: every flush and FUA, or, with a sample size, that many of them drawn with the seed plus
 * the last one, and always every mark; {@code apply} does entries {@code from..through} to the
 * target (which must hold the device as it was after entry {@code from - 1}, or as it was when
 * logging began if {@code from} is 0) and forces it.
 *
 * <p>Exit codes: 0 done; 2 bad arguments or an unreadable or malformed log, with the reason.
 */
public final class WriteLogReplay {
  private static final String USAGE =
      "usage: WriteLogReplay list <log> | points <log> [<sample> <seed>]"
          + " | apply <log> <target> <from> <through>";

  private WriteLogReplay() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      if (args.length == 2 && args[0].equals("list")) {
        list(Path.of(args[1]), out);
      } else if ((args.length == 2 || args.length == 4) && args[0].equals("points")) {
        int sample = args.length == 4 ? Integer.parseInt(args[2]) : 0;
        long seed = args.length == 4 ? Long.parseLong(args[3]) : 0;
        try (WriteLog log = WriteLog.open(Path.of(args[1]))) {
          for (WriteLog.Entry e : points(log.entries(), sample, seed)) {
            out.println(e.index());
          }
        }
      } else if (args.length == 5 && args[0].equals("apply")) {
        apply(Path.of(args[1]), Path.of(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]));
      } else {
        err.println(USAGE);
        return 2;
      }
      return 0;
    } catch (NumberFormatException e) {
      err.println("not a number: " + e.getMessage() + "\n" + USAGE);
      return 2;
    } catch (IOException | IllegalArgumentException e) {
      err.println("WriteLogReplay: " + e.getMessage());
      return 2;
    }
  }

  private static void list(Path path, PrintStream out) throws IOException {
    try (WriteLog log = WriteLog.open(path)) {
      out.println(
          path + ": " + log.entryCount() + " entries, sector size " + log.sectorSize() + " B");
      for (WriteLog.Entry e : log.entries()) {
        out.println(e);
      }
    }
  }

  /**
   * The entries after which to check the device: every durability point, or {@code sample} of them
   * drawn with {@code seed} and the last one if there are more; every mark in either case.
   */
  static List<WriteLog.Entry> points(List<WriteLog.Entry> entries, int sample, long seed) {
    List<WriteLog.Entry> durable = new ArrayList<>();
    TreeSet<Long> chosen = new TreeSet<>();
    for (WriteLog.Entry e : entries) {
      if (e.durabilityPoint()) {
        durable.add(e);
      }
      if (e.is(WriteLog.MARK)) {
        chosen.add(e.index());
      }
    }
    if (sample <= 0 || durable.size() <= sample) {
      durable.forEach(e -> chosen.add(e.index()));
    } else {
      SplittableRandom random = new SplittableRandom(seed);
      chosen.add(durable.get(durable.size() - 1).index());
      TreeSet<Integer> drawn = new TreeSet<>();
      while (drawn.size() < sample) {
        drawn.add(random.nextInt(durable.size()));
      }
      drawn.forEach(i -> chosen.add(durable.get(i).index()));
    }
    List<WriteLog.Entry> points = new ArrayList<>();
    for (long index : chosen) {
      points.add(entries.get((int) index));
    }
    return points;
  }

  /** Does entries {@code from..through} of the log at {@code path} to {@code target}, durably. */
  static void apply(Path path, Path target, long from, long through) throws IOException {
    try (WriteLog log = WriteLog.open(path);
        FileChannel device = FileChannel.open(target, StandardOpenOption.WRITE)) {
      List<WriteLog.Entry> entries = log.entries();
      if (from < 0 || from > through || through >= entries.size()) {
        throw new IllegalArgumentException(
            "entries "
                + from
                + ".."
                + through
                + " are not within the log's 0.."
                + (entries.size() - 1));
      }
      for (long i = from; i <= through; i++) {
        log.apply(entries.get((int) i), device);
      }
      device.force(true);
    }
  }
}
