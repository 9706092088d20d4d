package dev.datawal.sample.workload;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The power-loss workload ({@code sample.workload.*}; the {@code workload} profile turns it on).
 *
 * @param enabled run the workload at startup, then exit
 * @param seed the workload's seed
 * @param ops ops to run (seq 0 to ops - 1); 0 means no limit, then {@code duration} must be set
 * @param duration stop issuing ops after this long; unset means no time limit
 * @param keyLength key length in bytes
 * @param valueLength value length in bytes
 * @param concurrency writer threads sharing the store's group commit; thread t runs seq = t, t + N,
 *     t + 2N, ... A power of two up to 4,096, so each key belongs to one thread (see {@link
 *     WorkloadRunner}); 1 runs the reference's single stream
 * @param oracle the oracle file, truncated at start; put it on another file system than the store
 * @param issuedFsync also force each "issued" line before the op is sent, so in-flight ops are on
 *     record even after a power cut (SIGKILL keeps them anyway: they are in the page cache)
 */
@ConfigurationProperties("sample.workload")
public record WorkloadProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("42") long seed,
    @DefaultValue("50000") long ops,
    Duration duration,
    @DefaultValue("16") int keyLength,
    @DefaultValue("96") int valueLength,
    @DefaultValue("1") int concurrency,
    @DefaultValue("workload-oracle.txt") Path oracle,
    @DefaultValue("false") boolean issuedFsync) {

  public WorkloadProperties {
    if (ops < 0 || (ops == 0 && duration == null)) {
      throw new IllegalArgumentException(
          "sample.workload.ops must be positive, or 0 (no limit) with sample.workload.duration set");
    }
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("sample.workload.duration must be positive");
    }
    if (keyLength < 1 || valueLength < 0) {
      throw new IllegalArgumentException(
          "sample.workload.key-length must be at least 1 and value-length at least 0");
    }
    if (concurrency < 1 || concurrency > WorkloadOp.KEY_IDS || Integer.bitCount(concurrency) != 1) {
      throw new IllegalArgumentException(
          "sample.workload.concurrency must be a power of two from 1 to 4096, was " + concurrency);
    }
  }
}
