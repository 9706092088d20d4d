package dev.datawal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.testing.TestSeed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference's Properties group: random sequences of put, delete, fsync, reopen and rotate,
 * checked against a model ({@link TreeMap} in unsigned key order).
 *
 * <p>Each property runs {@value #SEQUENCES} sequences of {@value #OPS} operations over a small key
 * universe (so keys are overwritten and deleted often), each with its own policy and segment size;
 * a small segment size makes the writer rotate by itself.
 *
 * <p>Seeds: a base seed from {@code -Ddatawal.test.seed=<n>}, else a random one ({@link TestSeed}),
 * printed once; each sequence derives its own ({@link TestSeed#derive}). A failure names both;
 * {@code -Ddatawal.test.sequence=<sequence seed>} replays that one sequence alone.
 */
class PropertyTests {
  private static final long BASE_SEED = TestSeed.of(PropertyTests.class, "datawal.test.seed");
  private static final String ONLY_SEQUENCE = System.getProperty("datawal.test.sequence");
  private static final int SEQUENCES = 100;
  private static final int OPS = 200;

  /** Twelve keys: the empty key, bytes on both sides of 0x80, and keys that prefix others. */
  private static final byte[][] KEYS = {
    {},
    {0x00},
    {0x01},
    {0x7F},
    {(byte) 0x80},
    {(byte) 0xFF},
    {0x00, 0x00},
    {0x01, (byte) 0xFF},
    {(byte) 0x80, 0x00},
    {(byte) 0xFF, (byte) 0xFF},
    "key".getBytes(StandardCharsets.US_ASCII),
    "key-longer".getBytes(StandardCharsets.US_ASCII)
  };

  @TempDir Path tmp;

  // The operations.

  private sealed interface Op permits Put, Delete, Fsync, Reopen, Rotate {}

  private record Put(byte[] key, byte[] value) implements Op {
    @Override
    public String toString() {
      return "put(" + hex(key) + ", " + hex(value) + ")";
    }
  }

  private record Delete(byte[] key) implements Op {
    @Override
    public String toString() {
      return "delete(" + hex(key) + ")";
    }
  }

  private record Fsync() implements Op {}

  private record Reopen() implements Op {}

  private record Rotate() implements Op {}

  /** One random sequence and the options it runs with. */
  private record Sequence(long seed, DatawalOptions options, List<Op> ops) {
    static Sequence random(long seed, int length) {
      SplittableRandom r = new SplittableRandom(seed);
      DatawalOptions.Builder options =
          DatawalOptions.builder()
              .fsyncPolicy(r.nextInt(20) == 0 ? FsyncPolicy.ALWAYS : FsyncPolicy.MANUAL)
              .maxReadHandles(1 + r.nextInt(4));
      if (r.nextInt(3) == 0) {
        options.maxSegmentSize(256 + r.nextInt(2048)); // rotates by itself every few dozen records
      }
      List<Op> ops = new ArrayList<>(length);
      for (int i = 0; i < length; i++) {
        ops.add(randomOp(r));
      }
      return new Sequence(seed, options.build(), ops);
    }

    Sequence withoutRotations() {
      return new Sequence(
          seed,
          options.toBuilder().maxSegmentSize(DatawalOptions.DEFAULT_MAX_SEGMENT_SIZE).build(),
          ops.stream().filter(op -> !(op instanceof Rotate)).toList());
    }

    @Override
    public String toString() {
      return "sequence seed " + seed + ", " + options + ", " + ops.size() + " ops " + ops;
    }
  }

  private static Op randomOp(SplittableRandom r) {
    int p = r.nextInt(100);
    if (p < 62) {
      return new Put(
          randomKey(r), randomBytes(r, r.nextInt(4) == 0 ? r.nextInt(200) : r.nextInt(16)));
    } else if (p < 92) {
      return new Delete(randomKey(r));
    } else if (p < 96) {
      return new Fsync();
    } else if (p < 98) {
      return new Reopen();
    } else {
      return new Rotate();
    }
  }

  private static byte[] randomKey(SplittableRandom r) {
    return KEYS[r.nextInt(KEYS.length)].clone();
  }

  private static byte[] randomBytes(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  // The model and the store under test.

  private static TreeMap<byte[], byte[]> newModel() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  /** A DataWal driven by operations, with the model it must agree with. */
  private static final class Run implements AutoCloseable {
    final Path dir;
    final DatawalOptions options;
    final TreeMap<byte[], byte[]> model = newModel();
    DataWal kv;

    Run(Path dir, DatawalOptions options) {
      this.dir = dir;
      this.options = options;
      this.kv = DataWal.open(dir, options);
    }

    void apply(Op op) {
      if (op instanceof Put p) {
        kv.put(p.key(), p.value());
        model.put(p.key(), p.value());
      } else if (op instanceof Delete d) {
        assertThat(kv.delete(d.key()))
            .as("delete reports whether the key was live")
            .isEqualTo(model.remove(d.key()) != null);
      } else if (op instanceof Fsync) {
        kv.fsync();
      } else if (op instanceof Reopen) {
        reopen();
        assertState(kv, model);
      } else {
        kv.log().rotate();
      }
    }

    void applyAll(List<Op> ops) {
      for (int i = 0; i < ops.size(); i++) {
        try {
          apply(ops.get(i));
        } catch (RuntimeException | AssertionError e) {
          throw new AssertionError("at op " + i + " " + ops.get(i) + ": " + e, e);
        }
      }
    }

    void reopen() {
      kv.close();
      kv = DataWal.open(dir, options);
      assertThat(kv.recoveryReport().damageFound()).as("damage after a clean close").isFalse();
    }

    @Override
    public void close() {
      kv.close();
    }
  }

  /** The store holds exactly the model: same keys in the same order, same values. */
  private static void assertState(DataWal kv, Map<byte[], byte[]> model) {
    assertThat(kv.keys().stream().map(PropertyTests::hex).toList())
        .as("keys()")
        .containsExactlyElementsOf(model.keySet().stream().map(PropertyTests::hex).toList());
    assertThat(kv.size()).as("size()").isEqualTo(model.size());
    for (byte[] key : KEYS) {
      byte[] expected = model.get(key);
      assertThat(kv.containsKey(key)).as("containsKey(%s)", hex(key)).isEqualTo(expected != null);
      assertThat(kv.get(key).map(PropertyTests::hex))
          .as("get(%s)", hex(key))
          .isEqualTo(Optional.ofNullable(expected).map(PropertyTests::hex));
    }
    List<String> visited = new ArrayList<>();
    kv.forEach((k, v) -> visited.add(hex(k) + "=" + hex(v)));
    assertThat(visited)
        .as("forEach")
        .containsExactlyElementsOf(
            model.entrySet().stream().map(e -> hex(e.getKey()) + "=" + hex(e.getValue())).toList());
  }

  // The properties.

  @Test
  void reopenPreservesTheKeyValueState() {
    forEachSequence(
        1,
        (sequence, dir) -> {
          TreeMap<byte[], byte[]> model;
          try (Run run = new Run(dir, sequence.options())) {
            run.applyAll(sequence.ops());
            assertState(run.kv, run.model);
            model = run.model;
          }
          try (DataWal kv = DataWal.open(dir, sequence.options())) {
            assertThat(kv.recoveryReport().damageFound()).isFalse();
            assertState(kv, model);
          }
        });
  }

  @Test
  void deleteThenPutResurrectsOnlyTheNewValue() {
    forEachSequence(
        2,
        (sequence, dir) -> {
          SplittableRandom r = new SplittableRandom(sequence.seed() ^ 0x5DEECE66DL);
          byte[] key = randomKey(r);
          byte[] value = randomBytes(r, r.nextInt(32));
          TreeMap<byte[], byte[]> model;
          try (Run run = new Run(dir, sequence.options())) {
            run.applyAll(sequence.ops());
            boolean wasLive = run.model.containsKey(key);
            assertThat(run.kv.delete(key)).isEqualTo(wasLive);
            assertThat(run.kv.get(key)).isEmpty();
            run.kv.put(key, value);
            assertThat(run.kv.get(key)).hasValueSatisfying(v -> assertThat(v).isEqualTo(value));
            run.model.put(key, value);
            model = run.model;
          }
          try (DataWal kv = DataWal.open(dir, sequence.options())) {
            assertThat(kv.get(key)).hasValueSatisfying(v -> assertThat(v).isEqualTo(value));
            assertState(kv, model);
          }
        });
  }

  @Test
  void compactionPreservesTheState() {
    forEachSequence(
        3,
        (sequence, dir) -> {
          Path out = dir.resolveSibling(dir.getFileName() + "-compacted");
          TreeMap<byte[], byte[]> model;
          try (Run run = new Run(dir, sequence.options())) {
            run.applyAll(sequence.ops());
            run.kv.fsync();
            Map<String, String> sourceBefore = snapshot(dir);
            CompactionStats stats = run.kv.compactTo(out);
            assertThat(snapshot(dir)).as("the source is unchanged").isEqualTo(sourceBefore);
            assertThat(stats.liveKeys()).isEqualTo(run.model.size());
            assertThat(stats.recordsWritten()).isEqualTo(run.model.size());
            assertThat(stats.bytesWritten()).isEqualTo(segmentBytes(out));
            assertState(run.kv, run.model);
            model = run.model;
          }
          try (DataWal compacted = DataWal.open(out, sequence.options())) {
            assertState(compacted, model);
            List<Record> records = compacted.log().scan();
            assertThat(records).extracting(Record::type).containsOnly(RecordType.PUT);
            assertThat(records)
                .extracting(Record::txid)
                .containsExactlyElementsOf(
                    LongStream.rangeClosed(1, model.size()).boxed().toList());
          }
          try (DataWal source = DataWal.open(dir, sequence.options())) {
            assertState(source, model);
          }
        });
  }

  @Test
  void scanIterEqualsScan() {
    forEachSequence(
        4,
        (sequence, dir) -> {
          List<Record> expected = new ArrayList<>(); // type, key, payload, txid of every append
          RecordLog log = RecordLog.open(dir, sequence.options());
          try {
            for (int i = 0; i < sequence.ops().size(); i++) {
              Op op = sequence.ops().get(i);
              if (op instanceof Put p) {
                boolean raw = i % 7 == 0; // some plain log entries among the keyed records
                RecordRef ref =
                    raw
                        ? log.append(p.value())
                        : log.appendRecord(RecordType.PUT, p.key(), p.value());
                expected.add(
                    record(
                        raw ? RecordType.RAW : RecordType.PUT,
                        raw ? new byte[0] : p.key(),
                        p.value(),
                        ref));
              } else if (op instanceof Delete d) {
                RecordRef ref = log.appendRecord(RecordType.DELETE, d.key(), new byte[0]);
                expected.add(record(RecordType.DELETE, d.key(), new byte[0], ref));
              } else if (op instanceof Fsync) {
                log.fsync();
              } else if (op instanceof Reopen) {
                log.close();
                log = RecordLog.open(dir, sequence.options());
                assertScansAgree(log, expected, "after reopen at op " + i);
              } else {
                log.rotate();
              }
              assertThat(log.lastTxid()).isEqualTo(expected.size());
            }
            assertScansAgree(log, expected, "at the end");
            // A scan sees the log as it was when it started, not appends made while it runs.
            List<Record> lazy = new ArrayList<>();
            try (RecordIterator it = log.scanIter()) {
              log.append(new byte[] {42});
              it.forEachRemaining(lazy::add);
            }
            assertThat(lazy).as("scanIter() started before an append").isEqualTo(expected);
          } finally {
            log.close();
          }
        });
  }

  @Test
  void rotationIsInvisibleToTheKeyValueView() {
    forEachSequence(
        5,
        (sequence, dir) -> {
          Sequence flat = sequence.withoutRotations();
          Path flatDir = dir.resolveSibling(dir.getFileName() + "-flat");
          try (Run rotated = new Run(dir, sequence.options());
              Run single = new Run(flatDir, flat.options())) {
            rotated.applyAll(sequence.ops());
            single.applyAll(flat.ops());
            assertThat(single.kv.log().activeSegment()).isEqualTo(1);
            assertThat(hexMap(rotated.model)).isEqualTo(hexMap(single.model));
            assertState(rotated.kv, single.model);
            assertState(single.kv, rotated.model);
            rotated.reopen();
            assertState(rotated.kv, single.model);
            if (sequence.ops().stream().anyMatch(op -> op instanceof Rotate)) {
              assertThat(rotated.kv.log().activeSegment()).isGreaterThan(1);
            }
          }
        });
  }

  // Running sequences.

  @FunctionalInterface
  private interface SequenceCheck {
    void check(Sequence sequence, Path dir);
  }

  private void forEachSequence(int property, SequenceCheck check) {
    for (int s = 0; s < SEQUENCES; s++) {
      long seed = TestSeed.derive(BASE_SEED, property, s);
      if (ONLY_SEQUENCE != null && Long.parseLong(ONLY_SEQUENCE.trim()) != seed) {
        continue;
      }
      Sequence sequence = Sequence.random(seed, OPS);
      try {
        check.check(sequence, tmp.resolve("p" + property + "-s" + s));
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError(
            "PropertyTests failure in sequence "
                + s
                + " [base seed "
                + BASE_SEED
                + ", sequence seed "
                + seed
                + "; replay with -Dtest=PropertyTests -Ddatawal.test.seed="
                + BASE_SEED
                + " -Ddatawal.test.sequence="
                + seed
                + "] "
                + sequence
                + ": "
                + e,
            e);
      }
    }
  }

  private static void assertScansAgree(RecordLog log, List<Record> expected, String when) {
    List<Record> eager = log.scan();
    List<Record> lazy = new ArrayList<>();
    RecoveryReport report;
    try (RecordIterator it = log.scanIter()) {
      it.forEachRemaining(lazy::add);
      report = it.report();
    }
    assertThat(lazy).as("scanIter() %s", when).isEqualTo(eager);
    assertThat(eager).as("scan() %s", when).isEqualTo(expected);
    assertThat(report.recordsReplayed()).as("scanIter report %s", when).isEqualTo(expected.size());
    assertThat(report.damageFound()).isFalse();
  }

  private static Record record(RecordType type, byte[] key, byte[] payload, RecordRef ref) {
    return new Record(
        type, ref.txid(), key.clone(), payload.clone(), ref.segment(), ref.offset(), ref.length());
  }

  private static Map<String, String> hexMap(Map<byte[], byte[]> map) {
    Map<String, String> hex = new TreeMap<>();
    map.forEach((k, v) -> hex.put(hex(k), hex(v)));
    return hex;
  }

  private static String hex(byte[] bytes) {
    return "[" + HexFormat.of().formatHex(bytes) + "]";
  }

  private static long segmentBytes(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      long total = 0;
      for (Path p : files.filter(p -> p.toString().endsWith(".dwal")).toList()) {
        total += Files.size(p);
      }
      return total;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> snapshot(Path dir) {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      list.forEach(p -> files.put(p.getFileName().toString(), hex(TestFiles.read(p))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }
}
