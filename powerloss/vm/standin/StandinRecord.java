import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** The stand-in's 100-byte record: seq (8) | payload (88) | CRC-32C of bytes 0..95 (4). */
final class StandinRecord {
  static final String FILE_NAME = "records.dat";
  static final int SEQ_OFFSET = 0;
  static final int PAYLOAD_OFFSET = SEQ_OFFSET + 8;
  static final int PAYLOAD_LENGTH = 88;
  static final int CRC_OFFSET = PAYLOAD_OFFSET + PAYLOAD_LENGTH;
  static final int SIZE = CRC_OFFSET + 4;

  private StandinRecord() {}

  /** The exact bytes of record {@code seq} for {@code seed}: the validator recomputes them. */
  static ByteBuffer encode(long seed, long seq) {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.putLong(SEQ_OFFSET, seq);
    // SplitMix64 over seed ^ seq: deterministic, different for every record.
    long state = seed ^ (seq * 0x9E3779B97F4A7C15L);
    for (int i = 0; i < PAYLOAD_LENGTH; i += 8) {
      state += 0x9E3779B97F4A7C15L;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      b.putLong(PAYLOAD_OFFSET + i, z ^ (z >>> 31));
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, CRC_OFFSET);
    b.putInt(CRC_OFFSET, (int) crc.getValue());
    return b;
  }
}
