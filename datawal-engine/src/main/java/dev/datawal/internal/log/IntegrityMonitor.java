package dev.datawal.internal.log;

import dev.datawal.CorruptStoreException;
import dev.datawal.IntegrityProblem;
import dev.datawal.IntegrityStatus;
import dev.datawal.VerificationReport;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * What an open store knows of its integrity: damage found since it was opened (by a verification or
 * a read), recorded in the manifest so that it outlives the process, and the verifications of the
 * sealed segments, run on request or in the background (after an open that skipped reading them,
 * and on a schedule).
 *
 * <p>Thread-safe. One verification runs at a time; the background work stops at {@link #close()},
 * which a running verification notices between frames.
 */
public final class IntegrityMonitor implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  /**
   * How long after it is asked for the verification after an open begins: the reads an application
   * makes first after it opened a store, and the JIT compiling their code, go first, before a
   * verification that reads every sealed segment takes a core for seconds or minutes.
   */
  public static final Duration AFTER_OPEN_DELAY = Duration.ofSeconds(1);

  /** The name of a background thread while it runs no verification. */
  private static final String IDLE = "datawal-verify (idle)";

  /**
   * The threads that run the background verifications of every store of this process, named {@code
   * datawal-verify <store>} while they do: daemons, made as needed and kept 30 s after their last
   * one, so that an open after a close reuses a thread rather than starting one (which costs an
   * open more than most of its other steps together).
   */
  private static final ThreadPoolExecutor THREADS =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          30,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          task -> {
            Thread thread = new Thread(task, IDLE);
            thread.setDaemon(true);
            return thread;
          });

  /** Where found damage is recorded durably. */
  @FunctionalInterface
  public interface Recorder {
    void record(StoreManifest.Damage damage) throws IOException;
  }

  private final SealedSegmentVerifier verifier;
  private final Recorder recorder;
  private final String store;
  private final List<IntegrityProblem> problems = new CopyOnWriteArrayList<>();
  private final ReentrantLock verifying = new ReentrantLock();
  private final ReentrantLock waitLock = new ReentrantLock();
  private final Condition wake = waitLock.newCondition();
  private volatile IntegrityStatus.@Nullable Progress running;
  private volatile @Nullable VerificationReport last;
  private volatile boolean closed;
  private @Nullable CountDownLatch background; // counted down when the background work ends
  private volatile @Nullable Thread runner; // the thread running it, while it does

  public IntegrityMonitor(
      FileIo io,
      java.nio.file.Path dir,
      LogWriter writer,
      ManifestKeeper manifest,
      Recorder recorder) {
    this.verifier = new SealedSegmentVerifier(io, dir, writer, manifest, () -> closed);
    this.recorder = recorder;
    this.store = dir.toString();
  }

  /**
   * Starts the background work if there is any: a verification {@link #AFTER_OPEN_DELAY} from now
   * ({@code initial}) and every {@code interval} after (null: none).
   */
  public synchronized void startBackground(boolean initial, @Nullable Duration interval) {
    if ((!initial && interval == null) || background != null || closed) {
      return;
    }
    CountDownLatch ended = new CountDownLatch(1);
    background = ended;
    THREADS.execute(
        () -> {
          Thread self = Thread.currentThread();
          self.setName("datawal-verify " + store);
          runner = self;
          try {
            runBackground(initial, interval);
          } finally {
            runner = null;
            self.setName(IDLE);
            ended.countDown();
          }
        });
  }

  private void runBackground(boolean initial, @Nullable Duration interval) {
    if (initial && !sleep(AFTER_OPEN_DELAY)) {
      return; // closed meanwhile
    }
    boolean now = initial;
    while (!closed) {
      if (now) {
        try {
          verify();
        } catch (RuntimeException e) {
          if (!closed) {
            LOG.log(
                System.Logger.Level.WARNING, "datawal: verifying " + store + " failed: " + e, e);
          }
        }
      }
      if (interval == null || !sleep(interval)) {
        return;
      }
      now = true;
    }
  }

  /** Waits {@code interval} or until closed; whether to go on. */
  private boolean sleep(Duration interval) {
    waitLock.lock();
    try {
      long nanos = interval.toNanos();
      while (!closed && nanos > 0) {
        nanos = wake.awaitNanos(nanos);
      }
      return !closed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      waitLock.unlock();
    }
  }

  /**
   * Verifies every sealed segment now (waiting for one already running to end first), records what
   * it finds, and returns the report.
   */
  public VerificationReport verify() {
    verifying.lock();
    try {
      Instant started = Instant.now();
      long t0 = System.nanoTime();
      running = new IntegrityStatus.Progress(started, 0, 0, 0, 0);
      SealedSegmentVerifier.Result result;
      try {
        result =
            verifier.verify(
                (segments, segmentsTotal, bytes, bytesTotal) ->
                    running =
                        new IntegrityStatus.Progress(
                            started, segments, segmentsTotal, bytes, bytesTotal));
      } catch (IOException e) {
        throw Errors.readFailed(java.nio.file.Path.of(store), e);
      }
      List<IntegrityProblem> found = new ArrayList<>();
      for (CorruptStoreException e : result.problems()) {
        found.add(found(e, IntegrityProblem.FoundBy.VERIFICATION));
      }
      VerificationReport report =
          new VerificationReport(
              started,
              Duration.ofNanos(System.nanoTime() - t0),
              result.segmentsChecked(),
              result.segmentsSkipped(),
              result.frames(),
              result.bytes(),
              found);
      last = report;
      if (!report.clean()) {
        LOG.log(
            System.Logger.Level.ERROR,
            "datawal: verifying "
                + store
                + " found damage; the store keeps serving what it can, the next open refuses it"
                + " until `datawal repair`: "
                + found.get(0).message());
      }
      return report;
    } finally {
      running = null;
      verifying.unlock();
    }
  }

  /**
   * Records damage that a read or verification met: kept in memory for {@link #status()} and, as
   * far as possible, in the manifest.
   */
  public IntegrityProblem found(CorruptStoreException e, IntegrityProblem.FoundBy by) {
    IntegrityProblem problem = IntegrityProblem.of(e, by);
    boolean known =
        problems.stream()
            .anyMatch(
                p ->
                    p.segment() == problem.segment()
                        && p.offset() == problem.offset()
                        && p.kind() == problem.kind());
    if (!known) {
      problems.add(problem);
      try {
        recorder.record(new StoreManifest.Damage(e.segment(), e.offset(), e.kind()));
      } catch (IOException | RuntimeException failure) {
        LOG.log(
            System.Logger.Level.WARNING,
            "datawal: could not record damage in "
                + StoreManifest.FILE_NAME
                + " of "
                + store
                + " (it is reported now, and a full read finds it again): "
                + failure,
            failure);
      }
    }
    return problem;
  }

  /** What is known now. */
  public IntegrityStatus status() {
    return new IntegrityStatus(problems, running, last);
  }

  /** Stops the background work and waits for it to end (a running verification stops early). */
  @Override
  public void close() {
    CountDownLatch ended;
    synchronized (this) {
      closed = true;
      ended = background;
    }
    waitLock.lock();
    try {
      wake.signalAll();
    } finally {
      waitLock.unlock();
    }
    if (ended != null && runner != Thread.currentThread()) {
      try {
        ended.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
