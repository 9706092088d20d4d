package dev.datawal.sample.workload;

import dev.datawal.DataWal;
import dev.datawal.FsyncPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

/**
 * Runs the reference power-loss workload (docs/reference/reference-behaviour.md) through the
 * auto-configured {@link DataWal}: op seq puts or deletes as {@link WorkloadOp} says, the store
 * makes it durable (under the default {@code always} policy the call returns durable; under another
 * policy this runner calls {@code fsync()}), and only then is the op's line appended to the {@link
 * OracleFile} and forced. Each op's "issued" line comes before it is sent.
 *
 * <p>Concurrency N: thread t (0 to N - 1) runs seq = t, t + N, t + 2N, ... in order, one op at a
 * time, so the N threads share the store's group commit; N = 1 is the reference's stream. Because N
 * is a power of two and key_id = seq * 0x1B3 mod 4096 with 0x1B3 odd, key_id mod N = t * 0x1B3 mod
 * N: every key is written by one thread only, so each key's ops are in seq order whatever N is, and
 * the final state equals the reference's. A thread has at most one op in flight: after a fault the
 * only ops that may be in the store beyond the oracle's acknowledged ones are each thread's
 * issued-but-unacknowledged op.
 *
 * <p>With {@code ops} and {@code duration} both set, the workload stops at whichever comes first;
 * after {@code duration} no thread issues another op.
 */
@Component
@ConditionalOnBooleanProperty("sample.workload.enabled")
public class WorkloadRunner implements ApplicationRunner {
  private static final Logger log = LoggerFactory.getLogger(WorkloadRunner.class);

  private final DataWal store;
  private final WorkloadProperties properties;

  WorkloadRunner(DataWal store, WorkloadProperties properties) {
    this.store = store;
    this.properties = properties;
  }

  /** What a run did. */
  public record Result(long puts, long deletes, int liveKeys, Duration took) {}

  @Override
  public void run(ApplicationArguments args) {
    Result result = run();
    log.info(
        "workload: done seed={} puts={} deletes={} live_keys={} took={}ms",
        properties.seed(),
        result.puts(),
        result.deletes(),
        result.liveKeys(),
        result.took().toMillis());
  }

  /**
   * Runs the workload to its end.
   *
   * @throws IllegalStateException if an op or the oracle failed; the other threads stop after their
   *     current op
   */
  public Result run() {
    WorkloadProperties p = properties;
    boolean fsyncEach = store.log().options().fsyncPolicy() != FsyncPolicy.ALWAYS;
    String header =
        "datawal-workload-oracle v1 seed="
            + p.seed()
            + " ops="
            + p.ops()
            + " key_len="
            + p.keyLength()
            + " value_len="
            + p.valueLength()
            + " concurrency="
            + p.concurrency();
    long started = System.nanoTime();
    long deadline = p.duration() == null ? Long.MAX_VALUE : started + p.duration().toNanos();
    AtomicLong puts = new AtomicLong();
    AtomicLong deletes = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (OracleFile oracle = OracleFile.create(p.oracle(), header, p.issuedFsync())) {
      log.info(
          "workload: started {} store={} oracle={}",
          header,
          store.log().dir(),
          p.oracle().toAbsolutePath());
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < p.concurrency(); t++) {
        long first = t;
        Thread thread =
            new Thread(
                () -> {
                  try {
                    for (long seq = first;
                        (p.ops() == 0 || seq < p.ops())
                            && failure.get() == null
                            && System.nanoTime() < deadline;
                        seq += p.concurrency()) {
                      WorkloadOp op = WorkloadOp.of(p.seed(), seq, p.keyLength(), p.valueLength());
                      oracle.issued(seq);
                      if (op.delete()) {
                        store.delete(op.key());
                        deletes.incrementAndGet();
                      } else {
                        store.put(op.key(), op.value());
                        puts.incrementAndGet();
                      }
                      if (fsyncEach) {
                        store.fsync();
                      }
                      oracle.acknowledged(op);
                    }
                  } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                  }
                },
                "workload-" + t);
        threads.add(thread);
        thread.start();
      }
      for (Thread thread : threads) {
        thread.join();
      }
      if (failure.get() != null) {
        throw new IllegalStateException("workload: failed: " + failure.get(), failure.get());
      }
      Result result =
          new Result(
              puts.get(),
              deletes.get(),
              store.size(),
              Duration.ofNanos(System.nanoTime() - started));
      oracle.end(
          "puts="
              + result.puts()
              + " deletes="
              + result.deletes()
              + " live_keys="
              + result.liveKeys());
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("workload: interrupted", e);
    }
  }
}
