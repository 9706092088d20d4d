package dev.datawal.spring.diagnostics;

import dev.datawal.StoreLockedException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a store that another writer holds when the application starts. */
final class StoreLockedFailureAnalyzer extends AbstractFailureAnalyzer<StoreLockedException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, StoreLockedException cause) {
    String holder =
        cause.holderPid() > 0
            ? "process " + cause.holderPid() + " (named in its .lock file)"
            : "another writer";
    String description =
        "The datawal store at "
            + cause.dir()
            + " is locked by "
            + holder
            + ". Only one writer may have a store open, so this application could not open it.\n\n"
            + "Reason: "
            + cause.getMessage();
    String action =
        "Stop the other writer (check with: ps -p "
            + (cause.holderPid() > 0 ? cause.holderPid() : "<pid in .lock>")
            + "), or point this application at another directory with datawal.dir. During"
            + " rolling restarts, set datawal.lock.wait (e.g. 30s) so startup waits for the old"
            + " process to exit. To only inspect the store beside a running writer, set"
            + " datawal.read-only=true.";
    return new FailureAnalysis(description, action, cause);
  }
}
