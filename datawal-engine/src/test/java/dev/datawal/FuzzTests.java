package dev.datawal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.datawal.internal.format.DecodedFrame;
import dev.datawal.internal.format.FrameFormat;
import dev.datawal.testing.TestSeed;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of frame decoding and of recovery from damaged stores, in the normal test run.
 *
 * <p>Every run uses a base seed: {@code -Ddatawal.fuzz.seed=<n>} if given, else a random one
 * ({@link TestSeed}). It is printed at the start, and every failure names it together with the
 * iteration and the seed derived for it, so {@code mvn test -Dtest=FuzzTests
 * -Ddatawal.fuzz.seed=<n>} replays a failure exactly.
 *
 * <p>The oracle for damaged stores is {@link ModelRecovery}, an independent implementation of the
 * recovery rules of docs/reference/format-v1.md written from the spec alone; on top of comparing
 * against it, the properties the spec promises are checked directly (a prefix of the original
 * records, nothing lost before the first damaged byte, a report that adds up, a second open that
 * finds no damage).
 */
class FuzzTests {
  private static final long BASE_SEED = TestSeed.of(FuzzTests.class, "datawal.fuzz.seed");

  /** {@code -Ddatawal.fuzz.scale=<n>} multiplies the iterations, for a longer search. */
  private static final int SCALE = Integer.getInteger("datawal.fuzz.scale", 1);

  private static final int DECODE_ITERATIONS = 6_000 * SCALE;
  private static final int STORES = 80 * SCALE;
  private static final int MUTATIONS_PER_STORE = 6;

  /** What a decode may allocate besides the input's own bytes (key and payload copies). */
  private static final long DECODE_ALLOCATION_SLACK = 64 * 1024;

  /** What a report over a store may allocate besides its files' bytes (read windows). */
  private static final long REPORT_ALLOCATION_SLACK = 2 * 1024 * 1024;

  private static final byte[] MAGIC = "DWAL".getBytes(StandardCharsets.US_ASCII);
  private static final HexFormat HEX = HexFormat.of();

