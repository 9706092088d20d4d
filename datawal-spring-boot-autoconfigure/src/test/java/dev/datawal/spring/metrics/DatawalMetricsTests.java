package dev.datawal.spring.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RecordLogReader;
import dev.datawal.VerificationReport;
import dev.datawal.autoconfigure.DamagedStores;
import dev.datawal.spring.DatawalStore;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics after real work on real stores. */
class DatawalMetricsTests {
  @TempDir Path tmp;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  private double count(String name) {
    return registry.get(name).tag("mode", "kv").counter().count();
  }

  @Test
  void countsAppendsFsyncsGetsAndCompactionOfAKeyValueStore() {
    try (DataWal kv = DataWal.open(tmp);
        DatawalMetrics metrics = new DatawalMetrics(DatawalStore.of(kv, Duration.ofMillis(42)))) {
      metrics.bindTo(registry);

      kv.put(utf8("a"), utf8("1"));
      kv.put(utf8("b"), utf8("2"));
      kv.put(utf8("a"), utf8("3"));
      kv.get(utf8("a"));
      kv.get(utf8("a"));
      kv.get(utf8("missing"));

      assertThat(count("datawal.appends")).isEqualTo(3);
      assertThat(count("datawal.appended.bytes")).isEqualTo(kv.log().diskBytes());
      // fsync policy always: each put was made durable by an fsync (possibly shared).
      assertThat(registry.get("datawal.fsync").timer().count()).isBetween(1L, 3L);
      assertThat(registry.get("datawal.fsync.batch.records").summary().totalAmount()).isEqualTo(3);
      assertThat(registry.get("datawal.gets").tag("result", "hit").timer().count()).isEqualTo(2);
      assertThat(registry.get("datawal.gets").tag("result", "miss").timer().count()).isEqualTo(1);
      assertThat(registry.get("datawal.live.keys").gauge().value()).isEqualTo(2);
      assertThat(registry.get("datawal.segments").gauge().value()).isEqualTo(1);
      assertThat(registry.get("datawal.disk.bytes").gauge().value())
          .isEqualTo(kv.log().diskBytes());
      assertThat(registry.get("datawal.garbage.ratio").gauge().value()).isBetween(0.2, 0.5);
      assertThat(registry.get("datawal.recovery.duration").timeGauge().value(TimeUnit.MILLISECONDS))
          .isEqualTo(42);
      assertThat(registry.get("datawal.recovery.discarded.bytes").gauge().value()).isZero();

      kv.log().rotate();
      kv.compact();

      assertThat(registry.get("datawal.compactions").timer().count()).isEqualTo(1);
      assertThat(registry.get("datawal.compaction.reclaimed.bytes").counter().count()).isPositive();
    }
  }

  @Test
  void countsRetentionOfALogAndHasNoKeyValueMeters() {
    DatawalOptions manual = DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build();
    try (RecordLog log = RecordLog.open(tmp, manual);
        DatawalMetrics metrics = new DatawalMetrics(DatawalStore.of(log, null))) {
      metrics.bindTo(registry);

      log.append(utf8("e1"));
      log.append(utf8("e2"));
      log.fsync();
      log.applyRetention();

      assertThat(registry.get("datawal.appends").tag("mode", "log").counter().count()).isEqualTo(2);
      assertThat(registry.get("datawal.fsync.batch.records").summary().max()).isEqualTo(2);
      assertThat(registry.get("datawal.retentions").timer().count()).isEqualTo(1);
      assertThat(registry.find("datawal.gets").meters()).isEmpty();
      assertThat(registry.find("datawal.live.keys").meters()).isEmpty();
      assertThat(registry.find("datawal.recovery.duration").meters()).isEmpty();
    }
  }

  @Test
  void gaugesOfAClosedStoreReadNaN() {
    DataWal kv = DataWal.open(tmp);
    DatawalMetrics metrics = new DatawalMetrics(DatawalStore.of(kv, null));
    metrics.bindTo(registry);
    kv.put(utf8("a"), utf8("1"));
    kv.close();

    for (Meter meter : registry.getMeters()) {
      meter.measure().forEach(measurement -> measurement.getValue()); // never throws
    }
    assertThat(registry.get("datawal.segments").gauge().value()).isNaN();
    assertThat(registry.get("datawal.disk.bytes").gauge().value()).isNaN();
    assertThat(registry.get("datawal.garbage.ratio").gauge().value()).isNaN();
    metrics.close();
  }

  @Test
  void closeStopsCounting() {
    try (DataWal kv = DataWal.open(tmp)) {
      DatawalMetrics metrics = new DatawalMetrics(DatawalStore.of(kv, null));
      metrics.bindTo(registry);
      kv.put(utf8("a"), utf8("1"));

      metrics.close();
      kv.put(utf8("b"), utf8("2"));

      assertThat(count("datawal.appends")).isEqualTo(1);
    }
  }

  @Test
  void integrityGaugesShowProblemsAndTheLastVerification() throws IOException {
    DamagedStores.crcMismatchInASealedSegment(tmp);
    DatawalOptions noBackground = DatawalOptions.builder().verifyAfterOpen(false).build();
    try (DataWal kv = DataWal.open(tmp, noBackground);
        DatawalMetrics metrics = new DatawalMetrics(DatawalStore.of(kv, null))) {
      metrics.bindTo(registry);
      assertThat(registry.get("datawal.integrity.problems").gauge().value()).isZero();
      assertThat(registry.get("datawal.verification.checked.bytes").gauge().value()).isNaN();
      assertThat(
              registry.get("datawal.verification.duration").timeGauge().value(TimeUnit.NANOSECONDS))
          .isNaN();

      VerificationReport report = kv.verify();

      assertThat(registry.get("datawal.integrity.problems").tag("mode", "kv").gauge().value())
          .isEqualTo(1);
      assertThat(registry.get("datawal.verification.checked.bytes").gauge().value())
          .isEqualTo(report.bytesChecked())
          .isPositive();
      assertThat(
              registry.get("datawal.verification.duration").timeGauge().value(TimeUnit.NANOSECONDS))
          // a time gauge converts through seconds: equal up to floating-point rounding
          .isCloseTo(report.took().toNanos(), org.assertj.core.data.Offset.offset(1.0));
    }
  }

  @Test
  void aReadOnlyViewHasNoIntegrityGauges() {
    try (RecordLog log = RecordLog.open(tmp)) {
      log.append(utf8("e"));
    }
    RecordLogReader reader = RecordLogReader.open(tmp);
    try (DatawalMetrics metrics =
        new DatawalMetrics(DatawalStore.of(reader, reader.report(), null))) {
      metrics.bindTo(registry);

      assertThat(registry.find("datawal.segments").meters()).hasSize(1);
      assertThat(registry.find("datawal.integrity.problems").meters()).isEmpty();
      assertThat(registry.find("datawal.verification.duration").meters()).isEmpty();
    }
  }
}
