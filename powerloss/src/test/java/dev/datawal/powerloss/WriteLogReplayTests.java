package dev.datawal.powerloss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dm-log-writes reader and replayer, on logs laid out as the kernel's target writes them: the
 * device rebuilt through any entry equals a model of the device after that entry.
 */
class WriteLogReplayTests {
  private static final int DEVICE_SECTORS = 16;

  @TempDir Path dir;

  private static byte[] bytes(SplittableRandom random, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return b;
  }

  private WriteLogBuilder sample(int sectorSize, byte[] initial) {
    SplittableRandom random = new SplittableRandom(sectorSize);
    return new WriteLogBuilder(sectorSize, initial)
        .write(0, 2, bytes(random, 2 * sectorSize))
        .write(0, 0, bytes(random, sectorSize))
        .flush()
        .mark("ack-1")
        .write(WriteLog.FUA, 1, bytes(random, sectorSize))
        .discard(2, 1)
        .write(0, 12, bytes(random, 4 * sectorSize))
        .flush();
  }

  @ParameterizedTest
  @ValueSource(ints = {512, 4096})
  void theDeviceRebuiltThroughEachEntryEqualsTheModelAfterIt(int sectorSize) throws IOException {
    byte[] initial = bytes(new SplittableRandom(7), DEVICE_SECTORS * sectorSize);
    WriteLogBuilder builder = sample(sectorSize, initial);
    Path log = builder.save(dir.resolve("log"));
    for (int through = 0; through < builder.entries; through++) {
      Path device = Files.write(dir.resolve("device-" + through), initial);
      WriteLogReplay.apply(log, device, 0, through);
      assertThat(Files.readAllBytes(device))
          .as("device after entry %d", through)
          .isEqualTo(builder.states.get(through));
    }
  }

  @Test
  void replayingInStepsGivesTheSameDeviceAsReplayingAtOnce() throws IOException {
    byte[] initial = new byte[DEVICE_SECTORS * 512];
    WriteLogBuilder builder = sample(512, initial);
    Path log = builder.save(dir.resolve("log"));
    Path device = Files.write(dir.resolve("device"), initial);
    long from = 0;
    for (long through : new long[] {1, 3, 5, 7}) {
      WriteLogReplay.apply(log, device, from, through);
      assertThat(Files.readAllBytes(device)).isEqualTo(builder.states.get((int) through));
      from = through + 1;
    }
  }

  @Test
  void entriesAreReadWithTheirKindRangeAndMark() throws IOException {
    Path log = sample(512, new byte[DEVICE_SECTORS * 512]).save(dir.resolve("log"));
    try (WriteLog read = WriteLog.open(log)) {
      assertThat(read.sectorSize()).isEqualTo(512);
      assertThat(read.entries())
          .extracting(WriteLog.Entry::toString)
          .containsExactly(
              "0 write 2+2",
              "1 write 0+1",
              "2 flush",
              "3 mark ack-1",
              "4 fua write 1+1",
              "5 discard 2+1",
              "6 write 12+4",
              "7 flush");
    }
  }

  @Test
  void pointsAreEveryFlushFuaAndMarkOrASeededSampleWithTheLastAndTheMarks() throws IOException {
    WriteLogBuilder builder = new WriteLogBuilder(512, new byte[DEVICE_SECTORS * 512]);
    for (int i = 0; i < 20; i++) {
      builder.write(0, i % DEVICE_SECTORS, new byte[512]).flush();
      if (i % 7 == 0) {
        builder.mark("ack-" + i);
      }
    }
    List<WriteLog.Entry> entries;
    try (WriteLog log = WriteLog.open(builder.save(dir.resolve("log")))) {
      entries = log.entries();
    }
    List<WriteLog.Entry> all = WriteLogReplay.points(entries, 0, 0);
    assertThat(all).hasSize(20 + 3);
    assertThat(all).allMatch(e -> e.durabilityPoint() || e.is(WriteLog.MARK));

    List<WriteLog.Entry> sampled = WriteLogReplay.points(entries, 5, 42);
    assertThat(sampled).isEqualTo(WriteLogReplay.points(entries, 5, 42)); // the seed decides
    assertThat(sampled.stream().filter(WriteLog.Entry::durabilityPoint)).hasSizeBetween(5, 6);
    assertThat(sampled.stream().filter(e -> e.is(WriteLog.MARK))).hasSize(3);
    assertThat(sampled.get(sampled.size() - 1)).isEqualTo(entries.get(entries.size() - 1));
    assertThat(WriteLogReplay.points(entries, 50, 42)).isEqualTo(all);
  }

