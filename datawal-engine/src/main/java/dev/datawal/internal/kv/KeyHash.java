package dev.datawal.internal.kv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The seeded hash of a key, used by the heap table and laid down in a snapshot's table: its
 * definition is part of the snapshot format ({@link SnapshotFormat}). The seed is random per store
 * and kept from one snapshot to the next, so that keys chosen to collide cannot degrade a table to
 * a list.
 *
 * <p>Stateless and thread-safe.
 */
final class KeyHash {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private KeyHash() {}

  /** The hash of the key {@code buf[from, from + keyLen)} with {@code seed}. */
  static int of(long seed, byte[] buf, int from, int keyLen) {
    long h = seed ^ (keyLen * 0x9E3779B97F4A7C15L);
    int i = from;
    int end = from + keyLen;
    for (; i + 8 <= end; i += 8) {
      h = mix(h ^ (long) LONGS.get(buf, i));
    }
    long tail = 0;
    for (int shift = 0; i < end; i++, shift += 8) {
      tail |= (buf[i] & 0xFFL) << shift;
    }
    h = mix(h ^ tail);
    return (int) (h ^ (h >>> 32));
  }

  private static long mix(long h) {
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 31;
    h *= 0x94D049BB133111EBL;
    return h ^ (h >>> 29);
  }
}
