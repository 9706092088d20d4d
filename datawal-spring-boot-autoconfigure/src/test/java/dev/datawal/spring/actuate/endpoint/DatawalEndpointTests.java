package dev.datawal.spring.actuate.endpoint;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.datawal.CorruptStoreException;
import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RecordLogReader;
import dev.datawal.VerificationReport;
import dev.datawal.autoconfigure.DamagedStores;
import dev.datawal.spring.DatawalMaintenance;
import dev.datawal.spring.DatawalStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/** The endpoint's operations called directly, on real stores. */
class DatawalEndpointTests {
  @TempDir Path tmp;

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  private static DatawalEndpoint endpoint(DatawalStore store) {
    // Never started, so nothing is scheduled: only the endpoint's compact runs it.
    DatawalMaintenance.Schedule manual = new DatawalMaintenance.Schedule(null, 0.5, null);
    return new DatawalEndpoint(store, new DatawalMaintenance(store, manual, List.of()));
  }

  @Test
  void describesAKeyValueStoreWithoutItsKeysOrValues() {
    DatawalOptions options =
        DatawalOptions.builder()
            .fsyncPolicy(FsyncPolicy.INTERVAL)
            .fsyncInterval(Duration.ofMillis(250))
            .maxSegmentSize(1 << 20)
            .build();
    try (DataWal kv = DataWal.open(tmp, options)) {
      DatawalStore store = DatawalStore.of(kv, Duration.ofMillis(7));
      kv.put(utf8("secret-key"), utf8("secret-value"));
      kv.put(utf8("secret-key"), utf8("secret-value-2"));
      kv.fsync();

      DatawalEndpoint.StoreDescriptor d = endpoint(store).datawal();

      assertThat(d.dir()).isEqualTo(tmp.toString());
      assertThat(d.mode()).isEqualTo("kv");
      assertThat(d.fsync())
          .isEqualTo(new DatawalEndpoint.FsyncDescriptor("INTERVAL", Duration.ofMillis(250)));
      assertThat(d.maxSegmentSize()).isEqualTo(1 << 20);
      assertThat(d.segments()).hasSize(1);
      assertThat(d.segments().get(0).id()).isEqualTo(1);
      assertThat(d.segments().get(0).bytes()).isEqualTo(d.diskBytes()).isPositive();
      assertThat(d.liveKeys()).isEqualTo(1);
      assertThat(d.garbage().totalBytes()).isEqualTo(d.diskBytes());
      assertThat(d.garbage().ratio()).isBetween(0.3, 0.7);
      assertThat(d.nextTxid()).isEqualTo(3);
      assertThat(d.lastFsync()).isNotNull();
      assertThat(d.poisoned()).isFalse();
      assertThat(d.closed()).isFalse();
      assertThat(d.lastCompaction()).isNull();
      assertThat(d.recovery().duration()).isEqualTo(Duration.ofMillis(7));
      assertThat(d.recovery().damage()).isEmpty();
      assertThat(d.toString()).doesNotContain("secret");
    }
  }

  @Test
  void describesAClosedStoreWithoutFailing() {
    DataWal kv = DataWal.open(tmp);
    kv.put(utf8("k"), utf8("v"));
    DatawalStore store = DatawalStore.of(kv, null);
    kv.close();

    DatawalEndpoint.StoreDescriptor d = endpoint(store).datawal();

    assertThat(d.closed()).isTrue();
    assertThat(d.segments()).isNull();
    assertThat(d.recovery().duration()).isNull();
  }

  @Test
  void compactRunsCompactionAndReturnsIt() {
    try (DataWal kv = DataWal.open(tmp)) {
      kv.put(utf8("k"), utf8("v1"));
      kv.log().rotate();
      kv.put(utf8("k"), utf8("v2"));
      DatawalStore store = DatawalStore.of(kv, null);

      DatawalEndpoint.ActionDescriptor result = endpoint(store).run("compact");

      assertThat(result.action()).isEqualTo("compact");
      assertThat(result.outcome()).isEqualTo("RAN");
      assertThat(result.lastCompaction()).isNotNull();
      assertThat(result.lastCompaction().stats().liveKeys()).isEqualTo(1);
      assertThat(store.lastCompaction()).isPresent();
    }
  }