  @BeforeAll
  static void printScale() {
    if (SCALE != 1) {
      System.out.println(
          "FuzzTests: scale " + SCALE + " (replay with -Ddatawal.fuzz.scale=" + SCALE + ")");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // (a) FrameFormat.decode on arbitrary bytes

  @Test
  void randomBytesNeverEscapeTheDocumentedOutcomes() {
    AllocationMeter meter = AllocationMeter.createOrNull();
    warmUpDecode();
    for (int i = 0; i < DECODE_ITERATIONS; i++) {
      long seed = TestSeed.derive(BASE_SEED, 1, i);
      byte[] input = randomDecodeInput(new SplittableRandom(seed));
      try {
        checkDecode(input, meter);
      } catch (Throwable t) {
        throw replayable("decode iteration " + i + ", input " + HEX.formatHex(input), seed, t);
      }
    }
  }

  @Test
  void aHeaderClaimingAHugeFrameDoesNotAllocateIt() {
    AllocationMeter meter = AllocationMeter.createOrNull();
    assumeTrue(meter != null, "this JVM cannot measure per-thread allocation");
    warmUpDecode();
    // 100 bytes whose header claims a 64 MiB payload and a 64 KiB key.
    byte[] input = header(RecordType.PUT.code(), 7, FrameFormat.MAX_KEY_LEN, 64 << 20, 100);
    long before = meter.allocated();
    DecodedFrame decoded = FrameFormat.decode(input);
    long allocated = meter.allocated() - before;

    assertThat(decoded.fault()).isNotNull();
    assertThat(decoded.fault().kind()).isEqualTo(CorruptionKind.TRUNCATED);
    assertThat(allocated).as("bytes allocated by decode").isLessThan(DECODE_ALLOCATION_SLACK);
  }

  private static void checkDecode(byte[] input, AllocationMeter meter) {
    CorruptionKind expected = ModelRecovery.classify(input, 0);
    long before = meter == null ? 0 : meter.allocated();
    DecodedFrame decoded = FrameFormat.decode(input);
    long allocated = meter == null ? 0 : meter.allocated() - before;

    assertThat(decoded).isNotNull();
    if (decoded.fault() == null) {
      assertThat(expected).as("the spec's verdict on a frame decode accepted").isNull();
      assertThat(decoded.valid()).isTrue();
      assertThat(decoded.length()).isBetween(FrameFormat.OVERHEAD, input.length);
      byte[] reencoded =
          bytes(
              FrameFormat.encode(decoded.type(), decoded.txid(), decoded.key(), decoded.payload()));
      assertThat(reencoded)
          .as("re-encoding the decoded frame gives the input's first %d bytes", decoded.length())
          .isEqualTo(Arrays.copyOf(input, decoded.length()));
    } else {
      assertThat(decoded.valid()).isFalse();
      assertThat(decoded.fault().kind()).as("fault kind (%s)", decoded.fault()).isNotNull();
      assertThat(decoded.fault().kind())
          .as("fault kind the spec's check order gives (%s)", decoded.fault())
          .isEqualTo(expected);
      assertThat(decoded.fault().detail()).isNotBlank();
    }
    if (meter != null) {
      assertThat(allocated)
          .as("bytes allocated decoding %d input bytes", input.length)
          .isLessThan(input.length + DECODE_ALLOCATION_SLACK);
    }
  }

  /** Runs decode over every input shape so class loading and JIT set-up are not measured. */
  private static void warmUpDecode() {
    SplittableRandom r = new SplittableRandom(0);
    for (int i = 0; i < 3_000; i++) {
      FrameFormat.decode(randomDecodeInput(r));
    }
  }

  private static byte[] randomDecodeInput(SplittableRandom r) {
    return switch (r.nextInt(9)) {
      case 0 -> randomBytes(r, r.nextInt(301));
      case 1 -> magicAndVersionOne(r);
      case 2 -> {
        byte[] frame = randomFrame(r); // a valid frame, sometimes followed by more bytes
        yield r.nextBoolean() ? frame : concat(frame, randomBytes(r, r.nextInt(40)));
      }
      case 3 -> {
        byte[] frame = randomFrame(r); // a valid frame with a few bytes changed
        int flips = 1 + r.nextInt(3);
        for (int k = 0; k < flips; k++) {
          frame[r.nextInt(frame.length)] ^= (byte) (1 + r.nextInt(255));
        }
        yield frame;
      }
      case 4 -> {
        byte[] frame = randomFrame(r); // a valid frame cut short
        yield Arrays.copyOf(frame, r.nextInt(frame.length));
      }
      case 5 -> hugeLengths(r);
      case 6 -> {
        byte[] b = randomBytes(r, 6 + r.nextInt(60)); // real magic, any version
        System.arraycopy(MAGIC, 0, b, 0, 4);
        int version = r.nextBoolean() ? r.nextInt(4) : r.nextInt(0x10000);
        b[4] = (byte) version;
        b[5] = (byte) (version >>> 8);
        yield b;
      }
      case 7 -> {
        byte[] b = randomBytes(r, r.nextInt(30)); // short, often a prefix of the magic
        System.arraycopy(MAGIC, 0, b, 0, Math.min(b.length, r.nextInt(5)));
        yield b;
      }
      default -> {
        byte[] frame = randomFrame(r); // a valid frame whose length fields were rewritten
        ByteBuffer buf = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        int field = r.nextBoolean() ? FrameFormat.KEY_LEN_OFFSET : FrameFormat.PAYLOAD_LEN_OFFSET;
        buf.putInt(field, r.nextBoolean() ? r.nextInt() : buf.getInt(field) + r.nextInt(-3, 4));
        yield frame;
      }
    };
  }

  /** The real magic and version 1, then anything: reaches the type, flags and length checks. */
  private static byte[] magicAndVersionOne(SplittableRandom r) {
    byte[] b = randomBytes(r, 6 + r.nextInt(295));
    System.arraycopy(MAGIC, 0, b, 0, 4);
    b[4] = 1;
    b[5] = 0;
    if (b.length > 7 && r.nextBoolean()) {
      b[6] = (byte) r.nextInt(3);
      b[7] = 0;
    }
    return b;
  }

  /** A plausible header claiming huge (legal or not) lengths, in an input of at most 300 bytes. */
  private static byte[] hugeLengths(SplittableRandom r) {
    int type = r.nextInt(8) == 0 ? r.nextInt(256) : r.nextInt(3);
    long keyLen =
        switch (r.nextInt(5)) {
          case 0 -> FrameFormat.MAX_KEY_LEN;
          case 1 -> FrameFormat.MAX_KEY_LEN + 1L;
          case 2 -> 0xFFFF_FFFFL;
          case 3 -> r.nextInt(FrameFormat.MAX_KEY_LEN + 1);
          default -> r.nextInt(64);
        };
    long payloadLen =
        switch (r.nextInt(5)) {
          case 0 -> FrameFormat.MAX_PAYLOAD_LEN;
          case 1 -> FrameFormat.MAX_PAYLOAD_LEN + 1L;
          case 2 -> 0xFFFF_FFFFL;
          case 3 -> r.nextInt(FrameFormat.MAX_PAYLOAD_LEN - 1024, FrameFormat.MAX_PAYLOAD_LEN);
          default -> r.nextInt(FrameFormat.MAX_PAYLOAD_LEN + 1);
        };
    return header(type, r.nextLong(), keyLen, payloadLen, 24 + r.nextInt(277));
  }

  /** A 24-byte header with these fields, followed by random bytes up to {@code length}. */
  private static byte[] header(int type, long txid, long keyLen, long payloadLen, int length) {
    byte[] b = new byte[length];
    new SplittableRandom(txid).nextBytes(b);
    ByteBuffer.wrap(b)
        .order(ByteOrder.LITTLE_ENDIAN)
        .put(MAGIC)
        .putShort((short) 1)
        .put((byte) type)
        .put((byte) 0)
        .putLong(txid)
        .putInt((int) keyLen)
        .putInt((int) payloadLen);
    return b;
  }

  private static byte[] randomFrame(SplittableRandom r) {
    RecordType type = RecordType.fromCode(r.nextInt(3));
    return bytes(
        FrameFormat.encode(
            type, r.nextLong(), randomBytes(r, r.nextInt(41)), randomBytes(r, r.nextInt(200))));
  }

  // ---------------------------------------------------------------------------------------------
  // (b) recovery of randomly damaged stores

  @Test
  void mutatedStoresRecoverAPrefixOrFailAsCorrupt(@TempDir Path tmp) throws IOException {
    AllocationMeter meter = AllocationMeter.createOrNull();
    warmUpReport(tmp.resolve("warm-up"));
    Map<String, Integer> outcomes = new TreeMap<>();
    for (int s = 0; s < STORES; s++) {
      long storeSeed = TestSeed.derive(BASE_SEED, 2, s);
      Path base = tmp.resolve("base-" + s);
      List<Record> original;
      try {
        original = buildStore(base, new SplittableRandom(storeSeed));
      } catch (Throwable t) {
        throw replayable("building store " + s, storeSeed, t);
      }
      TreeMap<Long, byte[]> baseSegments = readSegments(base);
      for (int m = 0; m < MUTATIONS_PER_STORE; m++) {
        long mutationSeed = TestSeed.derive(storeSeed, 3, m);
        Mutation mutation = null;
        Path copy = tmp.resolve("store-" + s + "-mutation-" + m);
        try {
          mutation = Mutation.random(baseSegments, original, new SplittableRandom(mutationSeed));
          writeSegments(copy, mutation.segments());
          String outcome = checkMutatedStore(copy, original, mutation, meter);
          outcomes.merge(mutation.kind() + " -> " + outcome, 1, Integer::sum);
        } catch (Throwable t) {
          throw replayable(
              "store " + s + " (seed " + storeSeed + "), mutation " + m + ": " + mutation,
              mutationSeed,
              t);
        }
        deleteTree(copy);
      }
      deleteTree(base);
    }
    System.out.println("FuzzTests: mutation outcomes " + outcomes);
  }

  /** Checks reader and writer on one damaged store; returns what happened, for statistics. */
  private static String checkMutatedStore(
      Path copy, List<Record> original, Mutation mutation, AllocationMeter meter)
      throws IOException {
    TreeMap<Long, byte[]> mutated = mutation.segments();
    ModelRecovery.Outcome expected = ModelRecovery.recover(mutated);
    Map<String, byte[]> before = snapshot(copy);

    // (i) the read-only reader: same outcome, and nothing on disk changes
    List<Record> readerRecords = null;
    CorruptStoreException readerError = null;
    try {
      readerRecords = RecordLogReader.open(copy).scan();
    } catch (CorruptStoreException e) {
      readerError = e;
    }
    RecordLogReader reader = RecordLogReader.open(copy);
    RecoveryReport readerReport = null;
    CorruptStoreException reportError = null;
    long allocatedBefore = meter == null ? 0 : meter.allocated();
    try {
      readerReport = reader.report();
    } catch (CorruptStoreException e) {
      reportError = e;
    }
    long allocated = meter == null ? 0 : meter.allocated() - allocatedBefore;
    if (meter != null) {
      assertThat(allocated)
          .as("bytes allocated by RecordLogReader.report() over %d bytes", totalSize(mutated))
          .isLessThan(REPORT_ALLOCATION_SLACK + totalSize(mutated));
    }
    checkOutcome("reader scan", expected, readerRecords, null, readerError, original, mutation);
    checkOutcome("reader report", expected, null, readerReport, reportError, original, mutation);
    if (readerReport != null) {
      assertThat(readerReport.recordsReplayed()).isEqualTo(readerRecords.size());
      for (DamageEvent d : readerReport.damage()) {
        assertThat(d.keptIn()).isEqualTo(copy.resolve(segmentName(d.segment())));
      }
    }
    assertSameFiles(snapshot(copy), before, "after the read-only reader");

    // (ii) the writer: same outcome; a torn tail is moved to an evidence file and cut off
    List<Record> writerRecords = null;
    RecoveryReport writerReport = null;
    CorruptStoreException writerError = null;
    try (RecordLog log = RecordLog.open(copy)) {
      writerRecords = log.scan();
      writerReport = log.recoveryReport();
    } catch (CorruptStoreException e) {
      writerError = e;
    }
    checkOutcome(
        "writer open", expected, writerRecords, writerReport, writerError, original, mutation);
    if (writerError != null) {
      Map<String, byte[]> after = snapshot(copy);
      after.remove(".lock");
      assertSameFiles(after, before, "after a writer open that failed");
      return "corrupt " + writerError.kind();
    }
    Map<String, byte[]> after = snapshot(copy);
    for (DamageEvent d : writerReport.damage()) {
      String name = segmentName(d.segment());
      Path evidence = copy.resolve(name + ".torn-at-" + d.offset());
      assertThat(d.keptIn()).isEqualTo(evidence);
      byte[] segment = mutated.get(d.segment());
      assertThat(after.get(evidence.getFileName().toString()))
          .as("evidence file %s holds the discarded bytes", evidence.getFileName())
          .isEqualTo(Arrays.copyOfRange(segment, (int) d.offset(), segment.length));
      assertThat(after.get(name))
          .as("segment %s is cut back to its valid end", name)
          .isEqualTo(Arrays.copyOf(segment, (int) d.offset()));
    }

    // A second open finds the same records and no damage, and appends after the repair survive.
    long lastTxid = writerReport.lastTxidSeen();
    byte[] extra = ("appended-after-recovery-" + lastTxid).getBytes(StandardCharsets.UTF_8);
    RecordRef ref;
    try (RecordLog log = RecordLog.open(copy)) {
      assertThat(log.scan()).as("records at the second open").isEqualTo(writerRecords);
      RecoveryReport second = log.recoveryReport();
      assertThat(second.damage()).as("damage at the second open").isEmpty();
      assertThat(second.tailBytesDiscarded()).isZero();
      assertThat(second.recordsReplayed()).isEqualTo(writerRecords.size());
      assertThat(second.lastTxidSeen()).isEqualTo(lastTxid);
      ref = log.append(extra);
    }
    List<Record> finalRecords = RecordLogReader.open(copy).scan();
    assertThat(finalRecords).hasSize(writerRecords.size() + 1);
    assertThat(finalRecords.subList(0, writerRecords.size())).isEqualTo(writerRecords);
    Record last = finalRecords.get(writerRecords.size());
    assertThat(last.ref()).isEqualTo(ref);
    assertThat(last.txid()).isEqualTo(lastTxid + 1);
    assertThat(last.payload()).isEqualTo(extra);
    return writerReport.damage().isEmpty()
        ? "intact"
        : "torn tail " + writerReport.damage().get(0).kind();
  }

  /**
   * Checks one outcome (records and/or report, or an error) against the model and against the
   * properties the spec promises.
   */
  private static List<Record> withoutOffsets(List<Record> records) {
    return records.stream()
        .map(r -> new Record(r.type(), r.txid(), r.key(), r.payload(), r.segment(), 0, r.length()))
        .toList();
  }

  private static void checkOutcome(
      String who,
      ModelRecovery.Outcome expected,
      List<Record> records,
      RecoveryReport report,
      CorruptStoreException error,
      List<Record> original,
      Mutation mutation) {
    TreeMap<Long, byte[]> segments = mutation.segments();
    if (error != null) {
      assertThat(segments)
          .as("%s: CorruptStoreException names an existing segment (%s)", who, error.getMessage())
          .containsKey(error.segment());
      assertThat(error.offset())
          .as("%s: CorruptStoreException offset lies in the file (%s)", who, error.getMessage())
          .isBetween(0L, segments.get(error.segment()).length - 1L);
      assertThat(error.kind()).isNotNull();
      assertThat(expected.corrupt())
          .as(
              "%s failed with %s, but the spec's recovery gives %s",
              who, error.getMessage(), expected)
          .isNotNull();
      assertThat(new ModelRecovery.Corrupt(error.segment(), error.offset(), error.kind()))
          .as("%s: where and what the corruption is (%s)", who, error.getMessage())
          .isEqualTo(expected.corrupt());
      assertThat(error.file()).isNotNull();
      assertThat(error.file().getFileName().toString()).isEqualTo(segmentName(error.segment()));
      return;
    }
    assertThat(expected.corrupt())
        .as("%s succeeded, but the spec's recovery gives %s", who, expected)
        .isNull();
    if (mutation.damagesSealedSegment()) {
      // Damage in a sealed segment must fail the open. Only a cut at frame boundaries leaves a
      // sealed segment that is valid to its end, which no reader can tell from an intact one.
      assertThat(mutation.kind())
          .as("%s succeeded although a sealed segment was damaged", who)
          .isIn(Mutation.Kind.TRUNCATE, Mutation.Kind.DELETE_RANGE);
    }
    if (records != null) {
      assertThat(records).as("%s: records", who).isEqualTo(expected.records());
      if (expected.framesVanished(original)) {
        // Whole frames cut out at frame boundaries leave a store that is valid by the format:
        // nothing in it can tell that they are missing. Only a cut can do that.
        assertThat(mutation.kind()).isIn(Mutation.Kind.TRUNCATE, Mutation.Kind.DELETE_RANGE);
        // The frames after a deleted range move up, so compare them without their offsets.
        assertThat(withoutOffsets(original))
            .as("%s: records", who)
            .containsSubsequence(withoutOffsets(records));
      } else {
        assertThat(records.size()).isLessThanOrEqualTo(original.size());
        assertThat(records)
            .as("%s: records are a prefix of the original ones", who)
            .isEqualTo(original.subList(0, records.size()));
      }
      List<Record> untouched = mutation.recordsBeforeFirstChange(original);
      assertThat(records)
          .as("%s: records before the first mutated byte are all there", who)
          .containsAll(untouched);
    }
    if (report != null) {
      assertThat(report.filesScanned()).isEqualTo(segments.size());
      assertThat(report.recordsReplayed()).isEqualTo(expected.records().size());
      if (records != null) {
        assertThat(report.recordsReplayed()).isEqualTo(records.size());
      }
      long damagedBytes = report.damage().stream().mapToLong(DamageEvent::bytes).sum();
      assertThat(report.tailBytesDiscarded()).isEqualTo(damagedBytes);
      assertThat(report.tailTruncated()).isEqualTo(report.damage().size());
      assertThat(report.midStreamErrors()).isZero();
      assertThat(report.unsupportedVersions()).isZero();
      long lastTxid = expected.records().stream().mapToLong(Record::txid).max().orElse(0);
      assertThat(report.lastTxidSeen()).isEqualTo(lastTxid);
      List<ModelRecovery.Damage> damage = new ArrayList<>();
      for (DamageEvent d : report.damage()) {
        damage.add(new ModelRecovery.Damage(d.segment(), d.offset(), d.kind(), d.bytes()));
      }
      assertThat(damage)
          .as("%s: damage reported", who)
          .isEqualTo(expected.damage() == null ? List.of() : List.of(expected.damage()));
    }
  }

  /** One report over a damaged store before measuring, so class loading is not counted. */
  private static void warmUpReport(Path dir) throws IOException {
    RecordLog log = RecordLog.open(dir);
    log.append(new byte[100]);
    TestFiles.closeAsIfKilled(log, dir); // a crash, which is what leaves a torn tail
    Path segment = dir.resolve(segmentName(1));
    Files.write(segment, Arrays.copyOf(Files.readAllBytes(segment), 120));
    RecordLogReader.open(dir).report();
    RecordLogReader.open(dir).scan();
    deleteTree(dir);
  }

  /** Writes a random valid store; returns its records. */
  private static List<Record> buildStore(Path dir, SplittableRandom r) {
    int segmentsWanted = 1 + r.nextInt(3);
    // Now and then a store of a few MiB, so read windows refill and big payloads bypass them.
    boolean large = r.nextInt(8) == 0;
    int count = large ? 2 + r.nextInt(8) : 1 + r.nextInt(24);
    List<RecordType> types = new ArrayList<>();
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    long totalBytes = 0;
    for (int i = 0; i < count; i++) {
      RecordType type = RecordType.fromCode(r.nextInt(3));
      byte[] key = randomBytes(r, type == RecordType.RAW && r.nextBoolean() ? 0 : r.nextInt(41));
      int payloadLen =
          large && r.nextInt(3) == 0
              ? r.nextInt(1_300_000)
              : r.nextInt(4) == 0 ? r.nextInt(2001) : r.nextInt(200);
      byte[] payload = randomBytes(r, type == RecordType.DELETE ? 0 : payloadLen);
      types.add(type);
      keys.add(key);
      payloads.add(payload);
      totalBytes += FrameFormat.frameLength(key.length, payload.length);
    }
    boolean bySize = r.nextBoolean();
    DatawalOptions options =
        bySize
            ? DatawalOptions.builder().maxSegmentSize(totalBytes / segmentsWanted + 1).build()
            : DatawalOptions.defaults();
    int[] rotations = new int[bySize ? 0 : segmentsWanted - 1];
    for (int k = 0; k < rotations.length; k++) {
      // Mostly between records; now and then before the first or after the last (empty segment).
      rotations[k] = r.nextInt(10) == 0 ? (r.nextBoolean() ? 0 : count) : 1 + r.nextInt(count);
    }
    int reopenAt = r.nextInt(4) == 0 ? r.nextInt(count + 1) : -1;

    RecordLog log = RecordLog.open(dir, options);
    try {
      List<RecordRef> refs = new ArrayList<>();
      for (int i = 0; i <= count; i++) {
        for (int at : rotations) {
          if (at == i) {
            log.rotate();
          }
        }
        if (i == reopenAt) {
          log.close();
          log = RecordLog.open(dir, options);
        }
        if (i < count) {
          refs.add(log.appendRecord(types.get(i), keys.get(i), payloads.get(i)));
        }
      }
      List<Record> records = log.scan();
      assertThat(records).hasSize(count);
      for (int i = 0; i < count; i++) {
        Record rec = records.get(i);
        assertThat(rec.ref()).isEqualTo(refs.get(i));
        assertThat(rec.txid()).isEqualTo(i + 1L);
        assertThat(rec.type()).isEqualTo(types.get(i));
        assertThat(rec.key()).isEqualTo(keys.get(i));
        assertThat(rec.payload()).isEqualTo(payloads.get(i));
      }
      return records;
    } finally {
      log.close();
    }
  }

  /** One seeded change to a copy of a store's segments. */
  record Mutation(
      Kind kind,
      String description,
      TreeMap<Long, byte[]> segments,
      TreeMap<Long, byte[]> original) {

    enum Kind {
      OVERWRITE,
      TRUNCATE,
      APPEND_GARBAGE,
      APPEND_ZEROS,
      ZERO_END,
      INSERT_RANGE,
      DELETE_RANGE,
      HUGE_LENGTH
    }

    static Mutation random(
        TreeMap<Long, byte[]> original, List<Record> records, SplittableRandom r) {
      TreeMap<Long, byte[]> segments = new TreeMap<>();
      original.forEach((id, bytes) -> segments.put(id, bytes.clone()));
      long lastId = segments.lastKey();
      List<Long> nonEmpty = new ArrayList<>();
      segments.forEach(
          (id, bytes) -> {
            if (bytes.length > 0) {
              nonEmpty.add(id);
            }
          });
      Kind[] kinds = Kind.values();
      Kind kind = kinds[r.nextInt(kinds.length)];
      if (nonEmpty.isEmpty()
          && kind != Kind.APPEND_GARBAGE
          && kind != Kind.APPEND_ZEROS
          && kind != Kind.INSERT_RANGE) {
        kind = Kind.APPEND_GARBAGE;
      }
      long id = nonEmpty.isEmpty() ? lastId : nonEmpty.get(r.nextInt(nonEmpty.size()));
      byte[] b = segments.get(id);
      String what;
      switch (kind) {
        case OVERWRITE -> {
          int at = r.nextInt(b.length);
          int n = Math.min(1 + r.nextInt(8), b.length - at);
          boolean flip = r.nextBoolean();
          for (int k = 0; k < n; k++) {
            b[at + k] = flip ? (byte) (b[at + k] ^ (1 + r.nextInt(255))) : (byte) r.nextInt(256);
          }
          what = (flip ? "flip " : "overwrite ") + n + " bytes at offset " + at;
        }
        case TRUNCATE -> {
          int to = r.nextInt(b.length);
          segments.put(id, Arrays.copyOf(b, to));
          what = "truncate from " + b.length + " to " + to + " bytes";
        }
        case APPEND_GARBAGE -> {
          id = lastId;
          byte[] garbage = randomBytes(r, 1 + r.nextInt(300));
          segments.put(id, concat(segments.get(id), garbage));
          what = "append " + garbage.length + " random bytes";
        }
        case APPEND_ZEROS -> {
          id = lastId;
          int n = 1 + r.nextInt(5000);
          segments.put(id, concat(segments.get(id), new byte[n]));
          what = "append " + n + " zero bytes";
        }
        case ZERO_END -> {
          int n = 1 + r.nextInt(Math.min(b.length, 4096));
          Arrays.fill(b, b.length - n, b.length, (byte) 0);
          what = "zero the last " + n + " bytes";
        }
        case INSERT_RANGE -> {
          int at = r.nextInt(b.length + 1);
          byte[] inserted = randomBytes(r, 1 + r.nextInt(64));
          segments.put(
              id, concat(Arrays.copyOf(b, at), inserted, Arrays.copyOfRange(b, at, b.length)));
          what = "insert " + inserted.length + " random bytes at offset " + at;
        }
        case DELETE_RANGE -> {
          int at = r.nextInt(b.length);
          int n = Math.min(1 + r.nextInt(64), b.length - at);
          segments.put(id, concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + n, b.length)));
          what = "delete " + n + " bytes at offset " + at;
        }
        case HUGE_LENGTH -> {
          List<Record> inSegment = new ArrayList<>();
          for (Record rec : records) {
            if (rec.segment() == id) {
              inSegment.add(rec);
            }
          }
          Record victim = inSegment.get(r.nextInt(inSegment.size()));
          boolean payload = r.nextBoolean();
          int field =
              (int) victim.offset()
                  + (payload ? FrameFormat.PAYLOAD_LEN_OFFSET : FrameFormat.KEY_LEN_OFFSET);
          int value =
              payload
                  ? FrameFormat.MAX_PAYLOAD_LEN - r.nextInt(1024)
                  : FrameFormat.MAX_KEY_LEN - r.nextInt(1024);
          if (r.nextInt(4) == 0) {
            value += 2048; // over the limit: structural instead of truncated
          }
          ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(field, value);
          what =
              "set "
                  + (payload ? "payload_len" : "key_len")
                  + " of the frame at offset "
                  + victim.offset()
                  + " to "
                  + value;
        }
        default -> throw new AssertionError(kind);
      }
      return new Mutation(kind, segmentName(id) + ": " + what, segments, original);
    }

    /** The segment and offset of the first byte that differs from the original, in log order. */
    long[] firstChange() {
      for (Map.Entry<Long, byte[]> e : segments.entrySet()) {
        byte[] before = original.get(e.getKey());
        int at = Arrays.mismatch(before, e.getValue());
        if (at >= 0) {
          return new long[] {e.getKey(), at};
        }
      }
      return null;
    }

    /** Whether any segment but the last was changed. */
    boolean damagesSealedSegment() {
      long[] first = firstChange();
      return first != null && first[0] != segments.lastKey();
    }

    /** The original records that lie entirely before the first changed byte. */
    List<Record> recordsBeforeFirstChange(List<Record> records) {
      long[] first = firstChange();
      if (first == null) {
        return records;
      }
      List<Record> untouched = new ArrayList<>();
      for (Record rec : records) {
        if (rec.segment() < first[0]
            || (rec.segment() == first[0] && rec.offset() + rec.length() <= first[1])) {
          untouched.add(rec);
        }
      }
      return untouched;
    }

    @Override
    public String toString() {
      return kind + " " + description;
    }
  }

