package dev.datawal.sample.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The workload run for real by the sample app in the {@code workload} profile, through the
 * auto-configured store, into a temporary directory.
 */
class WorkloadRunnerTests {
  @TempDir Path dir;

  private List<String> runApp(String... extra) throws Exception {
    String[] args =
        concat(
            new String[] {
              "--spring.profiles.active=workload",
              "--datawal.dir=" + dir.resolve("store"),
              "--sample.events-dir=" + dir.resolve("events"),
              "--sample.workload.oracle=" + dir.resolve("oracle.txt"),
              "--datawal.compaction.enabled=false"
            },
            extra);
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(dev.datawal.sample.SampleApplication.class).run(args)) {
      assertThat(context.containsBean("workloadRunner")).isTrue();
    }
    return Files.readAllLines(dir.resolve("oracle.txt"));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** Live/dead state by key hex from the oracle's acknowledged lines, in file order. */
  private static Map<String, Boolean> oracleState(List<String> lines) {
    Map<String, Boolean> state = new HashMap<>();
    for (String line : lines) {
      String[] f = line.split(" ");
      if (f[0].equals("P") || f[0].equals("D")) {
        state.put(f[2], f[0].equals("P"));
      }
    }
    return state;
  }

  private static long count(List<String> lines, String prefix) {
    return lines.stream().filter(l -> l.startsWith(prefix)).count();
  }

  @Test
  void seed42With50000OpsGivesTheReferenceFiguresInTheOracleAndTheStore() throws Exception {
    List<String> oracle = runApp("--sample.workload.seed=42", "--sample.workload.ops=50000");

    assertThat(oracle.get(0))
        .isEqualTo(
            "# datawal-workload-oracle v1 seed=42 ops=50000 key_len=16 value_len=96"
                + " concurrency=1");
    assertThat(count(oracle, "I ")).isEqualTo(50_000);
    assertThat(count(oracle, "P ")).isEqualTo(47_827);
    assertThat(count(oracle, "D ")).isEqualTo(2_173);
    assertThat(oracle.get(oracle.size() - 1))
        .isEqualTo("# end puts=47827 deletes=2173 live_keys=3918");
    // Each op is issued, then acknowledged, before the next is issued.
    assertThat(oracle.get(1)).isEqualTo("I 0");
    assertThat(oracle.get(2)).startsWith("P 0 ");
    assertThat(oracle.get(3)).isEqualTo("I 1");

    Map<String, Boolean> state = oracleState(oracle);
    assertThat(state).hasSize(4_096);
    assertThat(state.values().stream().filter(v -> v).count()).isEqualTo(3_918);
    assertThat(state.values().stream().filter(v -> !v).count()).isEqualTo(178);
    assertThat(state).isEqualTo(WorkloadOpTests.finalState(42, 50_000));

    WorkloadOp last = WorkloadOp.of(42, 49_999, 16, 96);
    try (DataWal store = DataWal.open(dir.resolve("store"))) {
      // The app shut down cleanly: the key directory comes from its snapshot.
      assertThat(store.size()).isEqualTo(3_918);
      assertThat(store.recoveryReport().snapshotUsed()).isTrue();
      assertThat(store.recoveryReport().snapshotKeys()).isEqualTo(3_918);
      assertThat(store.recoveryReport().lastTxidSeen()).isEqualTo(50_000);
      assertThat(store.get(last.key())).hasValue(last.value());
    }
    java.nio.file.Files.delete(dir.resolve("store").resolve("keydir.snapshot"));
    try (DataWal store = DataWal.open(dir.resolve("store"))) {
      assertThat(store.size()).isEqualTo(3_918);
      assertThat(store.recoveryReport().recordsReplayed()).isEqualTo(50_000);
      assertThat(store.get(last.key())).hasValue(last.value());
    }
  }

  @Test
  void concurrentWritersRunEveryOpOnceAndEndInTheReferenceState() throws Exception {
    List<String> oracle =
        runApp(
            "--sample.workload.seed=7",
            "--sample.workload.ops=6000",
            "--sample.workload.concurrency=4");

    assertThat(count(oracle, "I ")).isEqualTo(6_000);
    assertThat(count(oracle, "P ") + count(oracle, "D ")).isEqualTo(6_000);
    Map<String, Boolean> expected = new HashMap<>();
    for (long seq = 0; seq < 6_000; seq++) {
      WorkloadOp op = WorkloadOp.of(7, seq, 16, 96);
      expected.put(HexFormat.of().formatHex(op.key()), !op.delete());
    }
    assertThat(oracleState(oracle)).isEqualTo(expected);
    try (DataWal store = DataWal.open(dir.resolve("store"))) {
      assertThat(store.size()).isEqualTo((int) expected.values().stream().filter(v -> v).count());
    }
  }

  @Test
  void theOracleIsTruncatedAtStart() throws Exception {
    Files.writeString(dir.resolve("oracle.txt"), "stale line from an earlier run\n".repeat(1000));
    List<String> oracle = runApp("--sample.workload.ops=10");
    assertThat(oracle).noneMatch(l -> l.startsWith("stale")).hasSize(1 + 20 + 1);
  }
}
