package dev.datawal.benchmarks.modulith;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.modulith.events.EventPublication.Status;
import org.springframework.modulith.events.support.CompletionMode;

/**
 * Event publications per second through Spring Modulith's event publication registry ({@code
 * DefaultEventPublicationRegistry}), on datawal-modulith's repository against Modulith's own JDBC
 * repository on H2, side by side in one run ({@code -p registry=...}, see {@link RegistryKind}):
 *
 * <ul>
 *   <li>{@code datawal}: a datawal store, {@code datawal.fsync.policy=always}, with its {@code
 *       DatawalTransactionManager}: durable at commit;
 *   <li>{@code h2-file}: {@code JdbcEventPublicationRepositoryV2} on an H2 file database with H2's
 *       defaults, Boot's Hikari pool and Boot's {@code JdbcTransactionManager}: not durable at
 *       commit (H2's background writer writes a commit to the file within 500 ms; H2 forces the
 *       file only when it closes, compacts or shrinks it);
 *   <li>{@code h2-file-sync}: the same plus {@code CHECKPOINT SYNC} after every commit ({@link
 *       CheckpointSyncTransactionManager}): durable at commit;
 *   <li>{@code h2-mem}: the same repository on an in-memory H2 database: not durable, an upper
 *       bound.
 * </ul>
 *
 * <p>Each registry runs in a Spring context built from the auto-configurations an application gets
 * ({@link DatawalRegistryConfiguration}, {@link JdbcRegistryConfiguration}), with Modulith's
 * Jackson {@code EventSerializer} on Boot's {@code JsonMapper}, one event type ({@link
 * OrderPlaced}) and one listener. The context and its store are new for every iteration (so every
 * iteration starts from an empty registry) and checked after it: the repository must count exactly
 * the publications the iteration left (an iteration that completed nothing would fail instead of
 * reporting a rate).
 *
 * <p>One operation:
 *
 * <ul>
 *   <li>{@code publishAndComplete*}: the registry's lifecycle of one publication: in a transaction
 *       (a {@code TransactionTemplate} on the context's transaction manager), {@code
 *       registry.store(event, Stream.of(listener))}; then, in a second transaction, {@code
 *       registry.markCompleted(event, listener)}. Completion mode {@code -p completion=UPDATE}
 *       (Modulith's default: the publication is kept, marked completed) or {@code DELETE}. The
 *       registry's own {@code @Transactional(REQUIRES_NEW)} on {@code markCompleted} is not in play
 *       (the context has no transaction proxies): the template's transaction is the one Modulith
 *       would open there.
 *   <li>{@code publish*}: only the first transaction; the registry grows by one incomplete
 *       publication per operation.
 * </ul>
 *
 * <p>{@code ...OneThread} runs one thread, {@code ...TwoThreads} two threads sharing the registry;
 * JMH sums their rates.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class ModulithRegistryBenchmark {
  /** A running registry, new for every iteration, and what the iteration did with it. */
  abstract static class Registry {
    RunningRegistry running;
    final AtomicLong events = new AtomicLong();
    final AtomicLong done = new AtomicLong();

    void start(String registry, CompletionMode completionMode) throws IOException {
      running = RunningRegistry.start(RegistryKind.of(registry), completionMode);
      done.set(0);
    }

    /**
     * Fails the iteration if the repository does not count {@code expected} with {@code status}.
     */
    void check(Status status, long expected) {
      int actual = running.count(status);
      if (actual != expected) {
        throw new IllegalStateException(
            "registry "
                + running.kind().parameter()
                + ": after "
                + done.get()
                + " operations the repository counts "
                + actual
                + " publications "
                + status
                + ", expected "
                + expected);
      }
    }

    /** Checks the counts {@code checks} expects, then closes the registry and deletes its store. */
    void stop(Runnable checks) throws IOException {
      try {
        checks.run();
      } finally {
        running.close();
      }
    }
  }

  /** The registry for the whole lifecycle, with completion mode {@code completion}. */
  @State(Scope.Benchmark)
  public static class Lifecycle extends Registry {
    /** Which registry: {@code datawal}, {@code h2-file}, {@code h2-file-sync}, {@code h2-mem}. */
    @Param({"datawal", "h2-file", "h2-file-sync", "h2-mem"})
    public String registry;

    /** What completing does: {@code UPDATE} (Modulith's default) or {@code DELETE}. */
    @Param({"UPDATE", "DELETE"})
    public String completion;

    @Setup(Level.Iteration)
    public void start() throws IOException {
      start(registry, CompletionMode.valueOf(completion));
    }

    void publishAndComplete() {
      OrderPlaced event = OrderPlaced.number(events.incrementAndGet());
      running.publish(event);
      running.complete(event);
      done.incrementAndGet();
    }

    /** Every publication completed: none left incomplete; kept under UPDATE, gone under DELETE. */
    @TearDown(Level.Iteration)
    public void stop() throws IOException {
      stop(
          () -> {
            check(Status.PUBLISHED, 0);
            check(Status.COMPLETED, completion.equals("UPDATE") ? done.get() : 0);
          });
    }
  }

  /** The registry for the publish step alone (completion mode irrelevant: Modulith's default). */
  @State(Scope.Benchmark)
  public static class PublishOnly extends Registry {
    /** Which registry: {@code datawal}, {@code h2-file}, {@code h2-file-sync}, {@code h2-mem}. */
    @Param({"datawal", "h2-file", "h2-file-sync", "h2-mem"})
    public String registry;

    @Setup(Level.Iteration)
    public void start() throws IOException {
      start(registry, CompletionMode.UPDATE);
    }

    void publish() {
      running.publish(OrderPlaced.number(events.incrementAndGet()));
      done.incrementAndGet();
    }

    /** Every operation left one incomplete publication. */
    @TearDown(Level.Iteration)
    public void stop() throws IOException {
      stop(() -> check(Status.PUBLISHED, done.get()));
    }
  }

  @Benchmark
  @Threads(1)
  public void publishAndCompleteOneThread(Lifecycle state) {
    state.publishAndComplete();
  }

  @Benchmark
  @Threads(2)
  public void publishAndCompleteTwoThreads(Lifecycle state) {
    state.publishAndComplete();
  }

  @Benchmark
  @Threads(1)
  public void publishOneThread(PublishOnly state) {
    state.publish();
  }

  @Benchmark
  @Threads(2)
  public void publishTwoThreads(PublishOnly state) {
    state.publish();
  }
}
