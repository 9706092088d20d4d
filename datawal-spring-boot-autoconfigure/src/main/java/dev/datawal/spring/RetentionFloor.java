package dev.datawal.spring;

import java.util.OptionalLong;

/**
 * A reader of a plain log that must not lose records to retention before it has processed them (a
 * named subscriber, a relay). Background retention asks every {@code RetentionFloor} bean and keeps
 * every segment holding a txid at or above the lowest answer.
 *
 * <p>Implementations must be thread-safe: retention runs on its own thread.
 */
@FunctionalInterface
public interface RetentionFloor {
  /** The first txid this reader still needs, or empty if it needs nothing kept. */
  OptionalLong keepFromTxid();
}