  @Test
  void aFileThatIsNotALogIsRefusedWithWhatWasFound() throws IOException {
    Path notALog = Files.write(dir.resolve("zeros"), new byte[4096]);
    assertThatThrownBy(() -> WriteLog.open(notALog))
        .hasMessageContaining("not a dm-log-writes log (magic 0x0 at byte 0");
    Path tiny = Files.write(dir.resolve("tiny"), new byte[10]);
    assertThatThrownBy(() -> WriteLog.open(tiny)).hasMessageContaining("runs past the end");
  }

  @Test
  void aLogCutInsideAnEntryIsReportedWithTheEntryAndItsOffset() throws IOException {
    Path log = sample(512, new byte[DEVICE_SECTORS * 512]).save(dir.resolve("log"));
    byte[] bytes = Files.readAllBytes(log);
    Path cutInHeader = Files.write(dir.resolve("cut1"), Arrays.copyOf(bytes, 512 + 100));
    try (WriteLog read = WriteLog.open(cutInHeader)) {
      assertThatThrownBy(read::entries).hasMessageContaining("entry 0 at byte 512 runs past");
    }
    WriteLogBuilder oneWrite = new WriteLogBuilder(512, new byte[DEVICE_SECTORS * 512]);
    oneWrite.write(0, 4, new byte[4 * 512]);
    byte[] whole = Files.readAllBytes(oneWrite.save(dir.resolve("one")));
    Path cutInData = Files.write(dir.resolve("cut2"), Arrays.copyOf(whole, whole.length - 700));
    Path device = Files.write(dir.resolve("device"), new byte[DEVICE_SECTORS * 512]);
    assertThatThrownBy(() -> WriteLogReplay.apply(cutInData, device, 0, 0))
        .hasMessageContaining("the data of entry 0 runs past the end of the log");
  }

  @Test
  void unknownFlagsAndInlineDataAreRefusedNotSkipped() throws IOException {
    WriteLogBuilder builder = new WriteLogBuilder(512, new byte[DEVICE_SECTORS * 512]);
    builder.header(0, 0, 1 << 9, 0, new byte[0]);
    builder.entries++;
    try (WriteLog read = WriteLog.open(builder.save(dir.resolve("flags")))) {
      assertThatThrownBy(read::entries)
          .hasMessageContaining("entry 0 at byte 512: unknown flags 0x200");
    }
    WriteLogBuilder inline = new WriteLogBuilder(512, new byte[DEVICE_SECTORS * 512]);
    inline.header(3, 1, 0, 100, new byte[0]);
    inline.entries++;
    try (WriteLog read = WriteLog.open(inline.save(dir.resolve("inline")))) {
      assertThatThrownBy(read::entries).hasMessageContaining("inline data (100 bytes)");
    }
  }

  @Test
  void theCommandLineListsAppliesAndRejectsBadArgumentsWithExitCode2() throws IOException {
    byte[] initial = new byte[DEVICE_SECTORS * 512];
    WriteLogBuilder builder = sample(512, initial);
    Path log = builder.save(dir.resolve("log"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);

    assertThat(WriteLogReplay.run(new String[] {"list", log.toString()}, o, e)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("8 entries, sector size 512 B", "3 mark ack-1", "7 flush");
    out.reset();
    assertThat(WriteLogReplay.run(new String[] {"points", log.toString()}, o, e)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly("2", "3", "4", "7");

    Path device = Files.write(dir.resolve("device"), initial);
    String[] apply = {"apply", log.toString(), device.toString(), "0", "7"};
    assertThat(WriteLogReplay.run(apply, o, e)).isZero();
    assertThat(Files.readAllBytes(device)).isEqualTo(builder.states.get(7));

    String[] beyond = {"apply", log.toString(), device.toString(), "0", "8"};
    assertThat(WriteLogReplay.run(beyond, o, e)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("not within the log's 0..7");
    assertThat(WriteLogReplay.run(new String[] {"replay"}, o, e)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: WriteLogReplay");
  }
}
