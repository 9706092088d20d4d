package dev.datawal.crash;

import dev.datawal.DatawalOptions;
import dev.datawal.Entry;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The scripted workloads of the crash sweep. Each is one small class; {@link #all()} lists them. To
 * add one (in-place compaction, say), write a {@link Workload} subclass here or beside it and add
 * it to {@link #all()}.
 */
public final class Workloads {
  private Workloads() {}

  /** Every workload the sweep runs. */
  public static List<Workload> all() {
    return List.of(
        new LogManual(),
        new LogAlways(),
        new KvAlways(),
        new KvManual(),
        new KvExport(),
        new KvCompactTo(),
        new LogTornStart(),
        new KvTornStart(),
        new KvCompactInPlace(FsyncPolicy.ALWAYS),
        new KvCompactInPlace(FsyncPolicy.MANUAL),
        new LogGroups(),
        new KvGroups());
  }

  /** Options with the given policy and a small segment size, so rotation happens by itself. */
  public static DatawalOptions options(FsyncPolicy policy, long maxSegmentSize) {
    return DatawalOptions.builder().fsyncPolicy(policy).maxSegmentSize(maxSegmentSize).build();
  }

  /** Random bytes of a random length in [0, max]. */
  static byte[] bytes(SplittableRandom rnd, int max) {
    byte[] b = new byte[rnd.nextInt(max + 1)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) rnd.nextInt(256);
    }
    return b;
  }

  static byte[] key(int k) {
    return ("k" + k).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Adds {@code n} key/value writes over a small key space: puts (some of empty values), deletes
   * (some of absent keys) and batches of both.
   */
  public static void kvWrites(List<Workload.Op> ops, SplittableRandom rnd, int n) {
    for (int i = 0; i < n; i++) {
      int r = rnd.nextInt(10);
      if (r < 6) {
        byte[] k = key(rnd.nextInt(6));
        byte[] v = bytes(rnd, 60);
        ops.add(Workload.Op.of("put " + Oracle.text(k) + " " + v.length + " B", s -> s.put(k, v)));
      } else if (r < 8) {
        byte[] k = key(rnd.nextInt(6));
        ops.add(Workload.Op.of("delete " + Oracle.text(k), s -> s.delete(k)));
      } else {
        List<Entry> batch = new ArrayList<>();
        int size = 2 + rnd.nextInt(3);
        for (int j = 0; j < size; j++) {
          byte[] k = key(rnd.nextInt(6));
          batch.add(rnd.nextInt(4) == 0 ? Entry.delete(k) : Entry.put(k, bytes(rnd, 40)));
        }
        ops.add(Workload.Op.of("writeBatch of " + size, s -> s.writeBatch(batch)));
      }
    }
  }

  /** Adds an atomic write of 2 to 4 Puts and Deletes over the six keys. */
  static void writeAtomically(List<Workload.Op> ops, SplittableRandom rnd, int max) {
    List<Entry> group = new ArrayList<>();
    int size = 2 + rnd.nextInt(3);
    for (int j = 0; j < size; j++) {
      byte[] k = key(rnd.nextInt(6));
      group.add(rnd.nextInt(4) == 0 ? Entry.delete(k) : Entry.put(k, bytes(rnd, max)));
    }
    ops.add(Workload.Op.of("writeAtomically of " + size, s -> s.writeAtomically(group)));
  }

  static void append(List<Workload.Op> ops, SplittableRandom rnd, int max) {
    byte[] p = bytes(rnd, max);
    ops.add(Workload.Op.of("append " + p.length + " B", s -> s.append(p)));
  }

  static void appendBatch(List<Workload.Op> ops, SplittableRandom rnd, int max) {
    List<byte[]> batch = new ArrayList<>();
    int size = 2 + rnd.nextInt(3);
    for (int j = 0; j < size; j++) {
      batch.add(bytes(rnd, max));
    }
    ops.add(Workload.Op.of("appendBatch of " + size, s -> s.appendBatch(batch)));
  }

  /**
   * RecordLog under MANUAL: appends of random sizes, an fsync every few appends, explicit rotations
   * (also twice in a row, and with appends between), batches, and rotation by itself (256-byte
   * segments).
   */
  static final class LogManual extends Workload {
    LogManual() {
      super("log-manual", StoreKind.LOG, Workloads.options(FsyncPolicy.MANUAL, 256));
    }

    @Override
    protected List<Op> script(SplittableRandom rnd) {
      List<Op> ops = new ArrayList<>();
      ops.add(Op.of("open", Session::open));
      int unsynced = 0;
      for (int i = 0; i < 26; i++) {
        int r = rnd.nextInt(10);
        if (r < 6) {
          append(ops, rnd, 90);
          unsynced++;
        } else if (r < 8) {
          appendBatch(ops, rnd, 40);
          unsynced++;
        } else if (r < 9) {
          ops.add(Op.of("rotate", Session::rotate));
          unsynced = 0;
        } else {
          ops.add(Op.of("fsync", Session::fsync));
          unsynced = 0;
        }
        if (unsynced >= 2 + rnd.nextInt(3)) {
          ops.add(Op.of("fsync", Session::fsync));
          unsynced = 0;
        }
      }
      // Explicit rotations back to back and around appends that were never fsynced.
      append(ops, rnd, 40);
      ops.add(Op.of("rotate", Session::rotate));
      append(ops, rnd, 40);
      ops.add(Op.of("rotate", Session::rotate));
      ops.add(Op.of("rotate", Session::rotate));
      append(ops, rnd, 40);
      ops.add(Op.of("fsync", Session::fsync));
      append(ops, rnd, 40);
      ops.add(Op.of("close", Session::close));
      return ops;
    }
  }

  /** RecordLog under ALWAYS: appends and batches, acknowledged on return, with a reopen. */
  static final class LogAlways extends Workload {
    LogAlways() {
      super("log-always", StoreKind.LOG, Workloads.options(FsyncPolicy.ALWAYS, 200));
    }

    @Override
    protected List<Op> script(SplittableRandom rnd) {
      List<Op> ops = new ArrayList<>();
      ops.add(Op.of("open", Session::open));
      for (int i = 0; i < 22; i++) {
        if (i == 12) {
          ops.add(Op.of("reopen", Session::reopen));
        }
        if (rnd.nextInt(10) < 7) {
          append(ops, rnd, 70);
        } else {
          appendBatch(ops, rnd, 30);
        }
      }
      ops.add(Op.of("close", Session::close));
      return ops;
    }
  }

  /** DataWal under ALWAYS: puts, deletes and batches over six keys. */
  static final class KvAlways extends Workload {
    KvAlways() {
      super("kv-always", StoreKind.KV, Workloads.options(FsyncPolicy.ALWAYS, 300));
    }

    @Override
    protected List<Op> script(SplittableRandom rnd) {
      List<Op> ops = new ArrayList<>();
      ops.add(Op.of("open", Session::open));
      kvWrites(ops, rnd, 26);
      ops.add(Op.of("close", Session::close));
      return ops;
    }
  }

  /** DataWal under MANUAL: writes with an fsync every few, a reopen in the middle. */
  static final class KvManual extends Workload {
    KvManual() {
      super("kv-manual", StoreKind.KV, Workloads.options(FsyncPolicy.MANUAL, 300));
    }

    @Override
    protected List<Op> script(SplittableRandom rnd) {
      List<Op> ops = new ArrayList<>();
      ops.add(Op.of("open", Session::open));
      for (int round = 0; round < 6; round++) {
        kvWrites(ops, rnd, 2 + rnd.nextInt(3));
        ops.add(Op.of("fsync", Session::fsync));
        if (round == 2) {
          kvWrites(ops, rnd, 2);
          ops.add(Op.of("reopen", Session::reopen));
        }
      }
      kvWrites(ops, rnd, 3);
      ops.add(Op.of("close", Session::close));
      return ops;
    }
  }

  /** DataWal under ALWAYS, exported twice to the same file (the second replaces the first). */
  static final class KvExport extends Workload {
    KvExport() {
      super("kv-export", StoreKind.KV, Workloads.options(FsyncPolicy.ALWAYS, 400));
    }

    @Override
    protected List<Op> script(SplittableRandom rnd) {
      List<Op> ops = new ArrayList<>();
      ops.add(Op.of("open", Session::open));
      kvWrites(ops, rnd, 8);
      ops.add(Op.readingStore("exportJsonl live.jsonl", s -> s.exportJsonl("live.jsonl")));
      kvWrites(ops, rnd, 5);
      ops.add(Op.readingStore("exportJsonl live.jsonl again", s -> s.exportJsonl("live.jsonl")));
      kvWrites(ops, rnd, 3);
      ops.add(Op.of("close", Session::close));
      return ops;
    }
  }

  /**
   * DataWal under ALWAYS, compacted into another directory (150-byte segments, so the target
   * rotates), then written on.
   */
  static final class KvCompactTo extends Workload {
    KvCompactTo() {
      super("kv-compact-to", StoreKind.KV, Workloads.options(FsyncPolicy.ALWAYS, 150));
    }

    @Override
    protected List<Op> script(SplittableRandom rnd) {
      List<Op> ops = new ArrayList<>();
      ops.add(Op.of("open", Session::open));
      kvWrites(ops, rnd, 12);
      ops.add(Op.readingStore("compactTo compact/c1", s -> s.compactTo("c1")));
      kvWrites(ops, rnd, 4);
      ops.add(Op.of("close", Session::close));
      return ops;
    }
  }

  /**
   * RecordLog under ALWAYS starting from a store with a torn tail (a partial frame): the first
   * open's repair (evidence copy, rename, directory sync, truncate, force) is crash points too;
   * then appends, a reopen and more appends.
   */
  static final class LogTornStart extends Workload {
    LogTornStart() {
      super("log-torn-start", StoreKind.LOG, Workloads.options(FsyncPolicy.ALWAYS, 300));
    }

    @Override
    protected void setUp(Session s) {
      s.open();
      for (int i = 1; i <= 3; i++) {
        s.append(("setup-" + i).getBytes(StandardCharsets.US_ASCII));
      }
      s.close();
      byte[] frame = Session.frame(RecordType.RAW, 4, new byte[0], new byte[40]);
      s.tearLastSegment(Arrays.copyOf(frame, 30)); // a frame cut after 30 of its 72 bytes
    }

    @Override
    protected List<Op> script(SplittableRandom rnd) {
      List<Op> ops = new ArrayList<>();
      ops.add(Op.of("open (repairs the torn tail)", Session::open));
      for (int i = 0; i < 4; i++) {
        append(ops, rnd, 50);
      }
      ops.add(Op.of("reopen", Session::reopen));
      appendBatch(ops, rnd, 30);
      append(ops, rnd, 50);
      ops.add(Op.of("close", Session::close));
      return ops;
    }
  }

  /**
   * DataWal under MANUAL starting from a store whose last frame has a bad CRC followed by zero
   * fill, then writes, fsyncs and a reopen.
   */
  static final class KvTornStart extends Workload {
    KvTornStart() {
      super("kv-torn-start", StoreKind.KV, Workloads.options(FsyncPolicy.MANUAL, 1024));
    }

    @Override
    protected void setUp(Session s) {
      s.open();
      for (int i = 0; i < 4; i++) {
        s.put(key(i), ("v" + i).getBytes(StandardCharsets.US_ASCII));
      }
      s.close();
      byte[] frame =
          Session.frame(RecordType.PUT, 5, key(0), "lost".getBytes(StandardCharsets.UTF_8));
      frame[frame.length - 1] ^= 0x5A; // CRC mismatch
      byte[] tail = Arrays.copyOf(frame, frame.length + 16); // then zero fill
      s.tearLastSegment(tail);
    }

    @Override
    protected List<Op> script(SplittableRandom rnd) {
      List<Op> ops = new ArrayList<>();
      ops.add(Op.of("open (repairs the torn tail)", Session::open));
      kvWrites(ops, rnd, 5);
      ops.add(Op.of("fsync", Session::fsync));
      ops.add(Op.of("reopen", Session::reopen));
      kvWrites(ops, rnd, 4);
      ops.add(Op.of("fsync", Session::fsync));
      kvWrites(ops, rnd, 2);
      ops.add(Op.of("close", Session::close));
      return ops;
    }
  }

  /**
   * RecordLog under ALWAYS: atomic groups of Raw records between appends, some larger than the
   * 300-byte segments (a segment of their own), with a reopen.
   */
  static final class LogGroups extends Workload {
    LogGroups() {
      super("log-groups", StoreKind.LOG, Workloads.options(FsyncPolicy.ALWAYS, 300));
    }

    @Override
    protected List<Op> script(SplittableRandom rnd) {
      List<Op> ops = new ArrayList<>();
      ops.add(Op.of("open", Session::open));
      for (int i = 0; i < 16; i++) {
        if (i == 9) {
          ops.add(Op.of("reopen", Session::reopen));
        }
        if (rnd.nextInt(10) < 6) {
          List<byte[]> group = new ArrayList<>();
          int size = 2 + rnd.nextInt(3);
          int max = rnd.nextInt(4) == 0 ? 160 : 50;
          for (int j = 0; j < size; j++) {
            group.add(bytes(rnd, max));
          }
          ops.add(Op.of("appendAtomically of " + size, s -> s.appendAtomically(group)));
        } else {
          append(ops, rnd, 60);
        }
      }
      ops.add(Op.of("close", Session::close));
      return ops;
    }
  }

  /**
   * DataWal under MANUAL starting from a store whose last segment ends in a record group cut short
   * (its marker and the first of its two Puts): the first open drops the group and keeps its bytes
   * as evidence; then atomic groups among puts, deletes and batches, fsyncs and a reopen.
   */
  static final class KvGroups extends Workload {
    KvGroups() {
      super("kv-groups", StoreKind.KV, Workloads.options(FsyncPolicy.MANUAL, 400));
    }

    @Override
    protected void setUp(Session s) {
      s.open();
      for (int i = 0; i < 4; i++) {
        s.put(key(i), ("v" + i).getBytes(StandardCharsets.US_ASCII));
      }
      s.close();
      byte[] first = Session.frame(RecordType.PUT, 6, key(0), new byte[30]);
      byte[] second = Session.frame(RecordType.PUT, 7, key(1), new byte[30]);
      byte[] markerKey =
          ByteBuffer.allocate(27)
              .order(ByteOrder.LITTLE_ENDIAN)
              .put("\0datawal.group\0".getBytes(StandardCharsets.US_ASCII))
              .putInt(2)
              .putLong(first.length + second.length)
              .array();
      byte[] marker = Session.frame(RecordType.DELETE, 5, markerKey, new byte[0]);
      byte[] torn = Arrays.copyOf(marker, marker.length + first.length);
      System.arraycopy(first, 0, torn, marker.length, first.length);
      s.tearLastSegment(torn);
    }

    @Override
    protected List<Op> script(SplittableRandom rnd) {
      List<Op> ops = new ArrayList<>();
      ops.add(Op.of("open (drops the group cut short)", Session::open));
      for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 3; i++) {
          if (rnd.nextInt(10) < 6) {
            writeAtomically(ops, rnd, rnd.nextInt(4) == 0 ? 150 : 40);
          } else {
            kvWrites(ops, rnd, 1);
          }
        }
        ops.add(Op.of("fsync", Session::fsync));
        if (round == 2) {
          writeAtomically(ops, rnd, 40);
          ops.add(Op.of("reopen", Session::reopen));
        }
      }
      writeAtomically(ops, rnd, 40);
      ops.add(Op.of("close", Session::close));
      return ops;
    }
  }
}
