package dev.datawal.powerloss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The replay check end to end on this host (root only): a log recorded from a real ext4 image (each
 * step's changed sectors, then a flush, as the file system left them on the device) is replayed,
 * mounted and validated state by state; an oracle mark that claims more than the device holds is
 * reported with its entry. The dm-log-writes logs of a real kernel are checked the same way in the
 * VM run ({@code powerloss/vm/run-dmflakey-vm.sh --logwrites}).
 */
@ExtendWith(NoLeftoverMounts.class)
class LogReplayCheckTests {
  private static final int DEVICE_BYTES = 64 << 20;
  private static final int SECTOR = 4096;
  private static final long SEED = 42;

  private Path dir; // under the harnesses' work root, so NoLeftoverMounts watches it
  private final ReferenceWorkload workload = new ReferenceWorkload(SEED, 16, 96);
  private final StringBuilder oracle =
      new StringBuilder(
          "# datawal-workload-oracle v1 seed="
              + SEED
              + " ops=0 key_len=16 value_len=96 concurrency=1\n");
  private int oracleLines = 1;

  @BeforeEach
  void needsRootAndLoopDevices() throws IOException {
    Optional<String> unavailable = FileSystemShutdown.unavailable();
    if (unavailable.isPresent()) {
      System.out.println("replay check on a real file system skipped: " + unavailable.get());
    }
    Assumptions.assumeTrue(unavailable.isEmpty());
    dir = Files.createDirectories(HarnessRun.workRoot().resolve("replay-" + System.nanoTime()));
  }

  @Test
  void everyStateOfARecordedExt4StorePassesAndAnOverclaimingMarkFailsWithItsEntry()
      throws Exception {
    Path image = dir.resolve("fs.img");
    try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
      file.setLength(DEVICE_BYTES);
    }
    byte[] before = new byte[DEVICE_BYTES];
    Commands.run("mkfs.ext4", "-q", "-F", image.toString());
    byte[] formatted = Files.readAllBytes(image);
    byte[] firstBatch = acknowledgeOnImage(image, 0, 40);
    int linesAfterFirst = oracleLines;
    byte[] secondBatch = acknowledgeOnImage(image, 40, 80);

    Path oracleFile = Files.writeString(dir.resolve("oracle"), oracle);
    Path honest =
        record(before, formatted, firstBatch, secondBatch, linesAfterFirst)
            .save(dir.resolve("honest.log"));
    // The first batch's mark claims both batches: the state there lacks 40 owed writes.
    Path overclaiming =
        record(before, formatted, firstBatch, secondBatch, oracleLines)
            .save(dir.resolve("overclaiming.log"));

    String passed = check(honest, oracleFile, 0);
    assertThat(passed)
        .contains("LOGREPLAY name=test fs=ext4")
        .contains("failed=0", "verdict=PASS")
        .doesNotContain("LOGREPLAY FAIL");
    assertThat(states(passed)).isGreaterThanOrEqualTo(3); // formatted, first batch, second batch

    String failed = check(overclaiming, oracleFile, 1);
    long markEntry;
    try (WriteLog log = WriteLog.open(overclaiming)) {
      markEntry =
          log.entries().stream()
              .filter(e -> e.is(WriteLog.MARK) && e.mark().equals("L" + oracleLines))
              .findFirst()
              .orElseThrow()
              .index();
    }
    assertThat(failed)
        .contains("LOGREPLAY FAIL name=test entry=" + markEntry + " ")
        .contains("invariant 6")
        .contains("WriteLogReplay apply " + overclaiming)
        .contains("failed=1", "verdict=FAIL");
    assertThat(dir.resolve("work-1/failed-entry-" + markEntry + "/validator.txt")).exists();
  }

  /** mkfs, a flush and the mkfs mark; each batch's writes, a flush and an oracle mark. */
  private WriteLogBuilder record(
      byte[] zeros, byte[] formatted, byte[] first, byte[] second, int firstMark) {
    return WriteLogBuilder.withoutModel(SECTOR)
        .writesBetween(zeros, formatted)
        .flush()
        .mark("mkfs")
        .writesBetween(formatted, first)
        .flush()
        .mark("L" + firstMark)
        .writesBetween(first, second)
        .flush()
        .mark("L" + oracleLines);
  }

  /** Mounts the image, acknowledges ops {@code from..to - 1} into its store, unmounts. */
  private byte[] acknowledgeOnImage(Path image, long from, long to) throws Exception {
    Path mount = Files.createDirectories(dir.resolve("mnt"));
    LoopFileSystem mounted = LoopFileSystem.open(image, "ext4", mount);
    try (DataWal kv = DataWal.open(mounted.mountPoint().resolve("store"))) {
      for (long seq = from; seq < to; seq++) {
        byte[] value = workload.value(seq);
        oracle.append("I ").append(seq).append('\n');
        if (value == null) {
          kv.delete(workload.key(seq));
        } else {
          kv.put(workload.key(seq), value);
        }
        oracle.append(OracleFixture.acknowledgement(workload, seq));
        oracleLines += 2;
      }
    } finally {
      mounted.release();
    }
    return Files.readAllBytes(image);
  }

  private int run = 0;

  private String check(Path log, Path oracleFile, int expectedExit) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        LogReplayCheck.run(
            new String[] {
              "--log=" + log,
              "--oracle=" + oracleFile,
              "--fs=ext4",
              "--device-bytes=" + DEVICE_BYTES,
              "--work=" + dir.resolve("work-" + run++),
              "--name=test"
            },
            new PrintStream(out, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    assertThat(code).as(text).isEqualTo(expectedExit);
    return text;
  }

  private static int states(String output) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(" states=(\\d+)").matcher(output);
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }
}
