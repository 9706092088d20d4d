package dev.datawal.internal.log;

import dev.datawal.Record;
import dev.datawal.RecordIterator;
import dev.datawal.RecoveryReport;
import dev.datawal.internal.format.SegmentScanner;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/** {@link RecordIterator} over a {@link LogScanner} that copies out keys and payloads. */
public final class ScanIterator implements RecordIterator {
  private final LogScanner scanner;
  private final Path dir;
  private final java.util.function.Consumer<dev.datawal.CorruptStoreException> onDamage;
  private @Nullable Record next;
  private boolean done;

  /** A scan of {@code spans} of the store in {@code dir}; see {@link LogScanner}. */
  public ScanIterator(FileIo io, Path dir, List<LogScanner.Span> spans, boolean tolerateTornTail) {
    this(io, dir, spans, tolerateTornTail, e -> {});
  }

  /** As above, telling {@code onDamage} of damage the scan meets before it throws it. */
  public ScanIterator(
      FileIo io,
      Path dir,
      List<LogScanner.Span> spans,
      boolean tolerateTornTail,
      java.util.function.Consumer<dev.datawal.CorruptStoreException> onDamage) {
    this.scanner = new LogScanner(io, dir, spans, tolerateTornTail, SegmentScanner.Content.ALL);
    this.dir = dir;
    this.onDamage = onDamage;
  }

  @Override
  public boolean hasNext() {
    if (next == null && !done) {
      try {
        if (scanner.next()) {
          next = scanner.record();
        } else {
          done = true;
          scanner.close();
        }
      } catch (IOException e) {
        closeAfterFailure();
        throw Errors.readFailed(dir, e);
      } catch (dev.datawal.CorruptStoreException e) {
        closeAfterFailure();
        onDamage.accept(e);
        throw e;
      } catch (RuntimeException e) {
        closeAfterFailure();
        throw e;
      }
    }
    return next != null;
  }

  @Override
  public Record next() {
    hasNext(); // reads the next record into next, if there is one
    Record r = next;
    if (r == null) {
      throw new NoSuchElementException();
    }
    next = null;
    return r;
  }

  @Override
  public RecoveryReport report() {
    return scanner.report(null, List.of());
  }

  @Override
  public void close() {
    done = true;
    next = null;
    try {
      scanner.close();
    } catch (IOException e) {
      throw Errors.readFailed(dir, e);
    }
  }

  private void closeAfterFailure() {
    done = true;
    try {
      scanner.close();
    } catch (IOException suppressed) {
      // the failure being thrown matters more
    }
  }
}
