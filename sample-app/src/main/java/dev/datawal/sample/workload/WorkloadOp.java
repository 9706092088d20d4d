package dev.datawal.sample.workload;

/**
 * Operation {@code seq} of the reference power-loss workload: every 23rd op ({@code seq % 23 ==
 * 22}) deletes, the others put.
 *
 * <ul>
 *   <li>key_id = {@code (seq * 0x100000001B3) & 0xFFF}, so 4,096 keys, and seq and seq + 4,096
 *       share one; key = {@code new SplitMix64(seed ^ key_id).fill(keyLength)};
 *   <li>value = {@code new SplitMix64(seed ^ seq ^ 0xDEADBEEFCAFEBABE).fill(valueLength)}; a delete
 *       has none.
 * </ul>
 *
 * @param seq the op's number, from 0
 * @param delete whether it deletes {@code key} (else it puts {@code value})
 * @param key the key
 * @param value the value of a put, {@code null} for a delete
 */
public record WorkloadOp(long seq, boolean delete, byte[] key, byte[] value) {
  /** Number of distinct key ids. */
  public static final int KEY_IDS = 4096;

  /** Op {@code seq} of the workload with {@code seed}. */
  public static WorkloadOp of(long seed, long seq, int keyLength, int valueLength) {
    long keyId = (seq * 0x100000001B3L) & (KEY_IDS - 1);
    byte[] key = new SplitMix64(seed ^ keyId).fill(keyLength);
    if (isDelete(seq)) {
      return new WorkloadOp(seq, true, key, null);
    }
    return new WorkloadOp(
        seq, false, key, new SplitMix64(seed ^ seq ^ 0xDEADBEEFCAFEBABEL).fill(valueLength));
  }

  /** Whether op {@code seq} is a delete. */
  public static boolean isDelete(long seq) {
    return seq % 23 == 22;
  }
}
