package dev.datawal.crash;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.DamageEvent;
import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.Entry;
import dev.datawal.FsyncPolicy;
import dev.datawal.Record;
import dev.datawal.RecordLog;
import dev.datawal.RecordRef;
import dev.datawal.RecordType;
import dev.datawal.RecoveryReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks one crash image with the real engine on the real file system: the image is written to a
 * directory, the store (and any export file or compaction target) reopened with {@code
 * FileIo.system()}, and everything compared with the {@link Oracle}. The first violation throws an
 * {@link AssertionError} saying what was expected and what was found.
 *
 * <p>Checks, in order: export files in the image are absent or whole and exact; the store opens
 * ({@code CorruptStoreException} is a failure); its records are the first {@code m} issued records
 * with their exact types, keys and payloads, {@code m} at least the acknowledged count and not
 * inside a record group (all of a group or none), with the txids the oracle gave them; the
 * key/value state (gets) is the replay of those records; the recovery report matches an independent
 * decode of the image (files, records, last txid, and for a damaged tail: segment, offset, byte
 * count and an evidence file holding exactly the cut bytes); evidence of a torn tail put in place
 * before the workload survives; compaction targets are absent (only if the call had not returned)
 * or open and hold a prefix of the expected Puts (all of them if it returned); a second open
 * reports no damage and the same records and state; an export now writes the right file; a new
 * write gets the next txid and survives a third open.
 */
final class CrashCheck {
  private static final Pattern SEGMENT = Pattern.compile("\\d{8}\\.dwal");
  static final byte[] PROBE_KEY = "~probe".getBytes(StandardCharsets.US_ASCII);

  private final Workload workload;
  private final Oracle oracle;
  private final CrashImage image;
  private final Path real;
  private final DatawalOptions checkOptions;

  CrashCheck(Workload workload, Oracle oracle, CrashImage image, Path real) {
    this.workload = workload;
    this.oracle = oracle;
    this.image = image;
    this.real = real;
    this.checkOptions = workload.options().toBuilder().fsyncPolicy(FsyncPolicy.ALWAYS).build();
  }

