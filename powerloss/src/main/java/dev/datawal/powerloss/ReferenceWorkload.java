package dev.datawal.powerloss;

/**
 * The reference power-loss workload's generator (docs/reference/reference-behaviour.md), written
 * here again rather than shared with the sample app, so that the validator checks every oracle line
 * against an implementation the workload did not supply.
 *
 * <p>Thread-safe (stateless).
 */
final class ReferenceWorkload {
  static final int KEY_IDS = 4096;

  /** The reference's key and value lengths, in bytes. */
  static final int DEFAULT_KEY_LENGTH = 16;

  static final int DEFAULT_VALUE_LENGTH = 96;

  private final long seed;
  private final int keyLength;
  private final int valueLength;

  ReferenceWorkload(long seed, int keyLength, int valueLength) {
    this.seed = seed;
    this.keyLength = keyLength;
    this.valueLength = valueLength;
  }

  static boolean isDelete(long seq) {
    return seq % 23 == 22;
  }

  byte[] key(long seq) {
    return fill(seed ^ ((seq * 0x100000001B3L) & (KEY_IDS - 1)), keyLength);
  }

  /** The value op {@code seq} puts, or {@code null} for a delete. */
  byte[] value(long seq) {
    return isDelete(seq) ? null : fill(seed ^ seq ^ 0xDEADBEEFCAFEBABEL, valueLength);
  }

  /** SplitMix64 variant: state = seed + GAMMA; next() adds GAMMA, then mixes. */
  static byte[] fill(long seed, int n) {
    final long gamma = 0x9E3779B97F4A7C15L;
    long state = seed + gamma;
    byte[] out = new byte[n];
    for (int i = 0; i < n; i += 8) {
      state += gamma;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z = z ^ (z >>> 31);
      for (int b = 0; b < 8 && i + b < n; b++) {
        out[i + b] = (byte) (z >>> (8 * b));
      }
    }
    return out;
  }
}