  @Test
  void compactAppliesRetentionToALog() {
    try (RecordLog log = RecordLog.open(tmp)) {
      log.append(utf8("e"));
      DatawalStore store = DatawalStore.of(log, null);

      DatawalEndpoint.ActionDescriptor result = endpoint(store).run("compact");

      assertThat(result.outcome()).isEqualTo("RAN");
      assertThat(result.lastRetention()).isNotNull();
      assertThat(result.lastCompaction()).isNull();
    }
  }

  @Test
  void fsyncMakesWritesDurableAndSaysWhen() {
    DatawalOptions manual = DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build();
    try (RecordLog log = RecordLog.open(tmp, manual)) {
      log.append(utf8("e"));
      DatawalStore store = DatawalStore.of(log, null);
      assertThat(log.durableTxid()).isZero();

      DatawalEndpoint.ActionDescriptor result = endpoint(store).run("FSYNC");

      assertThat(result.action()).isEqualTo("fsync");
      assertThat(log.durableTxid()).isEqualTo(1);
      assertThat(result.at()).isNotNull();
      assertThat(result.lastFsync()).isNotNull();
    }
  }

  @Test
  void fsyncSaysUpToWhereTheLogIsDurableAndWhatItMadeDurable() {
    DatawalOptions manual = DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build();
    try (RecordLog log = RecordLog.open(tmp, manual)) {
      DatawalEndpoint endpoint = endpoint(DatawalStore.of(log, null));
      log.append(utf8("a"));
      log.append(utf8("b"));
      log.append(utf8("c"));

      DatawalEndpoint.FsyncRunDescriptor first = endpoint.run("fsync").fsync();
      assertThat(first).isNotNull();
      assertThat(first.durableTxid()).isEqualTo(3);
      assertThat(first.madeDurable()).isEqualTo(3);
      assertThat(first.took().isNegative()).isFalse();

      // Nothing new: nothing made durable, and the log is as durable as before.
      DatawalEndpoint.FsyncRunDescriptor again = endpoint.run("fsync").fsync();
      assertThat(again).isNotNull();
      assertThat(again.durableTxid()).isEqualTo(3);
      assertThat(again.madeDurable()).isZero();

      log.append(utf8("d"));
      DatawalEndpoint.FsyncRunDescriptor fourth = endpoint.run("fsync").fsync();
      assertThat(fourth).isNotNull();
      assertThat(fourth.durableTxid()).isEqualTo(4);
      assertThat(fourth.madeDurable()).isEqualTo(1);
    }
  }

  @Test
  void fsyncOfAKeyValueStoreUnderAlwaysFindsEverythingDurable() {
    try (DataWal kv = DataWal.open(tmp)) {
      kv.put(utf8("k"), utf8("v"));
      DatawalEndpoint endpoint = endpoint(DatawalStore.of(kv, null));

      DatawalEndpoint.FsyncRunDescriptor fsync = endpoint.run("fsync").fsync();

      assertThat(fsync).isNotNull();
      assertThat(fsync.durableTxid()).isEqualTo(1);
      assertThat(fsync.madeDurable()).isZero();
      assertThat(endpoint.run("compact").fsync()).isNull();
      assertThat(endpoint.run("verify").fsync()).isNull();
    }
  }

  @Test
  void unknownActionIsAnInvalidRequest() {
    try (RecordLog log = RecordLog.open(tmp)) {
      DatawalEndpoint endpoint = endpoint(DatawalStore.of(log, null));

      assertThatThrownBy(() -> endpoint.run("vacuum"))
          .isInstanceOf(InvalidEndpointRequestException.class)
          .hasMessageContaining("vacuum")
          .hasMessageContaining("[compact, fsync, verify]");
    }
  }

  @Test
  void writesToAReadOnlyStoreAreRefused() {
    try (RecordLog log = RecordLog.open(tmp)) {
      log.append(utf8("e"));
    }
    RecordLogReader reader = RecordLogReader.open(tmp);
    DatawalStore store = DatawalStore.of(reader, reader.report(), null);
    DatawalEndpoint endpoint = endpoint(store);

    assertThat(endpoint.datawal().mode()).isEqualTo("read-only");
    assertThat(endpoint.datawal().fsync()).isNull();
    assertThatThrownBy(() -> endpoint.run("compact"))
        .isInstanceOf(DatawalEndpoint.Refused.class)
        .hasMessageContaining("read-only");
    assertThatThrownBy(() -> endpoint.run("fsync"))
        .isInstanceOf(DatawalEndpoint.Refused.class)
        .hasMessageContaining("read-only");
  }

