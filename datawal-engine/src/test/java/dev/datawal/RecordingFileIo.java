package dev.datawal;

import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.io.MappedView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;

/**
 * The real file system, with every mutating call recorded as a line such as {@code "force
 * 00000001.dwal"} or {@code "sync-dir"}, and an optional failure injected into the first call whose
 * line matches.
 */
public final class RecordingFileIo implements FileIo {
  private final FileIo real = FileIo.system();
  private final List<String> ops = new ArrayList<>();
  private Predicate<String> failWhen = op -> false;
  private String failure = "injected failure";
  private final java.util.List<java.util.function.Predicate<String>> alsoFail =
      new java.util.ArrayList<>();
  private volatile CountDownLatch forceGate;
  private String failOpenRead; // a file name; guarded by this
  private java.util.function.Function<String, Runnable> before = op -> null; // guarded by this

  /** The recorded calls, oldest first. */
  public synchronized List<String> ops() {
    return List.copyOf(ops);
  }

  public synchronized void clear() {
    ops.clear();
  }

  /** Makes the first call whose line starts with {@code prefix} throw {@code message}. */
  public synchronized RecordingFileIo failOnce(String prefix, String message) {
    this.failWhen = op -> op.startsWith(prefix);
    this.failure = message;
    return this;
  }

  /**
   * Makes the {@code n}th call (from 1, counted from now) whose line starts with {@code prefix}
   * throw {@code message}.
   */
  synchronized RecordingFileIo failNth(String prefix, int n, String message) {
    int[] seen = {0};
    this.failWhen = op -> op.startsWith(prefix) && ++seen[0] == n;
    this.failure = message;
    return this;
  }

  /**
   * Makes the {@code n}th call (from 1, counted from now) whose line starts with {@code prefix}
   * fail as well, with the same message, besides the one {@link #failOnce} names: a crash stops the
   * clean-up after a failure too.
   */
  public synchronized RecordingFileIo andFailNth(String prefix, int n) {
    int[] seen = {0};
    alsoFail.add(op -> op.startsWith(prefix) && ++seen[0] == n);
    return this;
  }

  /**
   * Runs {@code action} on the calling thread just before the {@code n}th call (from 1, counted
   * from now) whose line starts with {@code prefix} is carried out (and before a failure injected
   * into it): what other readers see while a write is half done.
   */
  synchronized RecordingFileIo beforeNth(String prefix, int n, Runnable action) {
    int[] seen = {0};
    this.before = op -> op.startsWith(prefix) && ++seen[0] == n ? action : null;
    return this;
  }

  /** Makes the next {@link #openRead} of the file named {@code name} throw {@code message}. */
  synchronized RecordingFileIo failOpenReadOnce(String name, String message) {
    this.failOpenRead = name;
    this.failure = message;
    return this;
  }

  /** Makes every force block (after it is recorded) until {@link #releaseForces()}. */
  void holdForces() {
    forceGate = new CountDownLatch(1);
  }

  void releaseForces() {
    CountDownLatch gate = forceGate;
    forceGate = null;
    if (gate != null) {
      gate.countDown();
    }
  }

  /** How many recorded calls start with {@code prefix}. */
  synchronized long count(String prefix) {
    return ops.stream().filter(op -> op.startsWith(prefix)).count();
  }

  private void record(String op) throws IOException {
    Runnable action;
    synchronized (this) {
      action = before.apply(op);
      if (action != null) {
        before = o -> null;
      }
    }
    if (action != null) {
      action.run();
    }
    boolean fail;
    synchronized (this) {
      ops.add(op);
      fail = failWhen.test(op);
      if (fail) {
        failWhen = o -> false;
      } else {
        fail = alsoFail.removeIf(rule -> rule.test(op));
      }
    }
    if (fail) {
      throw new IOException(failure);
    }
  }

  private static String name(Path p) {
    return p.getFileName().toString();
  }

  @Override
  public Kind kind(Path path) throws IOException {
    return real.kind(path);
  }

  @Override
  public long lastModifiedMillis(Path file) throws IOException {
    return real.lastModifiedMillis(file);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    return real.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    record("mkdirs " + name(dir));
    real.createDirectories(dir);
  }

  @Override
  public FileHandle openRead(Path file) throws IOException {
    synchronized (this) {
      if (name(file).equals(failOpenRead)) {
        failOpenRead = null;
        throw new IOException(failure);
      }
    }
    return new Handle(name(file), real.openRead(file));
  }

  @Override
  public FileHandle openWrite(Path file, boolean createNew) throws IOException {
    record((createNew ? "create " : "open-write ") + name(file));
    return new Handle(name(file), real.openWrite(file, createNew));
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    record("sync-dir");
    real.syncDirectory(dir);
  }

  @Override
  public void atomicMove(Path source, Path target) throws IOException {
    record("move " + name(source) + " " + name(target));
    real.atomicMove(source, target);
  }

  @Override
  public void deleteIfExists(Path file) throws IOException {
    record("delete " + name(file));
    real.deleteIfExists(file);
  }

  private final class Handle implements FileHandle {
    private final String name;
    private final FileHandle delegate;

    Handle(String name, FileHandle delegate) {
      this.name = name;
      this.delegate = delegate;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return delegate.read(dst, position);
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      record("write " + name + " " + position + " " + src.remaining());
      delegate.write(src, position);
    }

    @Override
    public long size() throws IOException {
      return delegate.size();
    }

    @Override
    public void truncate(long size) throws IOException {
      record("truncate " + name + " " + size);
      delegate.truncate(size);
    }

    @Override
    public void force() throws IOException {
      record("force " + name);
      CountDownLatch gate = forceGate;
      if (gate != null) {
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while a force was held");
        }
      }
      delegate.force();
    }

    @Override
    public boolean mapsInPlace() {
      return delegate.mapsInPlace();
    }

    @Override
    public MappedView map(long position, long size) throws IOException {
      return delegate.map(position, size); // mapped as the real file system maps it
    }

    @Override
    public boolean tryLock() throws IOException {
      return delegate.tryLock();
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }
}
