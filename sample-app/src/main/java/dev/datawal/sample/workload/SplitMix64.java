package dev.datawal.sample.workload;

/**
 * The reference workload's PRNG, a SplitMix64 variant (all arithmetic mod 2^64): the state starts
 * at {@code seed + GAMMA} and each {@link #next()} adds {@code GAMMA} once more before mixing, so
 * the first output is that of standard SplitMix64 seeded with {@code seed + GAMMA}.
 *
 * <p>Not thread-safe.
 */
public final class SplitMix64 {
  static final long GAMMA = 0x9E3779B97F4A7C15L;

  private long state;

  /** A generator whose state is {@code seed + GAMMA}. */
  public SplitMix64(long seed) {
    this.state = seed + GAMMA;
  }

  /** The next 64 bits. */
  public long next() {
    state += GAMMA;
    long z = state;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** {@code n} bytes: successive {@link #next()} values, 8 little-endian bytes each, cut to fit. */
  public byte[] fill(int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i += 8) {
      long v = next();
      for (int b = 0; b < 8 && i + b < n; b++) {
        out[i + b] = (byte) (v >>> (8 * b));
      }
    }
    return out;
  }
}
