package dev.datawal.internal.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LittleEndianTests {
  @Test
  void readsWhatALittleEndianByteBufferReads() {
    SplittableRandom random = new SplittableRandom(7);
    byte[] bytes = new byte[64];
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int round = 0; round < 1000; round++) {
      random.nextBytes(bytes);
      if (round % 4 == 0) {
        java.util.Arrays.fill(bytes, (byte) (round % 8 == 0 ? 0xFF : 0x80));
      }
      for (int at = 0; at + 8 <= bytes.length; at++) {
        assertThat(LittleEndian.getLong(bytes, at)).isEqualTo(buf.getLong(at));
        assertThat(LittleEndian.getInt(bytes, at)).isEqualTo(buf.getInt(at));
        assertThat(LittleEndian.getUnsignedShort(bytes, at))
            .isEqualTo(Short.toUnsignedInt(buf.getShort(at)));
      }
    }
  }
}
