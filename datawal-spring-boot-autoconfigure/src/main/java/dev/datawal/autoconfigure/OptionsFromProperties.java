package dev.datawal.autoconfigure;

import dev.datawal.DatawalOptions;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.Environment;

/**
 * Turns {@link DatawalProperties} into {@link DatawalOptions}, checking every value first so that a
 * bad one fails startup naming its property (Boot's failure analyzer prints name, value, origin and
 * reason), not an engine parameter the user never wrote.
 */
final class OptionsFromProperties {
  private OptionsFromProperties() {}

  static DatawalOptions options(DatawalProperties properties) {
    validate(properties);
    DatawalProperties.Retention retention = properties.getRetention();
    return DatawalOptions.builder()
        .maxSegmentSize(properties.getSegment().getMaxSize().toBytes())
        .fsyncPolicy(properties.getFsync().getPolicy())
        .fsyncInterval(properties.getFsync().getInterval())
        .maxReadHandles(properties.getMaxReadHandles())
        .retentionMaxAge(retention.getMaxAge())
        .retentionMaxBytes(retention.getMaxBytes().toBytes())
        .verifyAfterOpen(properties.getVerify().isAfterOpen())
        .verifyInterval(properties.getVerify().getInterval())
        .build();
  }

  /**
   * Checks every property the engine or the scheduler would refuse.
   *
   * @throws InvalidConfigurationPropertyValueException naming the first bad property
   */
  static void validate(DatawalProperties properties) {
    long segment = properties.getSegment().getMaxSize().toBytes();
    require(
        "datawal.segment.max-size",
        properties.getSegment().getMaxSize(),
        segment > 0 && segment <= DatawalOptions.MAX_MAX_SEGMENT_SIZE,
        "must be more than 0 bytes and at most 64GB");
    require("datawal.fsync.policy", null, properties.getFsync().getPolicy() != null, "is required");
    requirePositive("datawal.fsync.interval", properties.getFsync().getInterval());
    require(
        "datawal.max-read-handles",
        properties.getMaxReadHandles(),
        properties.getMaxReadHandles() >= 1,
        "must be at least 1");
    Duration lockWait = properties.getLock().getWait();
    require(
        "datawal.lock.wait",
        lockWait,
        lockWait != null && !lockWait.isNegative(),
        "must be 0 (fail at once) or positive");
    requirePositive("datawal.compaction.interval", properties.getCompaction().getInterval());
    double ratio = properties.getCompaction().getMinGarbageRatio();
    require(
        "datawal.compaction.min-garbage-ratio",
        ratio,
        ratio >= 0 && ratio <= 1,
        "must be between 0 and 1 (a share of the store's bytes)");
    DatawalProperties.Retention retention = properties.getRetention();
    Duration maxAge = retention.getMaxAge();
    require(
        "datawal.retention.max-age",
        maxAge,
        maxAge == null || (!maxAge.isNegative() && !maxAge.isZero()),
        "must be positive, or unset for no age limit");
    require(
        "datawal.retention.max-bytes",
        retention.getMaxBytes(),
        retention.getMaxBytes().toBytes() >= 0,
        "must be 0 (no limit) or positive");
    requirePositive("datawal.retention.interval", retention.getInterval());
    Duration verifyInterval = properties.getVerify().getInterval();
    require(
        "datawal.verify.interval",
        verifyInterval,
        verifyInterval == null || (!verifyInterval.isNegative() && !verifyInterval.isZero()),
        "must be positive, or unset for no scheduled verification");
    require(
        "datawal.health.free-space-threshold",
        properties.getHealth().getFreeSpaceThreshold(),
        properties.getHealth().getFreeSpaceThreshold().toBytes() >= 0,
        "must be 0 or positive");
  }

  /**
   * Refuses an empty {@code datawal.dir}: binding turns it into no value, which would silently
   * leave the default {@code ./datawal} in place, so the raw value is checked.
   *
   * @throws InvalidConfigurationPropertyValueException if it is set but empty or blank
   */
  static void requireADir(Environment environment) {
    String dir = environment.getProperty("datawal.dir");
    require(
        "datawal.dir",
        dir,
        dir == null || !dir.isBlank(),
        "must name a directory; leave it unset for the default ./datawal");
  }

  private static void requirePositive(String name, Duration value) {
    require(
        name, value, value != null && !value.isNegative() && !value.isZero(), "must be positive");
  }

  private static void require(String name, @Nullable Object value, boolean valid, String reason) {
    if (!valid) {
      throw new InvalidConfigurationPropertyValueException(name, value, reason);
    }
  }
}
