package dev.datawal.kafka;

import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of a {@link KafkaRelay}: where it stands and whether Kafka is taking its records.
 * Immutable, so thread-safe.
 *
 * @param state what the relay is doing
 * @param name the relay's name (its checkpoint is {@code subscribers/<name>.position})
 * @param topic the topic it publishes to
 * @param checkpoint the txid in the durable checkpoint: every record up to it was acknowledged by
 *     Kafka, and after a crash the relay resumes after it
 * @param confirmedTxid the txid up to which Kafka has acknowledged every record (the checkpoint
 *     catches up with it at the next checkpoint write)
 * @param lagRecords records written to the local log and not yet acknowledged by Kafka (an upper
 *     bound: the difference of txids)
 * @param lagBytes bytes of the local log after the last record Kafka acknowledged
 * @param published records Kafka acknowledged since the relay was created (repeats included)
 * @param failures times the relay had to start over from its checkpoint since it was created
 * @param problem why the relay is {@link State#STALLED} or {@link State#STOPPED}, if it is
 */
public record RelayStatus(
    State state,
    String name,
    String topic,
    long checkpoint,
    long confirmedTxid,
    long lagRecords,
    long lagBytes,
    long published,
    long failures,
    Optional<String> problem) {

  /** What a relay is doing. */
  public enum State {
    /** Not started, or stopped. */
    STOPPED,
    /** Publishing: Kafka acknowledges what it is sent, or there is nothing to send. */
    RELAYING,
    /**
     * Kafka does not take its records: the broker is unreachable, has not acknowledged a record for
     * longer than the acknowledgement timeout, or refused one; or the relay cannot go on for
     * another reason, such as a damaged checkpoint file. The relay keeps retrying; the
     * application's writes are not affected.
     */
    STALLED
  }

  /**
   * A status.
   *
   * @param state what the relay is doing
   * @param name the relay's name
   * @param topic the topic it publishes to
   * @param checkpoint the txid in the durable checkpoint
   * @param confirmedTxid the txid up to which Kafka has acknowledged every record
   * @param lagRecords records not yet acknowledged by Kafka (an upper bound)
   * @param lagBytes bytes of the local log after the last record Kafka acknowledged
   * @param published records Kafka acknowledged since the relay was created
   * @param failures times the relay started over from its checkpoint since it was created
   * @param problem why the relay is stalled or stopped, if it is
   * @throws NullPointerException if a reference is null
   */
  public RelayStatus {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(problem, "problem");
  }
}
