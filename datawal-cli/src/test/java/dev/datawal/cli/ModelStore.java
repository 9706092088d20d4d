package dev.datawal.cli;

import static dev.datawal.cli.TestStores.utf8;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.Entry;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordType;
import dev.datawal.tools.SegmentWalker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A {@link DataWal} store on disk with a model of it: every write made through the engine's API,
 * with the segment and offset it landed at. Damage done to the files by hand then says which writes
 * survive, and the model says what the store must hold after a repair, and which keys the repair
 * must name as lost, set back or come back.
 */
final class ModelStore {
  /** Small segments: a few dozen records each. */
  static final DatawalOptions OPTIONS =
      DatawalOptions.builder()
          .fsyncPolicy(FsyncPolicy.MANUAL)
          .maxSegmentSize(3_000)
          .verifyAfterOpen(false)
          .build();

  /**
   * One record as it lies in the store's files.
   *
   * @param value the value of a Put, {@code null} for a Delete
   */
  record Written(long segment, long offset, long end, long txid, String key, String value) {}

  private final Path dir;
  private final List<Written> written;
  private final Map<String, String> state;

  private ModelStore(Path dir, List<Written> written) {
    this.dir = dir;
    this.written = List.copyOf(written);
    this.state = replay(w -> true);
  }

  /**
   * A store of 1,200 puts and deletes over 120 keys (later writes over 30 of them, so that every
   * segment holds some key's latest value), every value its own, closed cleanly: it has its
   * manifest and its key-directory snapshot.
   */
  static ModelStore build(Path dir) {
    return build(
        dir,
        store -> {
          java.util.SplittableRandom r = new java.util.SplittableRandom(42);
          for (int i = 0; i < 1_200; i++) {
            String key = "key-" + r.nextInt(i < 600 ? 120 : 30);
            if (r.nextInt(8) == 0) {
              store.writeBatch(List.of(Entry.delete(utf8(key))));
            } else {
              store.put(utf8(key), utf8("value-" + i));
            }
          }
        });
  }

  /** A store made by {@code writes} through the engine's API, closed cleanly. */
  static ModelStore build(Path dir, Consumer<DataWal> writes) {
    try (DataWal store = DataWal.open(dir, OPTIONS)) {
      writes.accept(store);
    }
    return read(dir);
  }

  /** The model of the store in {@code dir} as its files are now: every valid frame. */
  static ModelStore read(Path dir) {
    List<Written> written = new ArrayList<>();
    for (long id : segments(dir)) {
      try (SegmentWalker walker = SegmentWalker.open(dir, id, true)) {
        for (SegmentWalker.Item item = walker.next(); item != null; item = walker.next()) {
          SegmentWalker.Frame f = (SegmentWalker.Frame) item; // the store is whole
          written.add(
              new Written(
                  f.segment(),
                  f.offset(),
                  f.end(),
                  f.txid(),
                  new String(f.key(), StandardCharsets.UTF_8),
                  f.type() == RecordType.PUT
                      ? new String(f.payload(), StandardCharsets.UTF_8)
                      : null));
        }
      }
    }
    return new ModelStore(dir, written);
  }

  Path dir() {
    return dir;
  }

  Path segment(long id) {
    return TestStores.segment(dir, id);
  }

  /** What the store holds, key to value. */
  Map<String, String> state() {
    return state;
  }

  /** The ids of the segment files, ascending. */
  static List<Long> segments(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(name -> name.matches("\\d{8}\\.dwal"))
          .map(name -> Long.parseLong(name.substring(0, 8)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<Long> segments() {
    return segments(dir);
  }

  /** The records of segment {@code id}, in order. */
  List<Written> in(long id) {
    return written.stream().filter(w -> w.segment() == id).toList();
  }

  /** The state the records that {@code survives} keeps make, replayed in txid order. */
  Map<String, String> replay(Predicate<Written> survives) {
    Map<String, String> s = new TreeMap<>();
    written.stream()
        .filter(survives)
        .sorted(Comparator.comparingLong(Written::txid))
        .forEach(
            w -> {
              if (w.value() == null) {
                s.remove(w.key());
              } else {
                s.put(w.key(), w.value());
              }
            });
    return s;
  }

  /**
   * A sealed segment, not the first, that holds the latest value of the most keys: damage to it
   * changes keys.
   */
  long busiestSealedSegment() {
    List<Long> ids = segments();
    long active = ids.get(ids.size() - 1);
    Map<Long, Integer> latest = new TreeMap<>();
    Map<String, Written> last = new TreeMap<>();
    written.forEach(w -> last.put(w.key(), w));
    for (Written w : last.values()) {
      if (w.value() != null && w.segment() != ids.get(0) && w.segment() != active) {
        latest.merge(w.segment(), 1, Integer::sum);
      }
    }
    return latest.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  /**
   * The key changes between the state now and {@code after}.
   *
   * @param lost keys live now and not after
   * @param reverted keys live in both, with another value after
   * @param cameBack keys live only after
   */
  record KeyDiff(TreeSet<String> lost, TreeSet<String> reverted, TreeSet<String> cameBack) {
    boolean any() {
      return !lost.isEmpty() || !reverted.isEmpty() || !cameBack.isEmpty();
    }
  }

  KeyDiff diff(Map<String, String> after) {
    KeyDiff d = new KeyDiff(new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
    state.forEach(
        (k, v) -> {
          String now = after.get(k);
          if (now == null) {
            d.lost().add(k);
          } else if (!now.equals(v)) {
            d.reverted().add(k);
          }
        });
    after.keySet().stream().filter(k -> !state.containsKey(k)).forEach(d.cameBack()::add);
    return d;
  }

  /** What a {@link DataWal} opened on the store holds now, key to value. */
  static Map<String, String> open(Path dir) {
    Map<String, String> held = new TreeMap<>();
    try (DataWal store = DataWal.open(dir, OPTIONS)) {
      store.forEach(
          (k, v) ->
              held.put(
                  new String(k, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8)));
    }
    return held;
  }
}
