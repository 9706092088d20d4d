package dev.datawal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.internal.format.FrameFormat;
import dev.datawal.testing.TestSeed;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash injection with a real SIGKILL: a {@link ChildWriter} in another JVM appends records whose
 * payloads follow from their index ({@link ChildWriter#payload}), acknowledging each on stdout, and
 * is killed at a seeded moment; then this JVM recovers the store.
 *
 * <p>A SIGKILL loses nothing the kernel already has: every append that returned was handed to the
 * kernel by write(2), so even unsynced records that were acknowledged must survive. At most one
 * record beyond the last acknowledgement can exist (the one in flight when the kill landed).
 *
 * <p>Seeds: a base seed from {@code -Ddatawal.crash.seed=<n>}, else a random one ({@link
 * TestSeed}), printed once; each repetition derives its own, printed to stdout and named in every
 * failure.
 */
class SigkillCrashTests {
  private static final long BASE_SEED = TestSeed.of(SigkillCrashTests.class, "datawal.crash.seed");
  private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path tmp;

  /** The seed of the running test, for the failure message. */
  private long seed;

  /** Puts both seeds into every failure, so it can be replayed. */
  @RegisterExtension
  final TestExecutionExceptionHandler seedInFailures =
      (context, failure) -> {
        throw new AssertionError(
            "SigkillCrashTests failure in "
                + context.getRequiredTestMethod().getName()
                + " "
                + context.getDisplayName()
                + " [base seed "
                + BASE_SEED
                + ", derived seed "
                + seed
                + "; replay with -Dtest=SigkillCrashTests -Ddatawal.crash.seed="
                + BASE_SEED
                + "]: "
                + failure,
            failure);
      };

  @RepeatedTest(5)
  void unsyncedAppendsRecoverAContiguousPrefixAfterSigkill(RepetitionInfo repetition)
      throws Exception {
    seed = deriveSeed(1, repetition);
    announce("unsynced appends", seed);
    SplittableRandom r = new SplittableRandom(seed);
    long maxSegmentSize = r.nextBoolean() ? 4096 : -1;
    Workload w = new Workload(seed, false, 0, 1 + r.nextInt(300), maxSegmentSize);
    Path store = tmp.resolve("store");
    Killed killed;
    try (ChildJvm child = w.start(tmp, store)) {
      child.awaitLine("ACK ", CHILD_TIMEOUT);
      Thread.sleep(r.nextInt(150)); // a seeded kill moment; the child appends meanwhile
      killed = kill(child);
    }
    try (RecordLog log = RecordLog.open(store)) {
      List<Record> records = log.scan();
      w.assertPrefix(records, killed);
      assertThat(log.recoveryReport().recordsReplayed()).isEqualTo(records.size());
      assertThat(log.lastTxid()).isEqualTo(records.size());
    }
  }

  @RepeatedTest(5)
  void everyAcknowledgedFsyncedAppendSurvivesSigkill(RepetitionInfo repetition) throws Exception {
    seed = deriveSeed(2, repetition);
    announce("fsynced appends", seed);
    SplittableRandom r = new SplittableRandom(seed);
    Workload w = new Workload(seed, true, 0, 1 + r.nextInt(2000), -1);
    Path store = tmp.resolve("store");
    Killed killed;
    try (ChildJvm child = w.start(tmp, store)) {
      awaitAck(child, 5 + r.nextInt(60));
      Thread.sleep(r.nextInt(5)); // a seeded kill moment, while the child writes
      killed = kill(child);
    }
    try (RecordLog log = RecordLog.open(store)) {
      w.assertPrefix(log.scan(), killed);
    }
  }

  @RepeatedTest(5)
  void acknowledgedAppendsSurviveSigkillAcrossRotations(RepetitionInfo repetition)
      throws Exception {
    seed = deriveSeed(3, repetition);
    announce("fsynced appends with rotations", seed);
    SplittableRandom r = new SplittableRandom(seed);
    int maxSegmentSize = 4096;
    Workload w = new Workload(seed, true, 200, 700, maxSegmentSize);
    Path store = tmp.resolve("store");
    Killed killed;
    try (ChildJvm child = w.start(tmp, store)) {
      awaitAck(child, 20 + r.nextInt(60));
      Thread.sleep(r.nextInt(5)); // a seeded kill moment, while the child writes
      killed = kill(child);
    }
    List<Path> segments = segmentFiles(store);
    assertThat(segments).as("segments after %s acks", killed.lastAck()).hasSizeGreaterThan(1);
    for (Path segment : segments) {
      assertThat(Files.size(segment)).as("size of %s", segment).isLessThanOrEqualTo(maxSegmentSize);
    }
    try (RecordLog log = RecordLog.open(store)) {
      List<Record> records = log.scan();
      w.assertPrefix(records, killed);
      for (int i = 1; i < records.size(); i++) {
        long previous = records.get(i - 1).segment();
        assertThat(records.get(i).segment()).isBetween(previous, previous + 1);
      }
      assertThat(log.recoveryReport().filesScanned()).isEqualTo(segments.size());
    }
  }

  @RepeatedTest(5)
  void appendsAfterRecoveringFromSigkillSurviveTheNextOpen(RepetitionInfo repetition)
      throws Exception {
    seed = deriveSeed(4, repetition);
    announce("appends after recovery", seed);
    SplittableRandom r = new SplittableRandom(seed);
    Workload w = new Workload(seed, r.nextBoolean(), 0, 1 + r.nextInt(500), -1);
    Path store = tmp.resolve("store");
    Killed killed;
    try (ChildJvm child = w.start(tmp, store)) {
      awaitAck(child, 5 + r.nextInt(40));
      killed = kill(child);
    }
    List<Record> before = RecordLogReader.open(store).scan();
    w.assertPrefix(before, killed);

    // Make the crash leave a torn tail, as it does when the kill lands mid-write or the
    // file system had allocated blocks it never filled.
    Path segment = segmentFiles(store).get(segmentFiles(store).size() - 1);
    int expected = before.size();
    String damage;
    switch (r.nextInt(4)) {
      case 0 -> damage = "none";
      case 1 -> {
        Record last = before.get(before.size() - 1);
        long cutTo = last.offset() + 1 + r.nextInt(last.length() - 1);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
          ch.truncate(cutTo);
        }
        expected--;
        damage = "cut the last frame at offset " + cutTo;
      }
      case 2 -> {
        int zeros = 1 + r.nextInt(8192);
        Files.write(segment, new byte[zeros], StandardOpenOption.APPEND);
        damage = zeros + " zero bytes appended";
      }
      default -> {
        long next = before.size() + 1L;
        ByteBuffer frame = FrameFormat.encode(RecordType.RAW, next, new byte[0], w.payload(next));
        int part = 1 + r.nextInt(frame.remaining() - 1);
        Files.write(segment, Arrays.copyOf(frame.array(), part), StandardOpenOption.APPEND);
        damage = part + " bytes of the next frame appended";
      }
    }
    System.out.println("SigkillCrashTests: derived seed " + seed + ": torn tail: " + damage);

    List<byte[]> extra = new ArrayList<>();
    try (RecordLog log = RecordLog.open(store)) {
      List<Record> recovered = log.scan();
      assertThat(recovered).as("records after %s", damage).isEqualTo(before.subList(0, expected));
      RecoveryReport report = log.recoveryReport();
      if (!damage.equals("none")) {
        assertThat(report.damage()).as("damage reported after %s", damage).hasSize(1);
      }
      for (DamageEvent d : report.damage()) {
        assertThat(d.keptIn()).exists();
        assertThat(Files.size(d.keptIn())).isEqualTo(d.bytes());
        assertThat(d.keptIn().getFileName().toString())
            .isEqualTo(segment.getFileName() + ".torn-at-" + d.offset());
      }
      for (int k = 1; k <= 5; k++) {
        byte[] payload = ("after-crash-" + k).getBytes(StandardCharsets.US_ASCII);
        RecordRef ref = log.append(payload);
        assertThat(ref.txid()).isEqualTo(expected + k);
        extra.add(payload);
      }
    }
    try (RecordLog log = RecordLog.open(store)) {
      List<Record> records = log.scan();
      assertThat(log.recoveryReport().damage()).as("damage at the second open").isEmpty();
      assertThat(records).hasSize(expected + extra.size());
      assertThat(records.subList(0, expected)).isEqualTo(before.subList(0, expected));
      for (int k = 0; k < extra.size(); k++) {
        Record rec = records.get(expected + k);
        assertThat(rec.txid()).isEqualTo(expected + k + 1L);
        assertThat(rec.payload()).isEqualTo(extra.get(k));
      }
    }
  }

  @RepeatedTest(5)
  void everyPutAcknowledgedUnderAlwaysSurvivesSigkill(RepetitionInfo repetition) throws Exception {
    seed = deriveSeed(5, repetition);
    announce("DataWal puts under ALWAYS", seed);
    SplittableRandom r = new SplittableRandom(seed);
    int keys = 1 + r.nextInt(60);
    int maxLen = 1 + r.nextInt(3000);
    Path store = tmp.resolve("store");
    List<String> args =
        List.of(
            "--mode=kv",
            "--dir=" + store,
            "--records=" + Workload.MAX_RECORDS,
            "--policy=ALWAYS",
            "--keys=" + keys,
            "--seed=" + seed,
            "--max-len=" + maxLen,
            "--max-segment-size=" + (4096 + r.nextInt(65_536)));
    Killed killed;
    try (ChildJvm child = ChildJvm.start(tmp, args.toArray(String[]::new))) {
      child.awaitLine("LOCKED ", CHILD_TIMEOUT);
      awaitAck(child, 5 + r.nextInt(200));
      Thread.sleep(r.nextInt(5)); // a seeded kill moment, while the child writes
      killed = kill(child);
    }
    // The put of i is acknowledged only after it returned, so every acknowledged put is there; the
    // one in flight may or may not be.
    try (DataWal dw = DataWal.open(store)) {
      long last = killed.lastAck();
      int ackedKeys = assertAcknowledgedPutsSurvived(dw, keys, maxLen, last);
      assertThat(dw.log().lastTxid()).isBetween(last, last + 1);
      assertThat(dw.size()).isBetween(ackedKeys, ackedKeys + 1);
    }
  }

  @RepeatedTest(5)
  void killingInPlaceCompactionLosesNoAcknowledgedPut(RepetitionInfo repetition) throws Exception {
    seed = deriveSeed(6, repetition);
    announce("in-place compaction under ALWAYS", seed);
    SplittableRandom r = new SplittableRandom(seed);
    int keys = 1 + r.nextInt(30);
    int maxLen = 1 + r.nextInt(400);
    Path store = tmp.resolve("store");
    List<String> args =
        List.of(
            "--mode=kv",
            "--compact-every=20",
            "--dir=" + store,
            "--records=" + Workload.MAX_RECORDS,
            "--policy=ALWAYS",
            "--keys=" + keys,
            "--seed=" + seed,
            "--max-len=" + maxLen,
            "--max-segment-size=" + (512 + r.nextInt(4096)));
    Killed killed;
    try (ChildJvm child = ChildJvm.start(tmp, args.toArray(String[]::new))) {
      child.awaitLine("LOCKED ", CHILD_TIMEOUT);
      child.awaitLine("COMPACTED ", CHILD_TIMEOUT); // at least one compaction has run
      awaitAck(child, 20 + r.nextInt(300));
      Thread.sleep(r.nextInt(10)); // a seeded kill moment, while the child writes
      killed = kill(child);
    }
    try (DataWal dw = DataWal.open(store)) {
      assertAcknowledgedPutsSurvived(dw, keys, maxLen, killed.lastAck());
      List<Record> records = dw.log().scan();
      for (int i = 1; i < records.size(); i++) {
        assertThat(records.get(i).txid()).isGreaterThan(records.get(i - 1).txid());
      }
    }
  }

  @RepeatedTest(3)
  void killingCompactToNeverChangesTheSourceAndLeavesAnEmptyOrValidTarget(RepetitionInfo repetition)
      throws Exception {
    seed = deriveSeed(7, repetition);
    announce("compactTo killed", seed);
    Path store = tmp.resolve("store");
    Map<String, String> expected = fillStore(store, seed);
    Map<String, String> sourceFiles = TestFiles.snapshot(store);
    Path out = copyRepeatedlyThenKill("compact-to", store);
    sourceFiles.remove(".lock");
    Map<String, String> after = TestFiles.snapshot(store);
    after.remove(".lock");
    assertThat(after).as("the source's files").isEqualTo(sourceFiles);
    try (DataWal source = DataWal.open(store)) {
      assertThat(kvState(source)).isEqualTo(expected);
    }
    for (String target : TestFiles.names(out)) {
      Path dir = out.resolve(target);
      if (TestFiles.names(dir).stream().noneMatch(n -> n.endsWith(".dwal"))) {
        continue; // killed before it wrote anything
      }
      try (DataWal copy = DataWal.open(dir)) { // opens: valid, maybe a prefix of the copy
        Map<String, String> state = kvState(copy);
        assertThat(expected).as(target).containsAllEntriesOf(state);
      }
    }
  }

  @RepeatedTest(3)
  void killingExportLeavesNoFileOrAWholeOne(RepetitionInfo repetition) throws Exception {
    seed = deriveSeed(8, repetition);
    announce("export killed", seed);
    Path store = tmp.resolve("store");
    fillStore(store, seed);
    Path expected = tmp.resolve("expected.jsonl");
    try (DataWal source = DataWal.open(store)) {
      source.exportJsonl(expected);
    }
    byte[] whole = TestFiles.read(expected);
    Path out = copyRepeatedlyThenKill("export", store);
    for (String name : TestFiles.names(out)) {
      if (name.endsWith(".jsonl")) {
        assertThat(TestFiles.read(out.resolve(name))).as(name).isEqualTo(whole);
      } else {
        assertThat(name).as("only a temporary file may be partial").endsWith(".jsonl.tmp");
      }
    }
  }

  /**
   * Checks a store a {@code --mode=kv} child wrote until it was killed: put i wrote {@link
   * ChildWriter#kvKey}{@code (i, keys)}; every key holds the payload of its last acknowledged put,
   * or of put {@code last + 1} if that one (in flight) was to the same key.
   *
   * @return how many keys an acknowledged put wrote
   */
  private int assertAcknowledgedPutsSurvived(DataWal dw, int keys, int maxLen, long last) {
    Map<String, Long> latestAcked = new HashMap<>();
    for (long i = 1; i <= last; i++) {
      latestAcked.put(new String(ChildWriter.kvKey(i, keys), StandardCharsets.US_ASCII), i);
    }
    byte[] inFlightKey = ChildWriter.kvKey(last + 1, keys);
    byte[] inFlight = ChildWriter.payload(seed, last + 1, 0, maxLen);
    for (Map.Entry<String, Long> e : latestAcked.entrySet()) {
      byte[] key = e.getKey().getBytes(StandardCharsets.US_ASCII);
      byte[] acked = ChildWriter.payload(seed, e.getValue(), 0, maxLen);
      assertThat(dw.get(key))
          .as("key %s, last acknowledged put %s of %s", e.getKey(), e.getValue(), last)
          .hasValueSatisfying(
              v -> {
                if (Arrays.equals(key, inFlightKey)) {
                  assertThat(v).isIn(acked, inFlight);
                } else {
                  assertThat(v).isEqualTo(acked);
                }
              });
    }
    return latestAcked.size();
  }

  @RepeatedTest(5)
  void killingWhileTheManifestIsRewrittenLosesNoAcknowledgedRecord(RepetitionInfo repetition)
      throws Exception {
    seed = deriveSeed(7, repetition);
    announce("rotations and retention, each rewriting the manifest", seed);
    SplittableRandom r = new SplittableRandom(seed);
    Path store = tmp.resolve("store");
    int maxLen = 1 + r.nextInt(200);
    List<String> args =
        List.of(
            "--mode=churn",
            "--dir=" + store,
            "--records=" + Workload.MAX_RECORDS,
            "--policy=ALWAYS",
            "--seed=" + seed,
            "--max-len=" + maxLen,
            "--rotate-every=" + (1 + r.nextInt(4)),
            "--retain-bytes=" + (512 + r.nextInt(4096)));
    Killed killed;
    try (ChildJvm child = ChildJvm.start(tmp, args.toArray(String[]::new))) {
      child.awaitLine("LOCKED ", CHILD_TIMEOUT);
      awaitAck(child, 20 + r.nextInt(300));
      Thread.sleep(r.nextInt(5)); // a seeded kill moment, while the child writes
      killed = kill(child);
    }
    // Retention keeps a suffix: every record from the first one left to the last acknowledged
    // one is there, in order, and the txids go on from the last one ever handed out.
    try (RecordLog log = RecordLog.open(store)) {
      List<Record> records = log.scan();
      assertThat(records).as("seed %d", seed).isNotEmpty();
      long first = records.get(0).txid();
      for (int i = 0; i < records.size(); i++) {
        Record rec = records.get(i);
        assertThat(rec.txid()).as("seed %d", seed).isEqualTo(first + i);
        assertThat(rec.payload()).isEqualTo(ChildWriter.payload(seed, rec.txid(), 0, maxLen));
      }
      long last = records.get(records.size() - 1).txid();
      assertThat(last).as("seed %d", seed).isBetween(killed.lastAck(), killed.lastAck() + 1);
      assertThat(log.append(new byte[] {1}).txid()).isEqualTo(last + 1);
    }
  }

  /**
   * Runs a child that copies {@code store} again and again ({@code --mode=compact-to} or {@code
   * export}) into a new directory, and kills it with SIGKILL at a seeded moment after its first
   * copy; returns the directory.
   */
  private Path copyRepeatedlyThenKill(String mode, Path store) throws Exception {
    Path out = Files.createDirectory(tmp.resolve("out"));
    try (ChildJvm child =
        ChildJvm.start(
            tmp, "--mode=" + mode, "--dir=" + store, "--out=" + out, "--records=100000")) {
      child.awaitLine("LOCKED ", CHILD_TIMEOUT);
      child.awaitLine("DONE ", CHILD_TIMEOUT);
      Thread.sleep(new SplittableRandom(seed).nextInt(20)); // a seeded kill moment, mid-copy
      child.kill();
      child.awaitExit(CHILD_TIMEOUT);
    }
    return out;
  }

  /** A store with a few hundred puts and deletes over 40 keys; returns its state. */
  private static Map<String, String> fillStore(Path store, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    try (DataWal dw =
        DataWal.open(store, DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build())) {
      for (int i = 0; i < 400; i++) {
        byte[] key = ("key-" + r.nextInt(40)).getBytes(StandardCharsets.US_ASCII);
        if (r.nextInt(6) == 0) {
          dw.delete(key);
        } else {
          dw.put(key, ChildWriter.payload(seed, i, 0, 300));
        }
      }
      return kvState(dw);
    }
  }

  private static Map<String, String> kvState(DataWal dw) {
    Map<String, String> state = new java.util.TreeMap<>();
    dw.forEach(
        (k, v) ->
            state.put(
                new String(k, StandardCharsets.US_ASCII),
                new String(v, StandardCharsets.US_ASCII)));
    return state;
  }

  /**
   * What a child appends: record {@code i} is a Raw record with txid {@code i} and the payload
   * {@link ChildWriter#payload}{@code (seed, i, minLen, maxLen)}.
   */
  private record Workload(long seed, boolean fsync, int minLen, int maxLen, long maxSegmentSize) {
    static final long MAX_RECORDS = 200_000;

    ChildJvm start(Path workDir, Path store) throws IOException, InterruptedException {
      List<String> args = new ArrayList<>();
      args.add("--mode=append");
      args.add("--dir=" + store);
      args.add("--records=" + MAX_RECORDS);
      args.add("--fsync=" + fsync);
      args.add("--seed=" + seed);
      args.add("--min-len=" + minLen);
      args.add("--max-len=" + maxLen);
      if (maxSegmentSize > 0) {
        args.add("--max-segment-size=" + maxSegmentSize);
      }
      ChildJvm child = ChildJvm.start(workDir, args.toArray(String[]::new));
      try {
        child.awaitLine("LOCKED ", CHILD_TIMEOUT);
      } catch (AssertionError | InterruptedException e) {
        child.close();
        throw e;
      }
      return child;
    }

    byte[] payload(long i) {
      return ChildWriter.payload(seed, i, minLen, maxLen);
    }

    /** The records are 1..n with their payloads, n is the last ack or one more (in flight). */
    void assertPrefix(List<Record> records, Killed killed) {
      for (int j = 0; j < records.size(); j++) {
        Record rec = records.get(j);
        long i = j + 1L;
        assertThat(rec.txid()).as("txid of record %s", i).isEqualTo(i);
        assertThat(rec.type()).isEqualTo(RecordType.RAW);
        assertThat(rec.key()).isEmpty();
        assertThat(rec.payload()).as("payload of record %s", i).isEqualTo(payload(i));
      }
      assertThat((long) records.size())
          .as(
              "records recovered after the child acknowledged %s (fsync=%s)",
              killed.lastAck(), fsync)
          .isBetween(killed.lastAck(), killed.lastAck() + 1);
    }
  }

  /** What the parent knew when the child died: the highest acknowledged record. */
  private record Killed(long lastAck) {}

  private static Killed kill(ChildJvm child) throws InterruptedException {
    child.kill();
    child.awaitExit(CHILD_TIMEOUT); // reads what the child wrote before it died
    long lastAck = 0;
    for (String line : child.seen()) {
      if (line.startsWith("ACK ")) {
        lastAck = Math.max(lastAck, Long.parseLong(line.substring(4).trim()));
      }
    }
    assertThat(child.seen()).as("the child was killed before it finished").doesNotContain("DONE");
    return new Killed(lastAck);
  }

  /** Waits until the child acknowledged record {@code n}. */
  private static void awaitAck(ChildJvm child, long n) throws InterruptedException {
    long acked = 0;
    while (acked < n) {
      String line = child.awaitLine("ACK ", CHILD_TIMEOUT);
      acked = Long.parseLong(line.substring(4).trim());
    }
  }

  private static List<Path> segmentFiles(Path store) throws IOException {
    try (Stream<Path> files = Files.list(store)) {
      return files
          .filter(p -> p.getFileName().toString().matches("[0-9]{8}\\.dwal"))
          .sorted()
          .toList();
    }
  }

  private static void announce(String what, long seed) {
    System.out.println("SigkillCrashTests: " + what + ", derived seed " + seed);
  }

  /** The seed of one repetition of one scenario, derived from the base seed. */
  private static long deriveSeed(int scenario, RepetitionInfo repetition) {
    return TestSeed.derive(BASE_SEED, scenario, repetition.getCurrentRepetition() - 1);
  }
}