  @Test
  void writesToAClosedStoreAreRefused() {
    RecordLog log = RecordLog.open(tmp);
    DatawalStore store = DatawalStore.of(log, null);
    log.close();

    assertThatThrownBy(() -> endpoint(store).run("fsync"))
        .isInstanceOf(DatawalEndpoint.Refused.class)
        .hasMessageContaining("fsync refused");
  }

  @Test
  void webExtensionAnswersUnknownActionsWith400AndRefusalsWith409() {
    RecordLog log = RecordLog.open(tmp);
    DatawalStore store = DatawalStore.of(log, null);
    DatawalEndpointWebExtension web = new DatawalEndpointWebExtension(endpoint(store));

    WebEndpointResponse<Object> ok = web.run("fsync");
    WebEndpointResponse<Object> unknown = web.run("vacuum");
    log.close();
    WebEndpointResponse<Object> refused = web.run("fsync");

    assertThat(ok.getStatus()).isEqualTo(200);
    assertThat(ok.getBody()).isInstanceOf(DatawalEndpoint.ActionDescriptor.class);
    assertThat(unknown.getStatus()).isEqualTo(400);
    assertThat(((Map<?, ?>) unknown.getBody()).get("action")).isEqualTo("vacuum");
    assertThat(refused.getStatus()).isEqualTo(409);
    assertThat(((Map<?, ?>) refused.getBody()).get("error").toString()).contains("closed");
  }

  @Test
  void describesTheIntegrityOfAStoreWithoutDamage() {
    try (DataWal kv = DataWal.open(tmp)) {
      DatawalStore store = DatawalStore.of(kv, null);

      DatawalEndpoint.IntegrityDescriptor integrity = endpoint(store).datawal().integrity();

      assertThat(integrity.damaged()).isFalse();
      assertThat(integrity.problems()).isEmpty();
      assertThat(integrity.running()).isNull();
      assertThat(integrity.lastVerification())
          .isNull(); // a new store: nothing to verify after open
    }
  }

  @Test
  void describesDamageAVerificationAndAReadFound() throws IOException {
    DamagedStores.Damage damage = DamagedStores.crcMismatchInASealedSegment(tmp);
    DatawalOptions noBackground = DatawalOptions.builder().verifyAfterOpen(false).build();
    try (DataWal kv = DataWal.open(tmp, noBackground)) {
      DatawalStore store = DatawalStore.of(kv, null);
      store.verify();
      assertThatThrownBy(() -> kv.get(utf8(damage.key())))
          .isInstanceOf(CorruptStoreException.class);

      DatawalEndpoint.IntegrityDescriptor integrity = endpoint(store).datawal().integrity();

      assertThat(integrity.damaged()).isTrue();
      assertThat(integrity.problems()).hasSize(1); // the read met the damage already known
      DatawalEndpoint.ProblemDescriptor problem = integrity.problems().get(0);
      assertThat(problem.kind()).isEqualTo("CRC_MISMATCH");
      assertThat(problem.segment()).isEqualTo(1);
      assertThat(problem.offset()).isEqualTo(damage.offset());
      assertThat(problem.foundBy()).isEqualTo("VERIFICATION");
      assertThat(problem.foundAt()).isNotNull();
      assertThat(problem.message()).contains("CRC mismatch");
      DatawalEndpoint.VerificationDescriptor last = integrity.lastVerification();
      assertThat(last.segmentsChecked()).isEqualTo(kv.log().segmentSizes().size() - 1);
      assertThat(last.segmentsSkipped()).isZero();
      assertThat(last.framesChecked()).isPositive();
      assertThat(last.bytesChecked()).isPositive();
      assertThat(last.problems()).isEqualTo(1);
      assertThat(last.started()).isNotNull();
      assertThat(last.took()).isNotNull();
    }
  }

