package dev.datawal.benchmarks.peers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Disk bytes per live record of each key/value peer, before and after its own compaction (not a JMH
 * benchmark: one measurement, no timing). For each peer: a new store, opened unsynced; {@code puts}
 * Puts of 16-byte keys and 100-byte values (new random bytes for every put, so that no store gains
 * from compressing values that repeat), the first half to distinct keys {@code 0 .. puts/2 - 1} in
 * order and the second half overwriting each of them once in a shuffled order (50% overwrites,
 * {@code puts/2} live keys); {@code sync()} and close; the bytes of every file in the store's
 * directory ("before"); reopen, {@link Peer#compact()}, close; the bytes again ("after"). Every
 * live key is checked after the compaction.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.datawal.benchmarks.peers.DiskUsage \
 *     PUTS OUT.csv [PEER,...]
 * </pre>
 *
 * Writes one CSV row per peer: {@code peer,puts,live,bytesBefore,bytesAfter,compaction}.
 */
public final class DiskUsage {
  static final int VALUE_SIZE = 100;

  private DiskUsage() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: DiskUsage PUTS OUT.csv [PEER,...]");
      System.exit(2);
    }
    int puts = Integer.parseInt(args[0]);
    Path out = Path.of(args[1]);
    List<String> peers = args.length > 2 ? List.of(args[2].split(",")) : Peers.KEY_VALUE;
    List<String> rows = new ArrayList<>();
    rows.add("peer,puts,live,bytesBefore,bytesAfter,compaction");
    for (String peer : peers) {
      rows.add(measure(peer, puts));
      System.out.println(rows.get(rows.size() - 1));
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.write(out, rows, StandardCharsets.UTF_8);
  }

  static String measure(String peer, int puts) throws Exception {
    int live = puts / 2;
    int[] order = new int[live];
    for (int i = 0; i < live; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(PeerFiles.SEED);
    for (int i = live - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    SplittableRandom values = new SplittableRandom(PeerFiles.SEED + 1);
    Path dir = PeerFiles.newDir("peer-disk-" + peer);
    try {
      String compaction;
      try (Peer store = Peers.open(peer, dir, false)) {
        for (int i = 0; i < live; i++) {
          byte[] value = new byte[VALUE_SIZE]; // a new array: MVStore keeps the reference
          values.nextBytes(value);
          value[0] = 0;
          store.put(PeerFiles.key(0, i), value);
        }
        for (int i = 0; i < live; i++) {
          byte[] value = new byte[VALUE_SIZE]; // a new array: MVStore keeps the reference
          values.nextBytes(value);
          value[0] = 1;
          store.put(PeerFiles.key(0, order[i]), value);
        }
        store.sync();
        compaction = store.compaction();
      }
      long before = PeerFiles.bytesUnder(dir);
      try (Peer store = Peers.open(peer, dir, true)) {
        store.compact();
        for (int i = 0; i < live; i++) {
          byte[] v = store.get(PeerFiles.key(0, i));
          if (v == null || v[0] != 1) {
            throw new IllegalStateException(
                peer + ": wrong value for key " + i + " after compaction");
          }
        }
      }
      long after = PeerFiles.bytesUnder(dir);
      return String.format(
          Locale.ROOT, "%s,%d,%d,%d,%d,\"%s\"", peer, puts, live, before, after, compaction);
    } finally {
      PeerFiles.deleteRecursively(dir);
    }
  }
}