  /**
   * The recovery rules of docs/reference/format-v1.md, written from the spec alone, over segments
   * in memory. Simple and slow on purpose.
   */
  static final class ModelRecovery {
    record Corrupt(long segment, long offset, CorruptionKind kind) {}

    record Damage(long segment, long offset, CorruptionKind kind, long bytes) {}

    record Outcome(List<Record> records, Damage damage, Corrupt corrupt) {
      /** Whether the records are not a prefix of {@code original}: whole frames were cut out. */
      boolean framesVanished(List<Record> original) {
        return records.size() > original.size()
            || !records.equals(original.subList(0, records.size()));
      }
    }

    private ModelRecovery() {}

    static Outcome recover(TreeMap<Long, byte[]> segments) {
      List<Record> records = new ArrayList<>();
      for (Map.Entry<Long, byte[]> e : segments.entrySet()) {
        long id = e.getKey();
        byte[] b = e.getValue();
        boolean last = id == segments.lastKey();
        int pos = 0;
        while (pos < b.length) {
          CorruptionKind fault = classify(b, pos);
          if (fault == null) {
            ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            int keyLen = buf.getInt(pos + 16);
            int payloadLen = buf.getInt(pos + 20);
            int length = 28 + keyLen + payloadLen;
            records.add(
                new Record(
                    RecordType.fromCode(b[pos + 6]),
                    buf.getLong(pos + 8),
                    Arrays.copyOfRange(b, pos + 24, pos + 24 + keyLen),
                    Arrays.copyOfRange(b, pos + 24 + keyLen, pos + 24 + keyLen + payloadLen),
                    id,
                    pos,
                    length));
            pos += length;
            continue;
          }
          if (!last || fault == CorruptionKind.UNSUPPORTED_VERSION) {
            return new Outcome(null, null, new Corrupt(id, pos, fault));
          }
          for (int later = pos + 1; later < b.length; later++) {
            CorruptionKind after = classify(b, later);
            if (after == null) {
              return new Outcome(null, null, new Corrupt(id, pos, fault));
            }
            if (after == CorruptionKind.UNSUPPORTED_VERSION) { // never discarded
              return new Outcome(null, null, new Corrupt(id, later, after));
            }
          }
          return new Outcome(records, new Damage(id, pos, fault, b.length - pos), null);
        }
      }
      return new Outcome(records, null, null);
    }

