package dev.datawal;

import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.kv.KeyDirectory;
import dev.datawal.internal.kv.SegmentCompactor;
import dev.datawal.internal.kv.SegmentUsage;
import dev.datawal.internal.kv.ValueReader;
import dev.datawal.internal.log.ReadHandles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.StampedLock;

/**
 * Compaction of a {@link DataWal}: in place, segment by segment while reads and writes go on
 * ({@link #inPlace}), or into a new store ({@link #compactTo}). The store's public methods say what
 * each guarantees; this class holds how.
 *
 * <p>Thread-safety: {@link #inPlace} runs under the store's compaction lock (one at a time, and
 * never during close); it swaps a segment's file and its keys' offsets under the store's swap lock,
 * which reads validate against.
 */
final class StoreCompaction {
  private final FileIo io;
  private final RecordLog log;
  private final KeyDirectory directory;
  private final SegmentUsage usage;
  private final ReadHandles handles;
  private final StampedLock swapLock;
  private final AtomicBoolean closing;
  private final SnapshotLifecycle snapshots;

  StoreCompaction(
      FileIo io,
      RecordLog log,
      KeyDirectory directory,
      SegmentUsage usage,
      ReadHandles handles,
      StampedLock swapLock,
      AtomicBoolean closing,
      SnapshotLifecycle snapshots) {
    this.io = io;
    this.log = log;
    this.directory = directory;
    this.usage = usage;
    this.handles = handles;
    this.swapLock = swapLock;
    this.closing = closing;
    this.snapshots = snapshots;
  }

  /** See {@link DataWal#compactTo}; the caller checked the store is open. */
  CompactionStats compactTo(Path target) {
    requireEmptyTarget(io, target);
    long started = System.nanoTime();
    long stamp = swapLock.readLock(); // the places read below stay valid
    try {
      List<KeyDirectory.Item> items = directory.itemsSorted();
      long bytes = 0;
      DatawalOptions outOptions = log.options().toBuilder().fsyncPolicy(FsyncPolicy.MANUAL).build();
      try (RecordLog out = RecordLog.open(target, outOptions, io)) {
        for (KeyDirectory.Item item : items) {
          byte[] value = ValueReader.read(handles, log.dir(), item.location(), item.key());
          bytes += out.appendRecord(RecordType.PUT, item.key(), value).length();
        }
        out.fsync();
      } catch (IOException e) {
        throw Errors.readFailed(log.dir(), e);
      }
      return observed(
          new CompactionStats(
              items.size(),
              items.size(),
              bytes,
              Math.max(0, log.writer().totalBytes() - bytes),
              log.writer().sealedSegments().size() + 1,
              1,
              Duration.ofNanos(System.nanoTime() - started)));
    } finally {
      swapLock.unlockRead(stamp);
    }
  }

