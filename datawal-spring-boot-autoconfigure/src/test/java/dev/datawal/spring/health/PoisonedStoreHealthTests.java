package dev.datawal.spring.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.WriterPoisonedException;
import dev.datawal.spring.DatawalStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * A write that really fails poisons the writer, and health says DOWN. The failure is real: a child
 * JVM runs under a file-size limit ({@code ulimit -f}), so the write that crosses it gets EFBIG
 * from the kernel (the JVM ignores SIGXFSZ).
 */
class PoisonedStoreHealthTests {
  @TempDir Path dir;

  @Test
  void aFailedWritePoisonsTheWriterAndHealthGoesDown() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash for ulimit");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // 256 blocks of 1 KiB: enough for the JVM's own small files, not for the segment.
    Process child =
        new ProcessBuilder(
                "/bin/bash",
                "-c",
                "ulimit -f 256 && exec \"$0\" -cp \"$1\" \"$2\" \"$3\"",
                java,
                System.getProperty("java.class.path"),
                PoisonedStoreHealthTests.class.getName(),
                dir.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(output).contains("poisoned=true", "status=DOWN", "reason=the writer is poisoned");
    assertThat(child.exitValue()).as(output).isZero();
  }

  /** The child: writes 4 KiB values until a write fails, then reports health. */
  public static void main(String[] args) throws IOException {
    DatawalOptions options = DatawalOptions.builder().maxSegmentSize(64L << 20).build();
    try (DataWal wal = DataWal.open(Path.of(args[0]), options)) {
      DatawalStore store = DatawalStore.of(wal, null);
      byte[] value = new byte[4096];
      try {
        for (int i = 0; i < 1_000; i++) {
          wal.put(("key-" + i).getBytes(StandardCharsets.UTF_8), value);
        }
        System.out.println("no write failed: the file-size limit did not apply");
      } catch (WriterPoisonedException e) {
        System.out.println("write failed: " + e.getMessage());
      }
      Health health = new DatawalHealthIndicator(store, 0).health();
      System.out.println("poisoned=" + store.isPoisoned());
      System.out.println("status=" + health.getStatus());
      System.out.println("reason=" + health.getDetails().get("reason"));
      System.out.flush();
      if (!Status.DOWN.equals(health.getStatus())) {
        System.exit(1);
      }
    } catch (WriterPoisonedException expected) {
      // close() reports the poisoned writer again; the lock is released all the same
    }
  }
}