    /**
     * What is wrong with the frame at {@code pos} of {@code b} (a file ending where {@code b}
     * ends), checked in the order docs/reference/format-v1.md prescribes, or {@code null} if it is
     * valid.
     */
    static CorruptionKind classify(byte[] b, int pos) {
      long left = b.length - pos;
      if (left < 24) {
        return CorruptionKind.TRUNCATED;
      }
      if (b[pos] != 'D' || b[pos + 1] != 'W' || b[pos + 2] != 'A' || b[pos + 3] != 'L') {
        return CorruptionKind.STRUCTURAL;
      }
      ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
      int version = Short.toUnsignedInt(buf.getShort(pos + 4));
      if (version >= 2 && version <= 255) {
        return CorruptionKind.UNSUPPORTED_VERSION; // may be a newer format
      }
      if (version != 1) {
        // No format has it: a torn header, unless it is a whole frame valid with version 1.
        byte[] asVersion1 = Arrays.copyOfRange(b, pos, b.length);
        asVersion1[4] = 1;
        asVersion1[5] = 0;
        return classify(asVersion1, 0) == null
            ? CorruptionKind.UNSUPPORTED_VERSION
            : CorruptionKind.STRUCTURAL;
      }
      if (Byte.toUnsignedInt(b[pos + 6]) > 2 || b[pos + 7] != 0) {
        return CorruptionKind.STRUCTURAL;
      }
      long keyLen = Integer.toUnsignedLong(buf.getInt(pos + 16));
      long payloadLen = Integer.toUnsignedLong(buf.getInt(pos + 20));
      if (keyLen > 65_536 || payloadLen > 67_108_864) {
        return CorruptionKind.STRUCTURAL;
      }
      long frameLength = 28 + keyLen + payloadLen;
      if (frameLength > left) {
        return CorruptionKind.TRUNCATED;
      }
      CRC32C crc = new CRC32C();
      crc.update(b, pos, (int) frameLength - 4);
      if (buf.getInt(pos + (int) frameLength - 4) != (int) crc.getValue()) {
        return CorruptionKind.CRC_MISMATCH;
      }
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  /** Per-thread allocation counter of HotSpot, or {@code null} where it is not available. */
  private static final class AllocationMeter {
    private final com.sun.management.ThreadMXBean bean;

    private AllocationMeter(com.sun.management.ThreadMXBean bean) {
      this.bean = bean;
    }

    static AllocationMeter createOrNull() {
      if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean)
          || !bean.isThreadAllocatedMemorySupported()) {
        return null;
      }
      if (!bean.isThreadAllocatedMemoryEnabled()) {
        bean.setThreadAllocatedMemoryEnabled(true);
      }
      AllocationMeter meter = new AllocationMeter(bean);
      return meter.allocated() < 0 ? null : meter;
    }