  @Test
  void damageAReadMeetsIsShownAsFoundByARead() throws IOException {
    DamagedStores.Damage damage = DamagedStores.crcMismatchInASealedSegment(tmp);
    DatawalOptions noBackground = DatawalOptions.builder().verifyAfterOpen(false).build();
    try (DataWal kv = DataWal.open(tmp, noBackground)) {
      DatawalStore store = DatawalStore.of(kv, null);
      assertThatThrownBy(() -> kv.get(utf8(damage.key())))
          .isInstanceOf(CorruptStoreException.class);

      DatawalEndpoint.IntegrityDescriptor integrity = endpoint(store).datawal().integrity();

      assertThat(integrity.damaged()).isTrue();
      assertThat(integrity.problems().get(0).foundBy()).isEqualTo("READ");
      assertThat(integrity.lastVerification()).isNull();
    }
  }

  @Test
  void verifyStartsAVerificationAndSaysWhatItDid() {
    DatawalOptions small = DatawalOptions.builder().maxSegmentSize(64).build();
    try (RecordLog log = RecordLog.open(tmp, small)) {
      for (int i = 0; i < 5; i++) {
        log.append(utf8("event-" + i)); // several sealed segments
      }
      DatawalStore store = DatawalStore.of(log, null);

      DatawalEndpoint.ActionDescriptor result = endpoint(store).run("VERIFY");

      assertThat(result.action()).isEqualTo("verify");
      assertThat(result.outcome()).isIn("RAN", "STARTED");
      assertThat(result.at()).isNotNull();
      assertThat(result.integrity()).isNotNull();
      if (result.outcome().equals("RAN")) {
        assertThat(result.integrity().lastVerification()).isNotNull();
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> endpoint(store).datawal().integrity().lastVerification() != null);
      DatawalEndpoint.IntegrityDescriptor integrity = endpoint(store).datawal().integrity();
      assertThat(integrity.damaged()).isFalse();
      assertThat(integrity.lastVerification().segmentsChecked())
          .isEqualTo(log.segmentSizes().size() - 1);
    }
  }

  @Test
  void verifyWhileAVerificationIsRunningIsSkipped() throws Exception {
    DatawalOptions options =
        DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).maxSegmentSize(256 << 10).build();
    try (RecordLog log = RecordLog.open(tmp, options)) {
      byte[] payload = new byte[32 << 10];
      for (int i = 0; i < 128; i++) {
        log.append(payload); // 4 MiB of sealed segments: a verification takes a while
      }
      DatawalStore store = DatawalStore.of(log, null);
      CompletableFuture<VerificationReport> first = store.verifyInBackground().orElseThrow();

      DatawalEndpoint.ActionDescriptor second = endpoint(store).run("verify");
      boolean firstStillRunning = !first.isDone();

      if (firstStillRunning) { // it was running when the second was asked for
        assertThat(second.outcome()).isEqualTo("SKIPPED_BUSY");
      }
      assertThat(first.get(30, TimeUnit.SECONDS).segmentsChecked())
          .isEqualTo(log.segmentSizes().size() - 1);
    }
  }

  @Test
  void verifyOnAReadOnlyStoreIsRefusedAndItHasNoIntegrity() {
    try (RecordLog log = RecordLog.open(tmp)) {
      log.append(utf8("e"));
    }
    RecordLogReader reader = RecordLogReader.open(tmp);
    DatawalStore store = DatawalStore.of(reader, reader.report(), null);
    DatawalEndpoint endpoint = endpoint(store);

    assertThat(endpoint.datawal().integrity()).isNull();
    assertThat(store.integrity()).isEmpty();
    assertThatThrownBy(() -> endpoint.run("verify"))
        .isInstanceOf(DatawalEndpoint.Refused.class)
        .hasMessageContaining("read-only")
        .hasMessageContaining("datawal verify " + tmp);
  }

  @Test
  void verifyOnAClosedStoreIsRefused() {
    RecordLog log = RecordLog.open(tmp);
    DatawalStore store = DatawalStore.of(log, null);
    log.close();

    assertThatThrownBy(() -> endpoint(store).run("verify"))
        .isInstanceOf(DatawalEndpoint.Refused.class)
        .hasMessageContaining("verify refused")
        .hasMessageContaining("closed");
  }
}
