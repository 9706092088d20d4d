package dev.datawal.kafka;

import dev.datawal.RecordLog;
import dev.datawal.spring.RetentionFloor;
import dev.datawal.spring.SubscriberPositions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * Relays a local log to an Apache Kafka topic: every durable record, in txid order, from a durable
 * checkpoint on. The record's key is the Kafka key, its payload the value, a Delete a tombstone
 * (null value), and the txid, type and store id travel in {@link RelayHeaders}; so a compacted
 * topic holds the key/value view of a {@link dev.datawal.DataWal}.
 *
 * <p>Delivery is at least once, in order: the producer is idempotent with {@code acks=all}, the
 * checkpoint ({@code <store dir>/subscribers/<name>.position}, written by {@link
 * SubscriberPositions}) holds the last txid up to which Kafka acknowledged every record, and after
 * a crash or a broker failure the relay starts over from it. A consumer drops the repeats by
 * keeping the highest txid it applied per partition (see {@link RelayHeaders}).
 *
 * <p>The relay runs on its own thread and follows durable records only, so it never blocks or slows
 * the application's writes; while Kafka is unreachable it waits and retries, its {@link #status()}
 * says {@link RelayStatus.State#STALLED}, and it catches up when the broker returns. As a {@link
 * RetentionFloor} it keeps retention and compaction from deleting records it has not published.
 *
 * <p>Lifecycle: {@link #start()} starts the thread; {@link #stop()} waits up to the stop timeout
 * for records in flight, writes the checkpoint and returns. In a Spring context it starts before
 * the web server and stops after it (phase {@link #PHASE}).
 *
 * <p>Jobs: this class is the relay's public face; the relaying itself is {@code RelayLoop}'s, the
 * producer's configuration {@code ProducerSettings}', a record's shape in Kafka {@code
 * RelayRecords}'. Three jobs stay here: the relay thread's lifecycle ({@link #start()}, {@link
 * #stop()}), the retention floor ({@link #keepFromTxid()}) and the {@link #status()}. They stay
 * together because they are one bean to Spring, retention, health and metrics, and because the
 * status reads the loop and the thread under the monitor that start and stop change them under.
 *
 * <p>Thread-safe.
 */
public final class KafkaRelay implements SmartLifecycle, RetentionFloor, AutoCloseable {
  private static final Log logger = LogFactory.getLog(KafkaRelay.class);

  /** The default name, so the default checkpoint is {@code subscribers/kafka-relay.position}. */
  public static final String DEFAULT_NAME = "kafka-relay";

  /** The default store id. */
  public static final String DEFAULT_STORE_ID = "datawal";

  /** The default longest time between two checkpoint writes while records are acknowledged. */
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

  /** The default time a record may wait for Kafka's acknowledgement before the relay is STALLED. */
  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The default time between two checks that the broker answers, while there is nothing to send.
   */
  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(30);

  /** The default time {@link #stop()} waits for records in flight. */
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The lifecycle phase: lower than the web server's, so the relay starts before it and stops after
   * it has drained its requests, and publishes what they wrote.
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  /** What a relay is built from. */
  record Settings(
      RecordLog log,
      String name,
      String topic,
      String storeId,
      Map<String, Object> producerConfigs,
      Function<Map<String, Object>, Producer<byte[], byte[]>> producers,
      Duration checkpointInterval,
      Duration ackTimeout,
      Duration probeInterval,
      Duration stopTimeout) {}

  private final Settings settings;
  private final SubscriberPositions positions;
  private final LongAdder published = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private @Nullable RelayLoop loop; // guarded by this; kept after stop, for the status
  private @Nullable Thread thread; // guarded by this: running while not null

  private KafkaRelay(Settings settings) {
    this.settings = settings;
    this.positions = SubscriberPositions.of(settings.log().dir());
  }

  /**
   * A builder of a relay of {@code log} to {@code topic}.
   *
   * @param log the log to relay
   * @param topic the Kafka topic to publish its records to
   * @return a builder with the defaults, to set the rest and {@link Builder#build() build} the
   *     relay
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code topic} is blank
   */
  public static Builder builder(RecordLog log, String topic) {
    return new Builder(log, topic);
  }

  /** Starts the relay thread, unless it is running. */
  @Override
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    RelayLoop started = new RelayLoop(settings, positions, published, failures);
    Thread running = new Thread(started, "datawal-kafka-relay " + settings.name());
    running.setDaemon(true);
    loop = started;
    thread = running;
    running.start();
    logger.info(
        "datawal: Kafka relay '"
            + settings.name()
            + "' publishes "
            + settings.log().dir()
            + " to topic "
            + settings.topic()
            + " as store id "
            + settings.storeId());
  }

  /**
   * Stops the relay thread: records in flight get up to the stop timeout to be acknowledged, the
   * checkpoint is written, and the producer is closed. Idempotent.
   */
  @Override
  public synchronized void stop() {
    Thread running = thread;
    RelayLoop current = loop;
    if (running == null || current == null) {
      return;
    }
    current.stop();
    try {
      // The stop timeout for records in flight, and one broker check or send blocked on metadata.
      running.join(
          settings
              .stopTimeout()
              .plus(settings.ackTimeout())
              .plus(Duration.ofSeconds(15))
              .toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (running.isAlive()) {
      logger.warn("datawal: Kafka relay '" + settings.name() + "' still running after stop");
    }
    thread = null;
  }

  @Override
  public synchronized boolean isRunning() {
    return thread != null;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /**
   * The first txid the relay has not published: its checkpoint + 1, read from the checkpoint file
   * (so it holds whether the relay is running or not).
   *
   * @throws dev.datawal.DatawalException if the checkpoint file is damaged or cannot be read
   */
  @Override
  public OptionalLong keepFromTxid() {
    return OptionalLong.of(checkpoint() + 1);
  }

  /**
   * The durable checkpoint: the txid up to which Kafka acknowledged every record (0: none yet).
   *
   * @return the txid in the checkpoint file
   * @throws dev.datawal.DatawalException if the checkpoint file is damaged or cannot be read
   */
  public long checkpoint() {
    return positions.position(settings.name());
  }

  /**
   * The relay's name, which names its checkpoint file.
   *
   * @return the name
   */
  public String name() {
    return settings.name();
  }

  /**
   * The topic it publishes to.
   *
   * @return the topic's name
   */
  public String topic() {
    return settings.topic();
  }

  /**
   * The store id it puts in every record's {@link RelayHeaders#STORE} header.
   *
   * @return the store id
   */
  public String storeId() {
    return settings.storeId();
  }

  /**
   * The configuration of the relay's producer: the common settings, the relay's defaults, its
   * overrides and the required settings, as they are passed to each producer it creates.
   *
   * @return the settings, unmodifiable
   */
  public Map<String, Object> producerConfigs() {
    return settings.producerConfigs();
  }

  /**
   * The log it relays.
   *
   * @return the log
   */
  public RecordLog log() {
    return settings.log();
  }

  /**
   * Where the relay stands now. Cheap enough for every health check and metrics scrape.
   *
   * @return a snapshot of the relay's state
   */
  public RelayStatus status() {
    RelayLoop current;
    boolean running;
    synchronized (this) { // both at once: a start between two reads would pair null with running
      current = loop;
      running = thread != null;
    }
    String problem = null;
    long checkpoint;
    if (current != null) {
      checkpoint = current.committed();
    } else {
      try {
        checkpoint = checkpoint();
      } catch (RuntimeException e) {
        checkpoint = 0;
        problem = e.getMessage(); // a damaged checkpoint file: the message names it
      }
    }
    long confirmed = current == null ? checkpoint : current.confirmed();
    long lagRecords = Math.max(0, settings.log().lastTxid() - confirmed);
    long lagBytes = lagBytes(current, lagRecords);
    RelayStatus.State state;
    if (!running || current == null) {
      state = RelayStatus.State.STOPPED;
      problem = problem == null ? "the relay is not running" : problem;
    } else {
      problem = current.problem();
      long pendingSince = current.oldestPendingNanos();
      long waited = pendingSince == 0 ? 0 : System.nanoTime() - pendingSince;
      if (problem == null && waited > settings.ackTimeout().toNanos()) {
        problem =
            "Kafka has not acknowledged a record for "
                + Duration.ofNanos(waited).toSeconds()
                + " s (ack timeout "
                + settings.ackTimeout()
                + ")";
      }
      state = problem == null ? RelayStatus.State.RELAYING : RelayStatus.State.STALLED;
    }
    return new RelayStatus(
        state,
        settings.name(),
        settings.topic(),
        checkpoint,
        confirmed,
        lagRecords,
        lagBytes,
        published.sum(),
        failures.sum(),
        Optional.ofNullable(problem));
  }

  private long lagBytes(@Nullable RelayLoop current, long lagRecords) {
    if (lagRecords == 0) {
      return 0;
    }
    RelayLoop.Position from = current == null ? null : current.unconfirmedFrom();
    if (from == null) {
      return settings.log().diskBytes(); // not known until the first record is read: a bound
    }
    long bytes = 0;
    SortedMap<Long, Long> sizes = settings.log().segmentSizes();
    for (Map.Entry<Long, Long> segment : sizes.tailMap(from.segment()).entrySet()) {
      long size = segment.getValue();
      bytes += segment.getKey() == from.segment() ? Math.max(0, size - from.offset()) : size;
    }
    return bytes;
  }

  @Override
  public String toString() {
    return "KafkaRelay[" + settings.name() + " -> " + settings.topic() + "]";
  }

  private static Producer<byte[], byte[]> newProducer(Map<String, Object> configs) {
    return new KafkaProducer<>(configs, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Builds a {@link KafkaRelay}. Not thread-safe. */
  public static final class Builder {
    private final RecordLog log;
    private final String topic;
    private String name = DEFAULT_NAME;
    private String storeId = DEFAULT_STORE_ID;
    private Map<String, ?> commonConfigs = Map.of();
    private Map<String, ?> producerOverrides = Map.of();
    private Function<Map<String, Object>, Producer<byte[], byte[]>> producers =
        KafkaRelay::newProducer;
    private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
    private Duration ackTimeout = DEFAULT_ACK_TIMEOUT;
    private Duration probeInterval = DEFAULT_PROBE_INTERVAL;
    private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;

    private Builder(RecordLog log, String topic) {
      this.log = Objects.requireNonNull(log, "log");
      this.topic = Objects.requireNonNull(topic, "topic");
      if (topic.isBlank()) {
        throw new IllegalArgumentException("datawal: the Kafka relay needs a topic");
      }
    }

    /**
     * The relay's name, 1 to 100 characters from {@code [A-Za-z0-9._-]}; its checkpoint is {@code
     * <store dir>/subscribers/<name>.position}. Default {@value #DEFAULT_NAME}.
     *
     * @param name the relay's name
     * @return this builder
     * @throws IllegalArgumentException if the name is invalid
     */
    public Builder name(String name) {
      this.name = SubscriberPositions.checkName(name);
      return this;
    }

    /**
     * The store id put in every record's {@link RelayHeaders#STORE} header: it names whose txids
     * these are, so give every store that publishes to one topic its own, and keep it across
     * restarts. Default {@value #DEFAULT_STORE_ID}.
     *
     * @param storeId the store id
     * @return this builder
     * @throws IllegalArgumentException if it is blank
     */
    public Builder storeId(String storeId) {
      Objects.requireNonNull(storeId, "storeId");
      if (storeId.isBlank()) {
        throw new IllegalArgumentException("datawal: the Kafka relay's store id is blank");
      }
      this.storeId = storeId;
      return this;
    }

    /**
     * The application's common Kafka client settings (bootstrap servers, security), such as Spring
     * Boot's producer configuration. The relay's own defaults take precedence over these: an
     * unbounded {@code delivery.timeout.ms}, {@code max.block.ms=10000}, {@code linger.ms=5} and
     * {@code client.id=datawal-<name>}.
     *
     * @param configs Kafka client settings by name; null values are left out
     * @return this builder
     */
    public Builder commonConfigs(Map<String, ?> configs) {
      Map<String, Object> copy = new HashMap<>(configs);
      copy.values().removeIf(Objects::isNull);
      this.commonConfigs = Map.copyOf(copy);
      return this;
    }

    /**
     * Producer settings for the relay only, applied over its defaults. {@code
     * enable.idempotence=true}, {@code acks=all}, {@code max.in.flight.requests.per.connection=1}
     * and byte-array serializers are required and cannot be changed.
     *
     * @param overrides producer settings by name
     * @return this builder
     * @throws IllegalArgumentException if {@code overrides} changes a required setting
     */
    public Builder producerOverrides(Map<String, ?> overrides) {
      ProducerSettings.assemble(Map.of(), overrides, name); // checks them
      this.producerOverrides = Map.copyOf(overrides);
      return this;
    }

    /**
     * The longest time between two checkpoint writes while Kafka acknowledges records (each is a
     * small file replaced with two fsyncs): after a crash, at most about this much is sent again.
     * Default 1 s.
     *
     * @param interval the longest time between two checkpoint writes
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder checkpointInterval(Duration interval) {
      this.checkpointInterval = notNegative(interval, "checkpoint interval");
      return this;
    }

    /**
     * How long a record may wait for Kafka's acknowledgement before the relay reports {@link
     * RelayStatus.State#STALLED}; also the timeout of a broker check. Default 10 s.
     *
     * @param timeout the acknowledgement timeout
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder ackTimeout(Duration timeout) {
      this.ackTimeout = positive(timeout, "ack timeout");
      return this;
    }

    /**
     * How often the relay checks that the broker answers while it has nothing to send (with records
     * in flight, acknowledgements tell). Default 30 s.
     *
     * @param interval the time between two broker checks while idle
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder probeInterval(Duration interval) {
      this.probeInterval = positive(interval, "probe interval");
      return this;
    }

    /**
     * How long {@link KafkaRelay#stop()} waits for records in flight; those not acknowledged by
     * then are sent again at the next start. Default 10 s.
     *
     * @param timeout how long to wait for records in flight when stopping
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = notNegative(timeout, "stop timeout");
      return this;
    }

    /** The producer factory; tests wrap the real producer with it. */
    Builder producers(Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
      this.producers = Objects.requireNonNull(producers, "producers");
      return this;
    }

    /**
     * The relay, not started.
     *
     * @return a new relay
     * @throws IllegalArgumentException if the producer overrides change a required setting
     */
    public KafkaRelay build() {
      Map<String, Object> configs =
          ProducerSettings.assemble(commonConfigs, producerOverrides, name);
      return new KafkaRelay(
          new Settings(
              log,
              name,
              topic,
              storeId,
              Map.copyOf(configs),
              producers,
              checkpointInterval,
              ackTimeout,
              probeInterval,
              stopTimeout));
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("datawal: the relay's " + what + " must be positive");
      }
      return d;
    }

    private static Duration notNegative(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative()) {
        throw new IllegalArgumentException("datawal: the relay's " + what + " is negative");
      }
      return d;
    }
  }
}
