package dev.datawal.spring.metrics;

import dev.datawal.CompactionStats;
import dev.datawal.DatawalException;
import dev.datawal.DatawalObserver;
import dev.datawal.GarbageStats;
import dev.datawal.IntegrityStatus;
import dev.datawal.RecordLog;
import dev.datawal.RetentionStats;
import dev.datawal.VerificationReport;
import dev.datawal.spring.DatawalStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer metrics of the application's datawal store, all tagged with the store's {@code mode}
 * (kv, log, read-only):
 *
 * <ul>
 *   <li>{@code datawal.appends} (counter, records) and {@code datawal.appended.bytes} (counter,
 *       bytes of frames on disk);
 *   <li>{@code datawal.fsync} (timer: each force) and {@code datawal.fsync.batch.records}
 *       (distribution summary: records one fsync made durable, the group-commit batch);
 *   <li>{@code datawal.gets} (timer, tag {@code result=hit|miss}; key/value stores);
 *   <li>{@code datawal.compactions} (timer: runs and their duration) and {@code
 *       datawal.compaction.reclaimed.bytes}; {@code datawal.retentions} and {@code
 *       datawal.retention.reclaimed.bytes};
 *   <li>gauges {@code datawal.segments}, {@code datawal.disk.bytes}, and for key/value stores
 *       {@code datawal.live.keys} and {@code datawal.garbage.ratio};
 *   <li>{@code datawal.recovery.duration} (time gauge, when this application opened the store) and
 *       {@code datawal.recovery.discarded.bytes} (torn tail bytes recovery left out at startup);
 *   <li>for a store with a writer, gauges {@code datawal.integrity.problems} (damaged or lost data
 *       found while it is open), and of the last verification {@code datawal.verification.duration}
 *       (time gauge) and {@code datawal.verification.checked.bytes} (NaN until one finished).
 * </ul>
 *
 * <p>Counters and timers are fed by a {@link DatawalObserver} on the store's log, which runs on the
 * write path: every meter it touches is built up front, so an event costs a few atomic adds. Gauges
 * of a closed store read NaN. {@link #close()} removes the observers.
 *
 * <p>Thread-safe.
 */
public final class DatawalMetrics implements MeterBinder, AutoCloseable {
  private final DatawalStore store;
  private final Tags tags;
  private final List<Meters> observers = new CopyOnWriteArrayList<>();

  /**
   * Metrics of {@code store}, tagged with its mode.
   *
   * @param store the store
   */
  public DatawalMetrics(DatawalStore store) {
    this(store, Tags.empty());
  }

  /**
   * Metrics of {@code store}, tagged with its mode and {@code tags}.
   *
   * @param store the store
   * @param tags more tags for every meter
   */
  public DatawalMetrics(DatawalStore store, Iterable<Tag> tags) {
    this.store = Objects.requireNonNull(store, "store");
    this.tags = Tags.of("mode", store.mode().label()).and(tags);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(registry, "datawal.segments", "Segment files", "segments", s -> s.segmentSizes().size());
    gauge(
        registry,
        "datawal.disk.bytes",
        "Bytes of every segment file",
        BaseUnits.BYTES,
        s -> s.diskBytes());
    if (store.mode() == DatawalStore.Mode.KV) {
      gauge(registry, "datawal.live.keys", "Live keys", "keys", s -> s.liveKeys().orElseThrow());
      gauge(
          registry,
          "datawal.garbage.ratio",
          "Share of the store's bytes that are not live",
          null,
          s -> s.garbage().map(GarbageStats::ratio).orElseThrow());
    }
    store
        .recoveryDuration()
        .ifPresent(
            took ->
                TimeGauge.builder(
                        "datawal.recovery.duration", took, TimeUnit.NANOSECONDS, Duration::toNanos)
                    .description("How long opening the store and recovery took at startup")
                    .tags(tags)
                    .strongReference(true)
                    .register(registry));
    Gauge.builder(
            "datawal.recovery.discarded.bytes", store, s -> s.recoveryReport().tailBytesDiscarded())
        .description("Damaged tail bytes recovery left out of the log at startup")
        .baseUnit(BaseUnits.BYTES)
        .tags(tags)
        .register(registry);
    if (store.integrity().isPresent()) {
      integrity(registry);
    }
    RecordLog log = store.log().orElse(null);
    if (log != null) {
      Meters meters = new Meters(registry, tags, store.mode() == DatawalStore.Mode.KV);
      observers.add(meters);
      log.addObserver(meters);
    }
  }

  private void integrity(MeterRegistry registry) {
    gauge(
        registry,
        "datawal.integrity.problems",
        "Damaged or lost data found while the store is open; the next start refuses it",
        "problems",
        s -> integrity(s).problems().size());
    TimeGauge.builder(
            "datawal.verification.duration",
            store,
            TimeUnit.NANOSECONDS,
            s -> safely(s, t -> lastVerification(t, report -> report.took().toNanos())))
        .description("How long the last verification of the sealed segments took")
        .tags(tags)
        .register(registry);
    gauge(
        registry,
        "datawal.verification.checked.bytes",
        "Bytes the last verification of the sealed segments read and checked",
        BaseUnits.BYTES,
        s -> lastVerification(s, VerificationReport::bytesChecked));
  }

  private static IntegrityStatus integrity(DatawalStore store) {
    return store.integrity().orElseThrow();
  }

  /** A value of the last verification, NaN until one has finished. */
  private static double lastVerification(
      DatawalStore store, ToDoubleFunction<VerificationReport> value) {
    VerificationReport last = integrity(store).last();
    return last == null ? Double.NaN : value.applyAsDouble(last);
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      String description,
      @Nullable String unit,
      ToDoubleFunction<DatawalStore> value) {
    Gauge.builder(name, store, s -> safely(s, value))
        .description(description)
        .baseUnit(unit)
        .tags(tags)
        .register(registry);
  }

  /** The gauge's value, or NaN when a closed store cannot say. */
  private static double safely(DatawalStore store, ToDoubleFunction<DatawalStore> value) {
    if (store.isClosed()) {
      return Double.NaN;
    }
    try {
      return value.applyAsDouble(store);
    } catch (IllegalStateException | DatawalException e) {
      return Double.NaN; // closed while we looked
    }
  }

  /** Stops counting: removes the observers from the store's log. */
  @Override
  public void close() {
    store.log().ifPresent(log -> observers.forEach(log::removeObserver));
    observers.clear();
  }

  /** The meters of one registry, fed by the store as it works. */
  private static final class Meters implements DatawalObserver {
    private final Counter appends;
    private final Counter appendedBytes;
    private final Timer fsync;
    private final DistributionSummary batch;
    private final @Nullable Timer hits; // these four only for a key/value store
    private final @Nullable Timer misses;
    private final @Nullable Timer compactions;
    private final @Nullable Counter compactionReclaimed;
    private final Timer retentions;
    private final Counter retentionReclaimed;

    Meters(MeterRegistry registry, Tags tags, boolean keyValue) {
      appends =
          Counter.builder("datawal.appends")
              .description("Records appended")
              .baseUnit("records")
              .tags(tags)
              .register(registry);
      appendedBytes =
          Counter.builder("datawal.appended.bytes")
              .description("Bytes of the frames appended")
              .baseUnit(BaseUnits.BYTES)
              .tags(tags)
              .register(registry);
      fsync =
          Timer.builder("datawal.fsync")
              .description("Forces that made appends durable")
              .tags(tags)
              .register(registry);
      batch =
          DistributionSummary.builder("datawal.fsync.batch.records")
              .description("Records one fsync made durable (the group-commit batch)")
              .baseUnit("records")
              .tags(tags)
              .register(registry);
      hits = keyValue ? gets(registry, tags, "hit") : null;
      misses = keyValue ? gets(registry, tags, "miss") : null;
      compactions =
          keyValue
              ? Timer.builder("datawal.compactions")
                  .description("Compactions")
                  .tags(tags)
                  .register(registry)
              : null;
      compactionReclaimed =
          keyValue
              ? Counter.builder("datawal.compaction.reclaimed.bytes")
                  .description("Disk bytes compaction freed")
                  .baseUnit(BaseUnits.BYTES)
                  .tags(tags)
                  .register(registry)
              : null;
      retentions =
          Timer.builder("datawal.retentions")
              .description("Retention runs")
              .tags(tags)
              .register(registry);
      retentionReclaimed =
          Counter.builder("datawal.retention.reclaimed.bytes")
              .description("Disk bytes retention freed by deleting old segments")
              .baseUnit(BaseUnits.BYTES)
              .tags(tags)
              .register(registry);
    }

    private static Timer gets(MeterRegistry registry, Tags tags, String result) {
      return Timer.builder("datawal.gets")
          .description("Key/value gets")
          .tags(tags)
          .tag("result", result)
          .register(registry);
    }

    @Override
    public void appended(int records, long bytes) {
      appends.increment(records);
      appendedBytes.increment(bytes);
    }

    @Override
    public void synced(long records, long nanos) {
      fsync.record(nanos, TimeUnit.NANOSECONDS);
      if (records > 0) {
        batch.record(records);
      }
    }

    @Override
    public void read(boolean found, long nanos) {
      Timer timer = found ? hits : misses;
      if (timer != null) {
        timer.record(nanos, TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public void compacted(CompactionStats stats) {
      if (compactions != null && compactionReclaimed != null) {
        compactions.record(stats.duration());
        compactionReclaimed.increment(stats.bytesReclaimed());
      }
    }

    @Override
    public void retained(RetentionStats stats) {
      retentions.record(stats.duration());
      retentionReclaimed.increment(stats.bytesReclaimed());
    }
  }
}