    long allocated() {
      return bean.getCurrentThreadAllocatedBytes();
    }
  }

  private static AssertionError replayable(String what, long derivedSeed, Throwable cause) {
    return new AssertionError(
        "FuzzTests failure at "
            + what
            + " [base seed "
            + BASE_SEED
            + ", derived seed "
            + derivedSeed
            + "; replay with -Dtest=FuzzTests -Ddatawal.fuzz.seed="
            + BASE_SEED
            + (SCALE == 1 ? "" : " -Ddatawal.fuzz.scale=" + SCALE)
            + "]: "
            + cause,
        cause);
  }

  private static byte[] randomBytes(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] b = new byte[buffer.remaining()];
    buffer.duplicate().get(b);
    return b;
  }

  private static String segmentName(long id) {
    return String.format("%08d.dwal", id);
  }

  private static long totalSize(Map<Long, byte[]> segments) {
    return segments.values().stream().mapToLong(b -> b.length).sum();
  }

  private static TreeMap<Long, byte[]> readSegments(Path dir) throws IOException {
    TreeMap<Long, byte[]> segments = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        String name = p.getFileName().toString();
        if (name.matches("[0-9]{8}\\.dwal")) {
          segments.put(Long.parseLong(name.substring(0, 8)), Files.readAllBytes(p));
        }
      }
    }
    return segments;
  }

  private static void writeSegments(Path dir, Map<Long, byte[]> segments) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<Long, byte[]> e : segments.entrySet()) {
      Files.write(dir.resolve(segmentName(e.getKey())), e.getValue());
    }
  }

  /** Every regular file of {@code dir} by name, with its bytes. */
  private static Map<String, byte[]> snapshot(Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : list.toList()) {
        files.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return files;
  }

  private static void assertSameFiles(
      Map<String, byte[]> actual, Map<String, byte[]> expected, String when) {
    assertThat(actual.keySet()).as("files %s", when).isEqualTo(expected.keySet());
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      assertThat(actual.get(e.getKey())).as("%s %s", e.getKey(), when).isEqualTo(e.getValue());
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
