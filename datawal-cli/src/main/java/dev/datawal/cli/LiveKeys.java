package dev.datawal.cli;

import dev.datawal.CorruptStoreException;
import dev.datawal.CorruptionKind;
import dev.datawal.RecordType;
import dev.datawal.tools.SegmentWalker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The key/value projection of a log, as {@code DataWal} builds it: for each live key, where its
 * latest Put lies. A Put sets a key, a Delete removes it, Raw records are ignored. Values stay on
 * disk; {@link #value} reads one and checks it as {@code DataWal.get} does.
 *
 * <p>Not thread-safe.
 */
final class LiveKeys {
  /** Where a live key's latest Put lies. */
  record Location(long segment, long offset) {}

  private final Map<Key, Location> keys = new HashMap<>();

  /** Applies every frame of {@code walk}'s valid prefix; stops where the walk stops. */
  static LiveKeys of(LogWalk walk) {
    LiveKeys live = new LiveKeys();
    for (SegmentWalker.Frame f = walk.next(); f != null; f = walk.next()) {
      live.apply(f);
    }
    return live;
  }

  void apply(SegmentWalker.Frame frame) {
    switch (frame.type()) {
      case PUT -> keys.put(new Key(frame.key()), new Location(frame.segment(), frame.offset()));
      case DELETE -> keys.remove(new Key(frame.key()));
      case RAW -> {}
    }
  }

  int size() {
    return keys.size();
  }

  /** The live keys in unsigned byte order, with their locations. */
  List<Map.Entry<Key, Location>> byKey() {
    List<Map.Entry<Key, Location>> entries = new ArrayList<>(keys.entrySet());
    entries.sort(Map.Entry.comparingByKey());
    return entries;
  }

  /** The live keys in file order (segment, then offset), for reading them sequentially. */
  List<Map.Entry<Key, Location>> byLocation() {
    List<Map.Entry<Key, Location>> entries = new ArrayList<>(keys.entrySet());
    entries.sort(
        Comparator.comparing(
            (Map.Entry<Key, Location> e) -> e.getValue(),
            Comparator.comparingLong(Location::segment).thenComparingLong(Location::offset)));
    return entries;
  }

  /**
   * Reads the value of {@code key} at {@code location} end to end: the whole frame, its CRC, that
   * it is a Put, and that its key is {@code key}.
   *
   * @throws CorruptStoreException if any check fails
   */
  static byte[] value(LogWalk walk, Path dir, Key key, Location location) {
    SegmentWalker.Frame frame = walk.read(location.segment(), location.offset());
    if (frame.type() != RecordType.PUT || !Arrays.equals(frame.key(), key.bytes())) {
      Path file = dir.resolve(SegmentFileNames.name(location.segment()));
      throw new CorruptStoreException(
          CorruptionKind.STRUCTURAL,
          file,
          location.segment(),
          location.offset(),
          "datawal: structural damage reading a value in segment "
              + location.segment()
              + " at offset "
              + location.offset()
              + " ("
              + file
              + "): the frame there is not the Put of the key asked for");
    }
    return frame.toRecord().payload(); // read() reads the payload
  }
}
