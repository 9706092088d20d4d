package dev.datawal.spring;

import java.util.OptionalLong;

/**
 * A reader of the log that must not lose records to retention or compaction before it has processed
 * them (a named subscriber, a relay). Background retention of a plain log and background compaction
 * of a key/value store ask every {@code RetentionFloor} bean and leave every segment holding a txid
 * at or above the lowest answer as it is.
 *
 * <p>Implementations must be thread-safe: retention runs on its own thread.
 */
@FunctionalInterface
public interface RetentionFloor {
  /** {@return the first txid this reader still needs, or empty if it needs nothing kept} */
  OptionalLong keepFromTxid();
}
