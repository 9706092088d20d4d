package dev.datawal.spring.diagnostics;

import dev.datawal.CorruptStoreException;
import dev.datawal.DatawalException;
import dev.datawal.StoreLockedException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains any other failure to open the store (a path that is not a directory, a missing store
 * opened read-only, an I/O error); locked and corrupt stores have analyzers of their own.
 */
final class StoreOpenFailureAnalyzer extends AbstractFailureAnalyzer<DatawalException> {
  @Override
  protected @Nullable FailureAnalysis analyze(Throwable rootFailure, DatawalException cause) {
    if (cause instanceof StoreLockedException || cause instanceof CorruptStoreException) {
      return null;
    }
    String description = "The datawal store could not be opened.\n\nReason: " + cause.getMessage();
    String action =
        "Check that datawal.dir names a directory this application may create, read and write"
            + " (or, with datawal.read-only=true, an existing store), and that its file system has"
            + " free space.";
    return new FailureAnalysis(description, action, cause);
  }
}