  void run() {
    image.materialize(real);
    checkExportFilesInImage();
    Path store = real.resolve(Session.STORE);
    Disk disk = Disk.of(store);
    Observed first;
    try (Opened s = open(store, "the store (first reopen)", disk)) {
      first = s.observe();
      checkAgainstOracle(first);
      checkReport("store", first, disk, store);
    }
    checkEvidence(store);
    checkCompactionTargets();

    Observed second;
    try (Opened s = open(store, "the store (second reopen)", null)) {
      second = s.observe();
      check(
          !second.report.damageFound() && second.report.tailTruncated() == 0,
          "second reopen after recovery still reports damage: %s %s",
          second.report.summary(),
          second.report.damage());
      check(
          second.records.equals(first.records),
          "second reopen sees other records than the first: first %s, second %s",
          first.records,
          second.records);
      check(
          Oracle.sameState(second.state, first.state),
          "second reopen sees another key/value state: first %s, second %s",
          Oracle.render(first.state),
          Oracle.render(second.state));
      reexport(s, first.state);
      long txid = s.probe();
      long last = first.records.isEmpty() ? 0 : first.records.get(first.records.size() - 1).txid();
      check(
          txid == last + 1,
          "a write after recovery got txid %d, expected %d (the last recovered txid + 1)",
          txid,
          last + 1);
      long lastAcked = oracle.acked() == 0 ? 0 : oracle.txidOf(oracle.acked() - 1);
      check(
          txid > lastAcked,
          "a write after recovery got txid %d, not above the last acknowledged record's %d:"
              + " txids repeat",
          txid,
          lastAcked);
    }
    try (Opened s = open(store, "the store (third reopen, after a write)", null)) {
      Observed third = s.observe();
      check(
          third.records.size() == first.records.size() + 1
              && third.records.subList(0, first.records.size()).equals(first.records),
          "after a write following recovery, reopen sees %s, expected the %d recovered records"
              + " plus the new one",
          third.records,
          first.records.size());
      Record added = third.records.get(third.records.size() - 1);
      check(
          Arrays.equals(added.payload(), probeValue()),
          "the write after recovery came back as %s",
          added);
      check(
          !third.report.damageFound(),
          "reopen after a write following recovery reports damage: %s",
          third.report.damage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The store against the oracle

  private void checkAgainstOracle(Observed found) {
    List<Entry> issued = oracle.issued();
    int acked = oracle.acked();
    List<Record> records = found.records;
    for (int i = 1; i < records.size(); i++) {
      check(
          records.get(i).txid() > records.get(i - 1).txid(),
          "txids do not increase in scan order: record #%d has txid %d after txid %d",
          i,
          records.get(i).txid(),
          records.get(i - 1).txid());
    }
    if (workload.rewritesLog()) {
      checkSubsequence(records, issued);
      checkStateIsSomePrefix(found);
      return;
    }
    int m = records.size();
    for (int i = 0; i < Math.min(m, issued.size()); i++) {
      Entry want = issued.get(i);
      Record got = records.get(i);
      check(
          got.type() == want.type()
              && Arrays.equals(got.key(), want.key())
              && Arrays.equals(got.payload(), want.payload()),
          "record #%d (txid %d) is %s, but the %s record #%d was %s",
          i,
          got.txid(),
          describe(got),
          i < acked ? "acknowledged" : "in-flight",
          i,
          Oracle.describe(want));
      check(
          got.txid() == oracle.txidOf(i),
          "record #%d has txid %d, expected %d",
          i,
          got.txid(),
          oracle.txidOf(i));
    }
    for (Oracle.Group g : oracle.groups()) {
      check(
          m <= g.from() || m >= g.to(),
          "record group of issued records #%d to #%d is only partly recovered: the store holds"
              + " %d records, ending inside it",
          g.from(),
          g.to() - 1,
          m);
    }
    check(
        m <= issued.size(),
        "the store holds %d records but only %d were ever issued; unexpected: %s",
        m,
        issued.size(),
        records.subList(Math.min(m, issued.size()), m));
    check(
        m >= acked,
        "acknowledged write lost: the store holds %d records, but %d were acknowledged; first"
            + " missing: #%d %s",
        m,
        acked,
        m,
        m < issued.size() ? Oracle.describe(issued.get(m)) : "?");
    if (workload.kind() == Workload.StoreKind.KV) {
      TreeMap<byte[], byte[]> expected = oracle.stateAfter(m);
      check(
          Oracle.sameState(found.state, expected),
          "key/value state %s differs from the replay of the %d recovered records %s (%s)",
          Oracle.render(found.state),
          m,
          Oracle.render(expected),
          perKey(found.state));
    }
  }

  /**
   * For a workload that rewrites its log: every record is an issued one, with its txid (see {@link
   * Oracle#txidOf}), in order.
   */
  private void checkSubsequence(List<Record> records, List<Entry> issued) {
    for (Record got : records) {
      long t = got.txid();
      int index = oracle.indexOfTxid(t);
      check(
          index >= 0,
          "record %s has txid %d, which no issued record of the %d has",
          describe(got),
          t,
          issued.size());
      Entry want = issued.get(index);
      check(
          got.type() == want.type()
              && Arrays.equals(got.key(), want.key())
              && Arrays.equals(got.payload(), want.payload()),
          "record with txid %d is %s, but the record issued with that txid was %s",
          t,
          describe(got),
          Oracle.describe(want));
    }
  }

  /** For a workload that rewrites its log: the state equals some allowed prefix state. */
  private void checkStateIsSomePrefix(Observed found) {
    for (int m = oracle.acked(); m <= oracle.issued().size(); m++) {
      if (Oracle.sameState(found.state, oracle.stateAfter(m))) {
        return;
      }
    }
    check(
        false,
        "key/value state %s is not the state after any allowed prefix (%s)",
        Oracle.render(found.state),
        perKey(found.state));
  }

  /** Per key: found, last acknowledged, and in-flight values. */
  private String perKey(Map<byte[], byte[]> found) {
    TreeMap<byte[], byte[]> acked = oracle.stateAfter(oracle.acked());
    TreeMap<byte[], String> keys = new TreeMap<>(Arrays::compareUnsigned);
    for (byte[] k : found.keySet()) {
      keys.put(k, "");
    }
    for (byte[] k : acked.keySet()) {
      keys.put(k, "");
    }
    for (Entry e : oracle.issued()) {
      if (e.type() != RecordType.RAW) {
        keys.put(e.key(), "");
      }
    }
    StringBuilder sb = new StringBuilder();
    for (byte[] k : keys.keySet()) {
      byte[] f = found.get(k);
      byte[] a = acked.get(k);
      if ((f == null) == (a == null) && (f == null || Arrays.equals(f, a))) {
        continue;
      }
      List<String> inFlight = new ArrayList<>();
      for (Entry e : oracle.issued().subList(oracle.acked(), oracle.issued().size())) {
        if (Arrays.equals(e.key(), k)) {
          inFlight.add(Oracle.describe(e));
        }
      }
      sb.append(sb.length() == 0 ? "" : "; ")
          .append(Oracle.text(k))
          .append(": found ")
          .append(f == null ? "absent" : Oracle.value(f))
          .append(", acknowledged ")
          .append(a == null ? "absent" : Oracle.value(a))
          .append(", in flight ")
          .append(inFlight);
    }
    return sb.length() == 0 ? "every key as acknowledged" : sb.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // The recovery report against an independent decode of the image

  private void checkReport(String what, Observed found, Disk disk, Path dir) {
    RecoveryReport r = found.report;
    check(
        !disk.mustFail(),
        "%s opened although the image holds damage recovery must refuse: %s",
        what,
        disk.describe());
    // From a key-directory snapshot, recovery reads only the segments after the part it covers:
    // a suffix of the files and of the records (the state is checked against the oracle).
    check(
        r.snapshotUsed()
            ? r.filesScanned() >= 1 && r.filesScanned() <= Math.max(1, disk.ids.size())
            : r.filesScanned() == Math.max(1, disk.ids.size()),
        "%s: report says %d files scanned, the image has %d segments (snapshot used: %s)",
        what,
        r.filesScanned(),
        disk.ids.size(),
        r.snapshotUsed());
    check(
        (r.snapshotUsed()
                ? r.recordsReplayed() <= found.records.size()
                : r.recordsReplayed() == found.records.size())
            && found.records.size() == disk.frames.size(),
        "%s: report says %d records replayed, scan returned %d, the image's valid prefix has %d"
            + " (snapshot used: %s)",
        what,
        r.recordsReplayed(),
        found.records.size(),
        disk.frames.size(),
        r.snapshotUsed());
    for (int i = 0; i < disk.frames.size(); i++) {
      Frames.Frame f = disk.frames.get(i);
      Record got = found.records.get(i);
      check(
          got.txid() == f.txid()
              && got.type() == f.type()
              && Arrays.equals(got.key(), f.key())
              && Arrays.equals(got.payload(), f.payload())
              && got.offset() == f.offset()
              && got.segment() == disk.segmentOf.get(i),
          "%s: record #%d is %s but the image holds %s at segment %d offset %d",
          what,
          i,
          got,
          f.type() + " txid " + f.txid(),
          disk.segmentOf.get(i),
          f.offset());
    }
    long lastTxid =
        found.records.isEmpty() ? 0 : found.records.get(found.records.size() - 1).txid();
    check(
        r.lastTxidSeen() == lastTxid,
        "%s: report says last txid %d, the records end at %d",
        what,
        r.lastTxidSeen(),
        lastTxid);
    long discarded = disk.ids.isEmpty() ? 0 : disk.lastBytes.length - disk.lastValidEnd;
    if (discarded == 0) {
      check(
          r.tailTruncated() == 0 && r.tailBytesDiscarded() == 0 && r.damage().isEmpty(),
          "%s: the image has no damaged tail, but the report says %s %s",
          what,
          r.summary(),
          r.damage());
      return;
    }
    long lastId = disk.ids.get(disk.ids.size() - 1);
    check(
        r.tailTruncated() == 1 && r.tailBytesDiscarded() == discarded && r.damage().size() == 1,
        "%s: the image's last segment %d has %d damaged bytes from offset %d, but the report"
            + " says %s %s",
        what,
        lastId,
        discarded,
        disk.lastValidEnd,
        r.summary(),
        r.damage());
    DamageEvent event = r.damage().get(0);
    check(
        event.segment() == lastId
            && event.offset() == disk.lastValidEnd
            && event.bytes() == discarded,
        "%s: damage event %s, expected segment %d offset %d bytes %d",
        what,
        event,
        lastId,
        disk.lastValidEnd,
        discarded);
    byte[] tail = Arrays.copyOfRange(disk.lastBytes, disk.lastValidEnd, disk.lastBytes.length);
    Optional<byte[]> kept = read(event.keptIn());
    check(
        kept.isPresent() && Arrays.equals(kept.get(), tail),
        "%s: the damaged tail (%d bytes) is not kept byte for byte in %s (found %s)",
        what,
        tail.length,
        event.keptIn(),
        kept.map(b -> b.length + " bytes").orElse("no file"));
    long size = size(dir.resolve(String.format("%08d.dwal", lastId)));
    check(
        size == disk.lastValidEnd,
        "%s: after recovery segment %d is %d bytes, expected its valid end %d",
        what,
        lastId,
        size,
        disk.lastValidEnd);
  }

  /** A torn tail put in place before the workload survives in an evidence file. */
  private void checkEvidence(Path store) {
    List<String> names = names(store);
    for (String name : names) {
      check(
          !(name.contains(".torn-at-") && name.endsWith(".tmp")),
          "a temporary evidence file %s is left after a successful open",
          name);
    }
    for (Oracle.Evidence e : oracle.evidence()) {
      String base = e.segment() + ".torn-at-" + e.validEnd();
      boolean found = false;
      for (String name : names) {
        if ((name.equals(base) || name.matches(Pattern.quote(base) + "\\.\\d+"))
            && Arrays.equals(read(store.resolve(name)).orElse(null), e.bytes())) {
          found = true;
        }
      }
      check(
          found,
          "the torn tail of %s at %d (%d bytes) is not kept byte for byte in any %s[.N] file;"
              + " the store holds %s",
          e.segment(),
          e.validEnd(),
          e.bytes().length,
          base,
          names);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Export files and compaction targets

  private void checkExportFilesInImage() {
    Map<String, List<Oracle.Export>> byPath = new LinkedHashMap<>();
    for (Oracle.Export e : oracle.exports()) {
      byPath.computeIfAbsent(e.path, p -> new ArrayList<>()).add(e);
    }
    for (Map.Entry<String, List<Oracle.Export>> calls : byPath.entrySet()) {
      List<Oracle.Export> list = calls.getValue();
      int lastAcked = -1;
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i).acked) {
          lastAcked = i;
        }
      }
      Optional<byte[]> file = image.file(calls.getKey());
      if (file.isEmpty()) {
        check(
            lastAcked < 0,
            "export file %s is missing, but exportJsonl #%d to it returned",
            calls.getKey(),
            lastAcked + 1);
        continue;
      }
      boolean match = false;
      for (int i = Math.max(0, lastAcked); i < list.size(); i++) {
        match |= Arrays.equals(file.get(), list.get(i).content);
      }
      check(
          match,
          "export file %s (%d bytes) is not the whole output of the last returned export or of the"
              + " one in flight: %s; allowed: %s",
          calls.getKey(),
          file.get().length,
          snippet(file.get()),
          list.subList(Math.max(0, lastAcked), list.size()).stream()
              .map(e -> snippet(e.content))
              .toList());
    }
  }

  private void reexport(Opened s, TreeMap<byte[], byte[]> state) {
    if (s.kv == null) {
      return;
    }
    for (String path : oracle.exports().stream().map(e -> e.path).distinct().toList()) {
      Path file = real.resolve(path);
      s.kv.exportJsonl(file);
      byte[] want = Oracle.exportOf(state);
      Optional<byte[]> got = read(file);
      check(
          got.isPresent() && Arrays.equals(got.get(), want),
          "exporting again after recovery wrote %s, expected %s",
          got.map(CrashCheck::snippet).orElse("no file"),
          snippet(want));
      check(
          Files.notExists(file.resolveSibling(file.getFileName() + ".tmp")),
          "exporting again after recovery left %s.tmp behind",
          file);
    }
  }

  private void checkCompactionTargets() {
    for (Oracle.Compaction c : oracle.compactions()) {
      Path target = real.resolve(c.target);
      if (!Files.isDirectory(target)) {
        check(!c.acked, "compaction target %s is missing, but compactTo returned", c.target);
        continue;
      }
      Disk disk = Disk.of(target);
      RecordLog out = openChecked(target, "compaction target " + c.target, disk);
      try (out) {
        Observed found = new Observed(out.scan(), out.recoveryReport(), new TreeMap<>());
        checkReport("compaction target " + c.target, found, disk, target);
        List<Record> records = found.records;
        check(
            records.size() <= c.expected.size(),
            "compaction target %s holds %d records, the live state has %d keys",
            c.target,
            records.size(),
            c.expected.size());
        for (int i = 0; i < records.size(); i++) {
          Record got = records.get(i);
          Entry want = c.expected.get(i);
          check(
              got.type() == RecordType.PUT
                  && got.txid() == i + 1
                  && Arrays.equals(got.key(), want.key())
                  && Arrays.equals(got.payload(), want.payload()),
              "compaction target %s record #%d is %s, expected %s with txid %d",
              c.target,
              i,
              describe(got),
              Oracle.describe(want),
              i + 1);
        }
        check(
            !c.acked || records.size() == c.expected.size(),
            "compactTo returned, but its target %s holds %d of the %d live keys",
            c.target,
            records.size(),
            c.expected.size());
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Opening the store with the real engine

  private Opened open(Path store, String what, Disk disk) {
    if (workload.kind() == Workload.StoreKind.LOG) {
      return new Opened(openChecked(store, what, disk), null);
    }
    try {
      return new Opened(null, DataWal.open(store, checkOptions));
    } catch (CorruptStoreException e) {
      throw refusedOrFailed(store, what, disk, e);
    } catch (RuntimeException e) {
      throw notOpened(what, disk, e);
    }
  }

  /** Opens a RecordLog with the real engine, failing (or refusing, see {@link Refused}) clearly. */
  private RecordLog openChecked(Path store, String what, Disk disk) {
    try {
      return RecordLog.open(store, checkOptions);
    } catch (CorruptStoreException e) {
      throw refusedOrFailed(store, what, disk, e);
    } catch (RuntimeException e) {
      throw notOpened(what, disk, e);
    }
  }

  private AssertionError refusedOrFailed(
      Path store, String what, Disk disk, CorruptStoreException e) {
    if (disk != null && refusedByVersionRule(e, disk)) {
      Disk after = Disk.of(store);
      check(
          after.sameSegments(disk),
          "the open of %s failed with %s and changed the segments on disk",
          what,
          e.getMessage());
      return new Refused(
          what + ": the format's newer-version rule refuses the torn tail: " + e.getMessage(), e);
    }
    return notOpened(what, disk, e);
  }

  /**
   * Whether the open failed on a frame of an "unsupported version" that starts in the damaged tail
   * of the last segment, whose version field holds 2 to 255 (a version a newer format may have) and
   * lies wholly in the garbage the crash left. The engine only ever writes version 1, so such a
   * frame is a torn header: the magic reached the disk and the version bytes did not. The format
   * refuses it by design; see {@link Refused}. Any other version in a torn header (0, or above 255:
   * nearly all garbage) is damage that recovery must tolerate, so refusing it is a failure.
   */
  private boolean refusedByVersionRule(CorruptStoreException e, Disk disk) {
    if (e.kind() != CorruptionKind.UNSUPPORTED_VERSION
        || disk.ids.isEmpty()
        || disk.sealedDamage != null) {
      return false;
    }
    long last = disk.ids.get(disk.ids.size() - 1);
    long at = e.offset();
    if (e.segment() != last || at < disk.lastValidEnd || at + 6 > disk.lastBytes.length) {
      return false;
    }
    int version =
        Byte.toUnsignedInt(disk.lastBytes[(int) at + 4])
            | Byte.toUnsignedInt(disk.lastBytes[(int) at + 5]) << 8;
    OptionalInt garbage = image.garbageFrom(Session.STORE + "/" + String.format("%08d.dwal", last));
    return version >= 2 && version <= 255 && garbage.isPresent() && at + 4 >= garbage.getAsInt();
  }

  private static AssertionError notOpened(String what, Disk disk, RuntimeException e) {
    return new AssertionError(
        what
            + " does not open: "
            + e
            + (disk != null ? "; independent decode of the image: " + disk.describe() : ""),
        e);
  }

  /**
   * The store does not open because the crash tore a frame header right after its magic and left
   * garbage in the version field that reads as 2 to 255: a version a newer format may have, which
   * the format never discards, even in a torn tail (format.md). Garbage reads as such a version
   * only when its high byte is 0 and the torn point is exactly after the magic, about one torn
   * header in 256; every other garbage version (0, or above 255) must recover. Not an engine bug
   * but the price of that rule; the sweep counts these apart from failures (and fails on them with
   * {@code -Ddatawal.crash.strictVersion=true}). The open changed nothing on disk (checked).
   */
  static final class Refused extends AssertionError {
    private static final long serialVersionUID = 1L;

    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private byte[] probeValue() {
    return ("written after recovery of image " + Long.toHexString(image.seed()))
        .getBytes(StandardCharsets.US_ASCII);
  }

  private record Observed(
      List<Record> records, RecoveryReport report, TreeMap<byte[], byte[]> state) {}

  private final class Opened implements AutoCloseable {
    final RecordLog log;
    final DataWal kv;

    Opened(RecordLog log, DataWal kv) {
      this.log = log;
      this.kv = kv;
    }

    Observed observe() {
      RecordLog l = kv != null ? kv.log() : log;
      TreeMap<byte[], byte[]> state = new TreeMap<>(Arrays::compareUnsigned);
      if (kv != null) {
        for (byte[] k : kv.keys()) {
          state.put(k, kv.get(k).orElseThrow(() -> new AssertionError("listed key has no value")));
        }
        check(
            kv.size() == state.size(), "size() is %d but keys() lists %d", kv.size(), state.size());
        state.remove(PROBE_KEY);
      }
      return new Observed(l.scan(), l.recoveryReport(), state);
    }

    long probe() {
      RecordRef ref = kv != null ? kv.put(PROBE_KEY, probeValue()) : log.append(probeValue());
      return ref.txid();
    }

    @Override
    public void close() {
      if (kv != null) {
        kv.close();
      } else {
        log.close();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Independent decode of a store directory

  /** What the image holds in a store directory, decoded without the engine. */
  private static final class Disk {
    final List<Long> ids = new ArrayList<>();
    final List<Frames.Frame> frames = new ArrayList<>();
    final List<Long> segmentOf = new ArrayList<>();
    byte[] lastBytes = new byte[0];
    int lastValidEnd;
    String sealedDamage;
    int followerAfterDamage = -1;
    int versionDamagedFrame = -1;
    int groupMismatch = -1;

    static Disk of(Path dir) {
      Disk d = new Disk();
      if (!Files.isDirectory(dir)) {
        return d;
      }
      for (String name : names(dir)) {
        if (SEGMENT.matcher(name).matches() && Files.isRegularFile(dir.resolve(name))) {
          d.ids.add(Long.parseLong(name.substring(0, 8)));
        }
      }
      d.ids.sort(null);
      for (int i = 0; i < d.ids.size(); i++) {
        long id = d.ids.get(i);
        byte[] bytes = read(dir.resolve(String.format("%08d.dwal", id))).orElseThrow();
        Frames.Prefix p = Frames.validPrefix(bytes);
        for (Frames.Frame f : p.frames()) {
          d.frames.add(f);
          d.segmentOf.add(id);
        }
        if (p.groupMismatch() && d.groupMismatch < 0) {
          d.groupMismatch = p.validEnd();
        }
        if (i < d.ids.size() - 1) {
          if (p.validEnd() != bytes.length && d.sealedDamage == null) {
            d.sealedDamage =
                "sealed segment "
                    + id
                    + " is damaged at offset "
                    + p.validEnd()
                    + " of "
                    + bytes.length;
          }
        } else {
          d.lastBytes = bytes;
          d.lastValidEnd = p.validEnd();
          if (p.validEnd() < bytes.length) {
            // Damage that cut a record group short is where its members end, not its marker.
            d.followerAfterDamage = Frames.validFrameAfter(bytes, p.damageAt() + 1);
            d.versionDamagedFrame = Frames.versionDamagedFrameFrom(bytes, p.damageAt());
          }
        }
      }
      return d;
    }

    boolean sameSegments(Disk other) {
      return ids.equals(other.ids)
          && frames.size() == other.frames.size()
          && Arrays.equals(lastBytes, other.lastBytes);
    }

    boolean mustFail() {
      return sealedDamage != null
          || followerAfterDamage >= 0
          || versionDamagedFrame >= 0
          || groupMismatch >= 0;
    }

    String describe() {
      StringBuilder sb = new StringBuilder();
      sb.append("segments ").append(ids).append(", ").append(frames.size()).append(" valid frames");
      if (!ids.isEmpty()) {
        sb.append(", last segment ")
            .append(lastBytes.length)
            .append(" bytes valid to ")
            .append(lastValidEnd);
      }
      if (sealedDamage != null) {
        sb.append(", ").append(sealedDamage);
      }
      if (followerAfterDamage >= 0) {
        sb.append(", a valid frame follows the damage at offset ").append(followerAfterDamage);
      }
      if (versionDamagedFrame >= 0) {
        sb.append(", a whole frame with damaged version bytes is in the damage at offset ")
            .append(versionDamagedFrame);
      }
      if (groupMismatch >= 0) {
        sb.append(", a group marker at offset ")
            .append(groupMismatch)
            .append(" disagrees with the frames after it");
      }
      return sb.toString();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static void check(boolean ok, String format, Object... args) {
    if (!ok) {
      throw new AssertionError(String.format(format, args));
    }
  }

  private static String describe(Record r) {
    Entry e = new Entry(r.type(), r.key(), r.payload());
    return Oracle.describe(e);
  }

  private static String snippet(byte[] b) {
    String s = new String(b, 0, Math.min(b.length, 80), StandardCharsets.ISO_8859_1);
    return b.length + " bytes \"" + s.replace("\n", "\\n") + (b.length > 80 ? "…" : "") + "\"";
  }

  static List<String> names(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<byte[]> read(Path file) {
    try {
      return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
