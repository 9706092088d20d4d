package dev.datawal.cli;

import static dev.datawal.cli.TestStores.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI beside a live writer: the read-only commands work without the lock and see what the
 * writer wrote; repair refuses, naming the lock, and changes nothing.
 */
class LiveWriterCommandTests {
  @TempDir Path tmp;

  @Test
  void readCommandsWorkWhileThisJvmHoldsTheStoreOpenAndRepairIsRefused() {
    Path store = tmp.resolve("store");
    DatawalOptions manual = DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build();
    try (DataWal kv = DataWal.open(store, manual)) {
      kv.put(utf8("k1"), utf8("v1"));
      kv.log().rotate();
      kv.put(utf8("k2"), utf8("v2"));
      kv.put(utf8("k1"), utf8("v1b")); // written, not yet fsynced: still readable

      JarRunner.Result scan = JarRunner.run("--json", "scan", store.toString());
      assertThat(scan.code()).as(scan.toString()).isZero();
      assertThat(scan.json("record")).hasSize(3);

      JarRunner.Result check = JarRunner.run("--json", "check", store.toString());
      assertThat(check.code()).as(check.toString()).isZero();
      assertThat(check.single("check").get("keys_checked").asLong()).isEqualTo(2);

      JarRunner.Result get = JarRunner.run("get", store.toString(), "--key", "k1");
      assertThat(get.out()).isEqualTo("v1b\n");

      JarRunner.Result repair = JarRunner.run("repair", store.toString(), "--yes");
      assertThat(repair.code()).as(repair.toString()).isEqualTo(1);
      assertThat(repair.err())
          .contains("is already locked by another process (pid " + ProcessHandle.current().pid())
          .contains("stop that writer first");

      kv.put(utf8("k3"), utf8("after the CLI ran")); // the writer is unharmed
    }
    try (RecordLog log = RecordLog.open(store)) {
      assertThat(log.scan()).hasSize(4);
    }
  }

  @Test
  void readCommandsWorkWhileAnotherJvmHoldsTheStoreOpenAndRepairNamesItsPid() throws Exception {
    Path store = tmp.resolve("store");
    List<String> command = new ArrayList<>(JarRunner.javaCommand());
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            HoldingWriter.class.getName(),
            store.toString(),
            "50"));
    Process writer = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
      String locked = lines.readLine();
      assertThat(locked).as("the writer's first line").startsWith("LOCKED ");
      long pid = Long.parseLong(locked.substring("LOCKED ".length()));

      JarRunner.Result report = JarRunner.run("--json", "report", store.toString());
      assertThat(report.code()).as(report.toString()).isZero();
      assertThat(report.single("report").get("records_replayed").asLong()).isEqualTo(50);

      JarRunner.Result verify = JarRunner.run("verify", store.toString());
      assertThat(verify.code()).as(verify.toString()).isZero();

      JarRunner.Result repair = JarRunner.run("--json", "repair", store.toString(), "--yes");
      assertThat(repair.code()).as(repair.toString()).isEqualTo(1);
      assertThat(repair.out()).isEmpty();
      assertThat(repair.err()).contains("locked by another process (pid " + pid + ")");
    } finally {
      writer.getOutputStream().close(); // the writer closes its store and exits
      if (!writer.waitFor(30, TimeUnit.SECONDS)) {
        writer.destroyForcibly();
      }
    }
    assertThat(writer.exitValue()).isZero();
  }
}