  /**
   * See {@link DataWal#compact(long)}; the caller holds the store's compaction lock and checked the
   * store is open.
   */
  CompactionStats inPlace(long keepFromTxid) {
    try {
      long started = System.nanoTime();
      int segmentsBefore = log.writer().sealedSegments().size() + 1;
      long recordsWritten = 0;
      long bytesWritten = 0;
      long bytesReclaimed = 0; // per segment: appends may seal new segments meanwhile
      // Tombstones can go only while every older segment holds nothing but live Puts.
      boolean olderHoldOnlyLivePuts = true;
      // A damaged page of a snapshot in use is rebuilt from the segments it covers, which is
      // possible only until a segment changes: check every page now.
      directory.verifySnapshot();
      for (Map.Entry<Long, Long> segment : log.writer().sealedSegments().entrySet()) {
        if (closing.get()) {
          break; // close waits for compactionLock: stop here, every segment done is consistent
        }
        long id = segment.getKey();
        long size = segment.getValue();
        if (keepFromTxid != Long.MAX_VALUE && log.writer().firstTxidAfter(id) > keepFromTxid) {
          break; // it holds a record a reader still needs, and so does every later segment
        }
        if (usage.live(id) == size) {
          continue; // nothing but live Puts: nothing to gain, nothing hidden
        }
        SegmentCompactor.Output output =
            SegmentCompactor.rewrite(
                io, log.dir(), id, size, this::isLatest, !olderHoldOnlyLivePuts);
        if (output == null) {
          olderHoldOnlyLivePuts = false; // every frame still needed, tombstones included
          continue;
        }
        // The frames dropped were judged superseded by writes the key directory already shows,
        // which may not be durable yet (MANUAL, INTERVAL, or ALWAYS before its fsync). Make them
        // durable before the old frames can vanish, or a power cut could lose both.
        try {
          log.fsync();
        } catch (RuntimeException e) {
          io.deleteIfExists(
              output.output() == null
                  ? SegmentFiles.compactionOutput(log.dir(), id)
                  : output.output());
          throw e;
        }
        try {
          snapshots.deleteBeforeASegmentChanges();
          // The manifest must accept the new file (or its absence) before it can be on disk.
          log.manifest().replacing(id, output.shape());
        } catch (IOException e) {
          io.deleteIfExists(
              output.output() == null
                  ? SegmentFiles.compactionOutput(log.dir(), id)
                  : output.output());
          throw e;
        }
        swapIn(output);
        log.manifest().replaced(id, output.shape());
        recordsWritten += output.records();
        bytesWritten += output.size();
        bytesReclaimed += size - output.size();
        olderHoldOnlyLivePuts &= !output.tombstonesKept();
      }
      log.manifest().flush(); // the last swap, recorded before a snapshot can describe it
      if (!snapshots.onDisk() && !closing.get()) {
        snapshots.writeOfSealedSegments(); // else close writes one
      }
      return observed(
          new CompactionStats(
              directory.size(),
              recordsWritten,
              bytesWritten,
              bytesReclaimed,
              segmentsBefore,
              log.writer().sealedSegments().size() + 1,
              Duration.ofNanos(System.nanoTime() - started)));
    } catch (CorruptStoreException e) {
      throw log.damageFound(e); // a sealed segment it read is damaged: left as it is, recorded
    } catch (IOException e) {
      throw new DatawalException(
          "datawal: compaction of " + log.dir() + " failed: " + Errors.describe(e), e);
    }
  }

  private CompactionStats observed(CompactionStats stats) {
    log.observers().tell(o -> o.compacted(stats));
    return stats;
  }

  private boolean isLatest(byte[] key, long segment, long offset) {
    KeyDirectory.Location location = directory.get(key);
    return location != null && location.segment() == segment && location.offset() == offset;
  }

  /**
   * Makes {@code output} the segment's contents: in memory (read handle and key offsets) and on
   * disk (rename, or delete when nothing is kept) under the swap lock, then fsyncs the directory,
   * so the swap survives a power cut before the next segment's compaction relies on it.
   */
  private void swapIn(SegmentCompactor.Output output) throws IOException {
    long id = output.segment();
    Path segmentFile = SegmentFiles.path(log.dir(), id);
    Path outputFile = output.output(); // null: nothing is kept, the segment goes
    FileHandle replacement = outputFile == null ? null : io.openRead(outputFile);
    long stamp = swapLock.writeLock();
    try {
      // The file first: if that fails, nothing in memory has changed.
      if (outputFile == null || replacement == null) { // both null, or neither
        io.deleteIfExists(segmentFile);
        handles.forget(id);
      } else {
        try {
          io.atomicMove(outputFile, segmentFile);
        } catch (IOException e) {
          replacement.close();
          io.deleteIfExists(outputFile);
          throw e;
        }
        handles.replace(id, replacement);
        for (SegmentCompactor.Move move : output.moves()) {
          directory.moveIfAt(move.key(), id, move.from(), move.to());
        }
      }
    } finally {
      swapLock.unlockWrite(stamp);
    }
    io.syncDirectory(log.dir());
    log.writer().sealedSegmentChanged(id, replacement == null ? -1 : output.size());
    if (replacement == null) {
      usage.deleted(id);
    }
  }

  private static void requireEmptyTarget(FileIo io, Path target) {
    try {
      switch (io.kind(target)) {
        case MISSING -> {}
        case DIRECTORY -> {
          if (!io.list(target).isEmpty()) {
            throw new DatawalException(
                "datawal: compaction target "
                    + target
                    + " is not empty; refusing to write into it");
          }
        }
        default ->
            throw new DatawalException(
                "datawal: compaction target " + target + " exists but is not a directory");
      }
    } catch (IOException e) {
      throw new DatawalException(
          "datawal: cannot inspect compaction target " + target + ": " + Errors.describe(e), e);
    }
  }
}
