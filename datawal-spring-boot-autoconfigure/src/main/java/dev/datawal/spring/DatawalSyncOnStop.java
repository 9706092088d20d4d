package dev.datawal.spring;

import dev.datawal.DatawalException;
import java.util.Objects;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Makes every write to the store durable when the application context stops, under every fsync
 * policy: at a CRaC checkpoint (Spring stops every lifecycle bean before one, and starts them again
 * on restore), on {@code ConfigurableApplicationContext#stop()} or {@code pause()}, and as shutdown
 * begins. It stops last, in {@link #PHASE}: after the web server has drained its requests, after
 * background maintenance and the Kafka relay, so nothing Spring manages writes after it.
 *
 * <p>The store stays open while the context is stopped: its files, its directory lock and its
 * mappings are kept, so the {@code DataWal} or {@code RecordLog} the application holds works again
 * as soon as the context starts (reads and writes work meanwhile too). Writes made while stopped
 * become durable as the fsync policy says, as ever.
 *
 * <p>Thread-safe.
 */
public final class DatawalSyncOnStop implements SmartLifecycle {
  private static final Log logger = LogFactory.getLog(DatawalSyncOnStop.class);

  /**
   * Below the phase of every lifecycle bean of Spring, Boot and datawal (and of an application's
   * own, which default to {@code 0} or {@link SmartLifecycle#DEFAULT_PHASE}), so it stops after
   * them; there is room below it for a bean that must stop later still.
   */
  public static final int PHASE = Integer.MIN_VALUE + 1024;

  private final DatawalStore store;
  private volatile boolean running;

  /**
   * Syncs {@code store} when the context stops.
   *
   * @param store the store
   */
  public DatawalSyncOnStop(DatawalStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Marks it running: there is nothing to reopen, the store stayed open. */
  @Override
  public void start() {
    running = true;
  }

  /**
   * Makes every write so far durable, unless the store cannot take an fsync (read-only, closed or
   * poisoned: a poisoned writer accepted nothing since its failure). A failure is logged, never
   * thrown: the context stops all the same, and the writer is poisoned by it.
   */
  @Override
  public void stop() {
    running = false;
    if (store.mode() == DatawalStore.Mode.READ_ONLY || store.isClosed() || store.isPoisoned()) {
      return;
    }
    try {
      store.fsync();
    } catch (DatawalException | IllegalStateException e) {
      logger.warn(
          "datawal: could not make the writes to "
              + store.dir()
              + " durable as the context stopped",
          e);
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
