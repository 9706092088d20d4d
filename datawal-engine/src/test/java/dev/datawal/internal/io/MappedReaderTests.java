package dev.datawal.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.datawal.testing.ProcessMappings;
import dev.datawal.testing.TestSeed;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file read through a mapping of its first bytes that grows as the file does, positionally past
 * it, and unmapped only once no reader is inside.
 */
class MappedReaderTests {
  private static final long SEED = TestSeed.of(MappedReaderTests.class, "datawal.test.seed");

  @TempDir Path tmp;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(30, TimeUnit.SECONDS);
  }

  /** The byte at {@code position} of every test file. */
  private static byte at(long position) {
    return (byte) (position * 31 + (position >>> 9));
  }

  private static byte[] expected(long position, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = at(position + i);
    }
    return bytes;
  }

  /** Appends bytes to {@code file} (open for writing) up to {@code size}. */
  private static void growTo(FileHandle file, long size) throws IOException {
    long from = file.size();
    byte[] bytes = new byte[(int) (size - from)];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = at(from + i);
    }
    file.write(ByteBuffer.wrap(bytes), from);
  }

  private static byte[] read(MappedReader reader, long position, int length) throws IOException {
    byte[] dst = new byte[length];
    assertThat(reader.tryEnter()).isTrue();
    try {
      assertThat(reader.read(position, dst)).isEqualTo(length);
    } finally {
      reader.exit();
    }
    return dst;
  }

  @Test
  void theMappingGrowsWithTheFileAndNeverPastTheFurthestRead() throws IOException {
    Path file = tmp.toRealPath().resolve("growing.bin");
    try (FileHandle writer = FileIo.system().openWrite(file, true)) {
      growTo(writer, 4096);
      MappedReader reader = new MappedReader(FileIo.system().openRead(file));
      try {
        assertThat(read(reader, 100, 50)).isEqualTo(expected(100, 50));
        assertThat(reader.mappedBytes()).isZero(); // a file read once is not worth a mapping
        assertThat(read(reader, 120, 30)).isEqualTo(expected(120, 30));
        assertThat(reader.mappedBytes()).isEqualTo(150); // no further than the reads
        growTo(writer, 3 * MappedReader.GROW_BYTES);
        long far = 3 * MappedReader.GROW_BYTES - 200;
        assertThat(read(reader, far, 144)).isEqualTo(expected(far, 144)); // grows at once
        assertThat(reader.mappedBytes()).isEqualTo(far + 144);
        // A little past the mapping: read positionally, until such reads are many.
        growTo(writer, 3 * MappedReader.GROW_BYTES + 10_000);
        long mapped = reader.mappedBytes();
        for (int i = 0; i < MappedReader.GROW_AFTER_READS - 1; i++) {
          long position = mapped + 10 * i;
          assertThat(read(reader, position, 10)).isEqualTo(expected(position, 10));
          assertThat(reader.mappedBytes()).isEqualTo(mapped);
        }
        long last = mapped + 9_000;
        assertThat(read(reader, last, 100)).isEqualTo(expected(last, 100));
        assertThat(reader.mappedBytes()).isEqualTo(last + 100);
        assertThat(read(reader, 0, 4096)).isEqualTo(expected(0, 4096)); // inside, as before
        if (ProcessMappings.unmappingVisible()) {
          assertThat(ProcessMappings.of(file)).isEqualTo(1); // each replaced mapping is gone
        }
      } finally {
        reader.close();
      }
      if (ProcessMappings.unmappingVisible()) {
        assertThat(ProcessMappings.of(file)).isZero();
      }
    }
  }

  @Test
  void aReadPastTheEndOfTheFileReturnsWhatIsThere() throws IOException {
    Path file = tmp.resolve("short.bin");
    try (FileHandle writer = FileIo.system().openWrite(file, true)) {
      growTo(writer, 1000);
    }
    MappedReader reader = new MappedReader(FileIo.system().openRead(file));
    try {
      assertThat(read(reader, 0, 10)).isEqualTo(expected(0, 10));
      assertThat(read(reader, 0, 10)).isEqualTo(expected(0, 10));
      byte[] dst = new byte[50];
      assertThat(reader.tryEnter()).isTrue();
      try {
        assertThat(reader.read(980, dst)).isEqualTo(20);
        assertThat(reader.read(2000, new byte[10])).isZero();
      } finally {
        reader.exit();
      }
      assertThat(ByteBuffer.wrap(dst, 0, 20)).isEqualTo(ByteBuffer.wrap(expected(980, 20)));
      assertThat(reader.mappedBytes()).isEqualTo(10); // nothing mapped past the file's end
      assertThat(read(reader, 900, 100)).isEqualTo(expected(900, 100)); // and mapping goes on
      assertThat(reader.mappedBytes()).isEqualTo(1000);
    } finally {
      reader.close();
    }
  }

  @Test
  void aFileThatDoesNotMapInPlaceIsReadPositionally() throws IOException {
    Path file = tmp.resolve("heap.bin");
    try (FileHandle writer = FileIo.system().openWrite(file, true)) {
      growTo(writer, 100_000);
    }
    FileHandle real = FileIo.system().openRead(file);
    AtomicLong maps = new AtomicLong();
    FileHandle heapOnly =
        new FileHandle() {
          @Override
          public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
          }

          @Override
          public void write(ByteBuffer src, long position) {
            throw new UnsupportedOperationException();
          }

          @Override
          public long size() throws IOException {
            return real.size();
          }

          @Override
          public void truncate(long size) {
            throw new UnsupportedOperationException();
          }

          @Override
          public void force() {}

          @Override
          public MappedView map(long position, long size) throws IOException {
            maps.incrementAndGet();
            return FileHandle.super.map(position, size);
          }

          @Override
          public boolean tryLock() {
            return false;
          }

          @Override
          public void close() throws IOException {
            real.close();
          }
        };
    MappedReader reader = new MappedReader(heapOnly);
    try {
      for (int position = 0; position < 99_000; position += 977) {
        assertThat(read(reader, position, 144)).isEqualTo(expected(position, 144));
      }
      assertThat(maps).hasValue(0);
      assertThat(reader.mappedBytes()).isZero();
    } finally {
      reader.close();
    }
  }

  @Test
  void aReplacedMappingIsUnmappedOnlyOnceNoReaderIsInside() throws IOException {
    assumeTrue(ProcessMappings.unmappingVisible(), "cannot see or cannot unmap mappings here");
    Path file = tmp.toRealPath().resolve("two.bin");
    try (FileHandle writer = FileIo.system().openWrite(file, true)) {
      growTo(writer, 4 * MappedReader.GROW_BYTES);
    }
    MappedReader reader = new MappedReader(FileIo.system().openRead(file));
    try {
      assertThat(read(reader, 0, 4096)).isEqualTo(expected(0, 4096));
      assertThat(read(reader, 0, 4096)).isEqualTo(expected(0, 4096));
      assertThat(ProcessMappings.of(file)).isEqualTo(1);
      assertThat(reader.tryEnter()).isTrue(); // a reader inside, which may hold the first mapping
      assertThat(read(reader, 3 * MappedReader.GROW_BYTES, 4096))
          .isEqualTo(expected(3 * MappedReader.GROW_BYTES, 4096));
      assertThat(ProcessMappings.of(file)).isEqualTo(2);
      reader.exit();
      assertThat(ProcessMappings.of(file)).isEqualTo(1);

      assertThat(reader.tryEnter()).isTrue();
      reader.shut(); // with a reader inside: nothing is released yet
      assertThat(reader.tryEnter()).isFalse();
      byte[] dst = new byte[4096];
      assertThat(reader.read(MappedReader.GROW_BYTES, dst)).isEqualTo(4096);
      assertThat(dst).isEqualTo(expected(MappedReader.GROW_BYTES, 4096));
      assertThat(ProcessMappings.of(file)).isEqualTo(1);
      reader.exit(); // the last one out releases
      assertThat(ProcessMappings.of(file)).isZero();
    } finally {
      reader.close();
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void readersRacingAGrowingFileAndAShutReadTheRightBytes() throws Exception {
    Path file = tmp.toRealPath().resolve("race.bin");
    SplittableRandom r = new SplittableRandom(SEED);
    for (int round = 0; round < 6; round++) {
      String what = "round " + round + ", seed " + SEED;
      Files.deleteIfExists(file);
      try (FileHandle writer = FileIo.system().openWrite(file, true)) {
        growTo(writer, 1024);
        AtomicLong written = new AtomicLong(1024);
        MappedReader reader = new MappedReader(FileIo.system().openRead(file));
        AtomicBoolean shut = new AtomicBoolean();
        CountDownLatch reading = new CountDownLatch(3);
        List<Future<Long>> readers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
          long seed = r.nextLong();
          readers.add(
              pool.submit(
                  () -> {
                    SplittableRandom rr = new SplittableRandom(seed);
                    long reads = 0;
                    while (true) {
                      long end = written.get();
                      int length = 1 + rr.nextInt(300);
                      // Mostly near the end, as reads of fresh records are.
                      long position =
                          rr.nextBoolean()
                              ? rr.nextLong(end - length)
                              : Math.max(0, end - length - rr.nextInt(20_000));
                      if (!reader.tryEnter()) {
                        assertThat(shut).as(what).isTrue();
                        return reads;
                      }
                      byte[] dst = new byte[length];
                      try {
                        assertThat(reader.read(position, dst)).as(what).isEqualTo(length);
                      } finally {
                        reader.exit();
                      }
                      assertThat(dst).as(what).isEqualTo(expected(position, length));
                      if (reads++ == 0) {
                        reading.countDown();
                      }
                    }
                  }));
        }
        assertThat(reading.await(60, TimeUnit.SECONDS)).as(what).isTrue();
        int appends = 200 + r.nextInt(400);
        for (int i = 0; i < appends; i++) {
          growTo(writer, written.get() + 1 + r.nextInt(30_000));
          written.set(writer.size());
        }
        shut.set(true);
        reader.close(); // waits for the readers inside
        for (Future<Long> result : readers) {
          assertThat(result.get(60, TimeUnit.SECONDS)).as(what).isPositive();
        }
        if (ProcessMappings.unmappingVisible()) {
          assertThat(ProcessMappings.of(file)).as(what).isZero();
        }
      }
    }
  }
}
