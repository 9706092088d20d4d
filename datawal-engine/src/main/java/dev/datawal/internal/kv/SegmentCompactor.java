package dev.datawal.internal.kv;

import dev.datawal.CorruptStoreException;
import dev.datawal.RecordType;
import dev.datawal.internal.format.FrameDigest;
import dev.datawal.internal.format.FrameFormat;
import dev.datawal.internal.format.SegmentFiles;
import dev.datawal.internal.format.SegmentScanner;
import dev.datawal.internal.format.SegmentTail;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.io.PositionalWriter;
import dev.datawal.internal.log.LogScanner;
import dev.datawal.internal.log.StoreManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Writes the compacted contents of one sealed segment to {@code <segment>.compacting}: the frames
 * still needed, byte for byte as they were (same type, txid, key and payload, so the same CRC), in
 * their original order. The caller swaps it in with an atomic rename; until then the segment is
 * untouched, and recovery deletes an output it finds left over.
 *
 * <p>A frame is still needed if it is a Put the key directory points at, or a tombstone that may
 * still hide an older Put in an older segment. Raw records, superseded Puts and the markers of
 * record groups are dropped.
 */
public final class SegmentCompactor {
  /** Whether a Put at a place is the latest of its key. */
  @FunctionalInterface
  public interface LiveCheck {
    boolean isLatest(byte[] key, long segment, long offset);
  }

  /**
   * A key whose latest Put moves within the segment.
   *
   * @param key the key
   * @param from its old offset
   * @param to its offset in the output
   */
  public record Move(byte[] key, long from, long to) {}

  /**
   * A written output.
   *
   * @param segment the segment it replaces
   * @param output the output file, forced, or {@code null} when nothing is left to keep
   * @param size the output's size
   * @param records frames kept
   * @param tombstonesKept whether any kept frame is a tombstone
   * @param moves where each kept Put moves
   * @param shape what the output holds, as the manifest records a segment ({@code null} when
   *     nothing is kept)
   */
  public record Output(
      long segment,
      @Nullable Path output,
      long size,
      long records,
      boolean tombstonesKept,
      List<Move> moves,
      StoreManifest.@Nullable Shape shape) {}

  private static final int BUFFER = 256 * 1024;

  private SegmentCompactor() {}

  /**
   * Writes the needed frames of sealed segment {@code id} ({@code size} bytes) to its output, or
   * returns {@code null} if every frame is needed (nothing to gain).
   *
   * @param keepTombstones whether tombstones may still hide Puts in older segments
   * @throws CorruptStoreException if the segment does not decode cleanly (nothing is changed)
   */
  public static @Nullable Output rewrite(
      FileIo io, Path dir, long id, long size, LiveCheck live, boolean keepTombstones)
      throws IOException {
    Path outPath = SegmentFiles.compactionOutput(dir, id);
    List<Move> moves = new ArrayList<>();
    long kept = 0;
    long dropped = 0;
    long firstTxid = 0;
    long lastTxid = 0;
    long digest = FrameDigest.EMPTY;
    boolean tombstones = false;
    io.deleteIfExists(outPath);
    try (LogScanner scanner =
            new LogScanner(
                io,
                dir,
                List.of(new LogScanner.Span(id, size)),
                false,
                SegmentScanner.Content.ALL);
        FileHandle out = io.openWrite(outPath, true)) {
      PositionalWriter writer = new PositionalWriter(out, BUFFER);
      while (scanner.next()) {
        SegmentScanner frame = scanner.current();
        byte[] key = Objects.requireNonNull(frame.key(), "scanned with Content.ALL");
        boolean keep =
            switch (frame.type()) {
              case PUT -> live.isLatest(key, id, frame.frameOffset());
              case DELETE -> keepTombstones;
              case RAW -> false;
            };
        if (!keep) {
          dropped++;
          continue;
        }
        if (frame.type() == RecordType.PUT) {
          moves.add(new Move(key, frame.frameOffset(), writer.position()));
        } else {
          tombstones = true;
        }
        byte[] payload = Objects.requireNonNull(frame.payload(), "scanned with Content.ALL");
        writer.write(FrameFormat.encode(frame.type(), frame.txid(), key, payload));
        if (kept++ == 0) {
          firstTxid = frame.txid();
        }
        lastTxid = frame.txid();
        digest =
            FrameDigest.next(digest, frame.txid(), frame.frameCrc()); // the same bytes: same CRC
      }
      // Markers of record groups are framing, never returned by the scan and never kept: a sealed
      // segment's groups are whole, and what is left of one after compaction is plain records.
      dropped += scanner.groupMarkers();
      writer.flush();
      long written = writer.position();
      if (dropped == 0 || kept == 0) {
        io.deleteIfExists(outPath); // nothing to gain, or nothing to keep: the segment goes
        return dropped == 0 ? null : new Output(id, null, 0, 0, false, List.of(), null);
      }
      out.force(); // the output is on disk before any rename can make it the segment
      StoreManifest.Shape shape =
          new StoreManifest.Shape(
              written, kept, firstTxid, lastTxid, digest, SegmentTail.crc(out, written));
      return new Output(id, outPath, written, kept, tombstones, moves, shape);
    } catch (IOException | RuntimeException e) {
      io.deleteIfExists(outPath);
      throw e;
    }
  }
}
