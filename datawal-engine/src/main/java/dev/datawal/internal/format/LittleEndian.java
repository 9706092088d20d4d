package dev.datawal.internal.format;

/**
 * Little-endian integers read from a byte array, for code that runs once per open (a manifest, a
 * snapshot's head). A {@link java.nio.ByteBuffer} or {@link java.lang.invoke.VarHandle} read costs
 * about fifteen times more than these shifts until the JIT has compiled it, and code that runs once
 * per open never is; code that runs often keeps using them (compiled, they are one load).
 *
 * <p>Stateless.
 */
public final class LittleEndian {
  private LittleEndian() {}

  /** The u16 at {@code at}. */
  public static int getUnsignedShort(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
  }

  /** The 32-bit integer at {@code at}. */
  public static int getInt(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | b[at + 3] << 24;
  }

  /** The 64-bit integer at {@code at}. */
  public static long getLong(byte[] b, int at) {
    return (getInt(b, at) & 0xFFFF_FFFFL) | (long) getInt(b, at + 4) << 32;
  }
}
