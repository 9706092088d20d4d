package dev.datawal.crash;

import dev.datawal.CrashBridge;
import dev.datawal.DataWal;
import dev.datawal.Entry;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RecordType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One run of a {@link Workload} on one {@link CrashFs}: the open store and the {@link Oracle}. Its
 * methods call the engine and tell the oracle what was issued before the call and what was
 * acknowledged after it returned, so a {@link PowerCut} leaves the oracle describing exactly what
 * was in flight.
 *
 * <p>Layout below the mount point: the store in {@value #STORE}, export files in {@value #EXPORT}
 * (created, durably, before the script runs), compaction targets in {@value #COMPACT}.
 */
public final class Session {
  static final String STORE = "store";
  static final String EXPORT = "export";
  static final String COMPACT = "compact";

  private final Workload workload;
  private final CrashFs fs;
  private final Oracle oracle = new Oracle();
  private final Path store;
  private RecordLog log;
  private DataWal kv;

  Session(Workload workload, CrashFs fs) {
    this.workload = workload;
    this.fs = fs;
    this.store = fs.mount().resolve(STORE);
    try {
      fs.createDirectories(fs.mount().resolve(EXPORT));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public CrashFs fs() {
    return fs;
  }

  public Oracle oracle() {
    return oracle;
  }

  /** The store directory (a path in the simulated file system). */
  public Path store() {
    return store;
  }

  /** The open log (for a KV workload, the DataWal's log). */
  public RecordLog log() {
    return kv != null ? kv.log() : log;
  }

  /** The open key/value store. */
  public DataWal kv() {
    return kv;
  }

  private boolean always() {
    return workload.options().fsyncPolicy() == FsyncPolicy.ALWAYS;
  }

  /** Acknowledges what a write that returned promised under the workload's policy. */
  private void written() {
    if (always()) {
      oracle.ackAll();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Opening and closing

  /** Opens (and recovers) the store with the workload's options. */
  public void open() {
    if (workload.kind() == Workload.StoreKind.LOG) {
      log = CrashBridge.openLog(store, workload.options(), fs);
    } else {
      kv = CrashBridge.openKv(store, workload.options(), fs);
    }
  }

  /** Closes the store; its close makes every write durable. */
  public void close() {
    if (kv != null) {
      kv.close();
    } else {
      log.close();
    }
    kv = null;
    log = null;
    oracle.ackAll();
  }

  /** Closes and opens again: the reopen's recovery steps are crash points too. */
  public void reopen() {
    close();
    open();
  }

  // ---------------------------------------------------------------------------------------------
  // Log writes

  public void append(byte[] payload) {
    oracle.issue(Entry.raw(payload));
    log().append(payload);
    written();
  }

  public void appendBatch(List<byte[]> payloads) {
    List<Entry> entries = new ArrayList<>();
    for (byte[] p : payloads) {
      entries.add(Entry.raw(p));
    }
    entries.forEach(oracle::issue);
    log().appendBatch(entries);
    written();
  }

  /** {@code appendAtomically}: Raw records as one record group. */
  public void appendAtomically(List<byte[]> payloads) {
    List<Entry> entries = new ArrayList<>();
    for (byte[] p : payloads) {
      entries.add(Entry.raw(p));
    }
    oracle.issueGroup(entries);
    log().appendAtomically(entries);
    written();
  }

  /** {@code fsync()}: everything issued before it is acknowledged when it returns. */
  public void fsync() {
    log().fsync();
    oracle.ackAll();
  }

  /**
   * {@code rotate()}: its javadoc promises "appends before this call are durable when it returns",
   * so everything issued before it is acknowledged when it returns.
   */
  public void rotate() {
    log().rotate();
    oracle.ackAll();
  }

  // ---------------------------------------------------------------------------------------------
  // Key/value writes

  public void put(byte[] key, byte[] value) {
    oracle.issue(Entry.put(key, value));
    kv.put(key, value);
    written();
  }

  public void delete(byte[] key) {
    oracle.issue(Entry.delete(key));
    kv.delete(key);
    written();
  }

  public void writeBatch(List<Entry> entries) {
    entries.forEach(oracle::issue);
    kv.writeBatch(entries);
    written();
  }

  public void writeAtomically(List<Entry> entries) {
    oracle.issueGroup(entries);
    kv.writeAtomically(entries);
    written();
  }

  /**
   * {@code exportJsonl(export/<name>)}: the file must then hold the state the store shows now (the
   * replay of every issued write).
   */
  public void exportJsonl(String name) {
    String rel = EXPORT + "/" + name;
    Oracle.Export call =
        oracle.exportStarted(rel, Oracle.exportOf(oracle.stateAfter(oracle.issued().size())));
    kv.exportJsonl(fs.mount().resolve(rel));
    call.acked = true;
  }

  /**
   * {@code compactTo(compact/<name>)}: the target must then hold one Put per live key of the state
   * the store shows now, in key order, txids from 1.
   *
   * <p>What the engine guarantees if the power goes during the call: the source is never written
   * (checked on the run without a cut: no I/O step of this op touches the store), and the target is
   * opened like any new store (its directory created durably, its first segment's name synced),
   * written under MANUAL and fsynced only at the end (rotations in between force each sealed
   * segment). So the target may be absent, an empty store, or a prefix of the sorted Puts with
   * possibly a torn tail; once the call returned, all of them.
   */
  public void compactTo(String name) {
    String rel = COMPACT + "/" + name;
    Oracle.Compaction call =
        oracle.compactionStarted(
            rel, Oracle.compactionOf(oracle.stateAfter(oracle.issued().size())));
    kv.compactTo(fs.mount().resolve(rel));
    call.acked = true;
  }

  /**
   * Runs a call that must not change the key/value state (in-place compaction, for one). Under
   * {@code ALWAYS} nothing new is acknowledged or in flight; the checks then compare states.
   */
  public void preservingState(String what, Consumer<DataWal> call) {
    call.accept(kv);
  }

  // ---------------------------------------------------------------------------------------------
  // Starting states (for setUp)

  /**
   * Appends {@code tail} to the highest segment of the closed store, durably, as a crash would
   * leave it, and tells the oracle the bytes must be kept as evidence.
   */
  public void tearLastSegment(byte[] tail) {
    if (log != null || kv != null) {
      throw new IllegalStateException("close the store before tearing its tail");
    }
    try {
      String last = null;
      for (String name : fs.list(store)) {
        if (name.matches("\\d{8}\\.dwal") && (last == null || name.compareTo(last) > 0)) {
          last = name;
        }
      }
      if (last == null) {
        throw new IllegalStateException("no segment in " + store);
      }
      try (var h = fs.openWrite(store.resolve(last), false)) {
        long end = h.size();
        h.write(ByteBuffer.wrap(tail), end);
        h.force();
        oracle.expectEvidence(last, end, tail);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A valid frame's bytes (txid, key, payload), for building torn tails. */
  public static byte[] frame(RecordType type, long txid, byte[] key, byte[] payload) {
    return Frames.encode(type, txid, key, payload);
  }
}
