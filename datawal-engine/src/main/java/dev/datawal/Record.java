package dev.datawal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One valid record read back from a log.
 *
 * <p>The arrays are not copied: each {@code Record} a scan returns owns fresh arrays, which the
 * caller may keep or change. {@link #equals} and {@link #hashCode} compare the array contents.
 *
 * @param type the record's type
 * @param txid its transaction id
 * @param key its key (empty for most {@link RecordType#RAW} records)
 * @param payload its payload (empty for {@link RecordType#DELETE} records)
 * @param segment the id of the segment holding the frame
 * @param offset the byte offset of the frame in that segment
 * @param length the frame's whole length in bytes
 */
public record Record(
    RecordType type, long txid, byte[] key, byte[] payload, long segment, long offset, int length) {

  /** {@return where this record lies on disk} */
  public RecordRef ref() {
    return new RecordRef(segment, offset, length, txid);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Record r
        && type == r.type
        && txid == r.txid
        && segment == r.segment
        && offset == r.offset
        && length == r.length
        && Arrays.equals(key, r.key)
        && Arrays.equals(payload, r.payload);
  }

  @Override
  public int hashCode() {
    int h = type.hashCode();
    h = 31 * h + Long.hashCode(txid);
    h = 31 * h + Long.hashCode(segment);
    h = 31 * h + Long.hashCode(offset);
    h = 31 * h + Arrays.hashCode(key);
    return 31 * h + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "Record[type="
        + type
        + ", txid="
        + txid
        + ", key="
        + key.length
        + " bytes, payload="
        + payload.length
        + " bytes, segment="
        + segment
        + ", offset="
        + offset
        + ", length="
        + length
        + "]";
  }
}
