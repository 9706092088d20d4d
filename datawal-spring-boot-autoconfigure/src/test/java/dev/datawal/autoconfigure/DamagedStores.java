package dev.datawal.autoconfigure;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Key/value stores with damage that an open from the key-directory snapshot does not see, but a
 * verification of the sealed segments (or a get of the damaged key) finds.
 */
public final class DamagedStores {
  /** Big enough that a segment's middle lies before the last 4 KiB the open's shape check reads. */
  public static final int SEGMENT_SIZE = 16 * 1024;

  private static final int HEADER = 24;
  private static final int CRC = 4;

  private DamagedStores() {}

  /**
   * Where the damage is.
   *
   * @param segment the damaged sealed segment
   * @param offset the damaged frame's offset in it
   * @param key the key whose Put that frame is
   */
  public record Damage(long segment, long offset, String key) {}

  /**
   * Writes a key/value store of a few sealed segments, closes it cleanly (so the next open starts
   * from the snapshot and reads no sealed segment), then flips a payload byte of the middle frame
   * of segment 1 and fixes nothing: a CRC mismatch inside a sealed segment.
   */
  public static Damage crcMismatchInASealedSegment(Path dir) throws IOException {
    DatawalOptions small = DatawalOptions.builder().maxSegmentSize(SEGMENT_SIZE).build();
    try (DataWal kv = DataWal.open(dir, small)) {
      byte[] value = "v".repeat(100).getBytes(UTF_8);
      for (int i = 0; i < 400; i++) {
        kv.put(String.format("key-%04d", i).getBytes(UTF_8), value);
      }
      if (kv.log().segmentSizes().size() < 3) {
        throw new IllegalStateException("expected at least 3 segments");
      }
    }
    Path segment = dir.resolve("00000001.dwal");
    byte[] bytes = Files.readAllBytes(segment);
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    List<Integer> frames = new ArrayList<>();
    for (int at = 0; at < bytes.length; ) {
      frames.add(at);
      at += HEADER + buf.getInt(at + 16) + buf.getInt(at + 20) + CRC;
    }
    int frame = frames.get(frames.size() / 2);
    int keyLength = buf.getInt(frame + 16);
    if (frame + HEADER + keyLength >= bytes.length - 4096) {
      throw new IllegalStateException("the middle frame is in the segment's last 4 KiB");
    }
    bytes[frame + HEADER + keyLength] ^= 0x01; // the payload's first byte
    Files.write(segment, bytes);
    return new Damage(1, frame, new String(bytes, frame + HEADER, keyLength, UTF_8));
  }
}
