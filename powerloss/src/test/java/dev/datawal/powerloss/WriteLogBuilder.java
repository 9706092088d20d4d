package dev.datawal.powerloss;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a log in the kernel's {@code dm-log-writes} layout (see {@link WriteLog}) and, if given an
 * initial device, keeps a model of the device after each entry.
 */
final class WriteLogBuilder {
  final int sectorSize;
  final ByteArrayOutputStream body = new ByteArrayOutputStream();
  final List<byte[]> states = new ArrayList<>();
  private final byte[] device; // null: no model
  long entries;

  /** A builder that models a device starting as {@code initial}. */
  WriteLogBuilder(int sectorSize, byte[] initial) {
    this.sectorSize = sectorSize;
    this.device = initial == null ? null : initial.clone();
  }

  /** A builder without a model, for devices too large to copy after every entry. */
  static WriteLogBuilder withoutModel(int sectorSize) {
    return new WriteLogBuilder(sectorSize, null);
  }

  WriteLogBuilder write(long flags, long sector, byte[] data) {
    header(sector, data.length / sectorSize, flags, 0, new byte[0]);
    body.writeBytes(data);
    if (device != null) {
      System.arraycopy(data, 0, device, (int) sector * sectorSize, data.length);
    }
    return done();
  }

  WriteLogBuilder flush() {
    header(0, 0, WriteLog.FLUSH, 0, new byte[0]);
    return done();
  }

  WriteLogBuilder discard(int sector, int sectors) {
    header(sector, sectors, WriteLog.DISCARD, 0, new byte[0]);
    if (device != null) {
      Arrays.fill(device, sector * sectorSize, (sector + sectors) * sectorSize, (byte) 0);
    }
    return done();
  }

  WriteLogBuilder mark(String label) {
    byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
    header(0, 0, WriteLog.MARK, bytes.length, bytes);
    return done();
  }

  /**
   * Logs, as plain writes, every sector in which {@code after} differs from {@code before} (runs of
   * changed sectors as one write each), the way a file system's writes between two flushes would
   * have changed the device.
   */
  WriteLogBuilder writesBetween(byte[] before, byte[] after) {
    int sectors = after.length / sectorSize;
    int s = 0;
    while (s < sectors) {
      if (sameSector(before, after, s)) {
        s++;
        continue;
      }
      int run = s + 1;
      while (run < sectors && !sameSector(before, after, run)) {
        run++;
      }
      write(0, s, Arrays.copyOfRange(after, s * sectorSize, run * sectorSize));
      s = run;
    }
    return this;
  }

  private boolean sameSector(byte[] a, byte[] b, int sector) {
    int from = sector * sectorSize;
    return Arrays.equals(a, from, from + sectorSize, b, from, from + sectorSize);
  }

  void header(long sector, long sectors, long flags, long dataLength, byte[] extra) {
    ByteBuffer block = ByteBuffer.allocate(sectorSize).order(ByteOrder.LITTLE_ENDIAN);
    block.putLong(sector).putLong(sectors).putLong(flags).putLong(dataLength).put(extra);
    body.writeBytes(block.array());
  }

  private WriteLogBuilder done() {
    entries++;
    if (device != null) {
      states.add(device.clone());
    }
    return this;
  }

  Path save(Path file) throws IOException {
    ByteBuffer superBlock = ByteBuffer.allocate(sectorSize).order(ByteOrder.LITTLE_ENDIAN);
    superBlock.putLong(WriteLog.MAGIC).putLong(WriteLog.VERSION).putLong(entries);
    superBlock.putInt(sectorSize);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(superBlock.array());
    all.writeBytes(body.toByteArray());
    return Files.write(file, all.toByteArray());
  }
}
