package dev.datawal.cli;

import java.util.Arrays;

/** A key's bytes as a map key: equal by content, ordered by unsigned byte order. */
record Key(byte[] bytes) implements Comparable<Key> {
  @Override
  public boolean equals(Object o) {
    return o instanceof Key k && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(Key other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public String toString() {
    return "Key[" + BytesFormat.AUTO.field(bytes, true) + "]";
  }
}
