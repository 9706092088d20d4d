package dev.datawal.spring.diagnostics;

import dev.datawal.StoreLockedException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a store that another writer holds when the application starts: another process, or
 * another application context in this JVM (most often a cached test context).
 */
final class StoreLockedFailureAnalyzer extends AbstractFailureAnalyzer<StoreLockedException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, StoreLockedException cause) {
    return cause.holderPid() == ProcessHandle.current().pid()
        ? heldInThisJvm(cause)
        : heldByAnotherProcess(cause);
  }

  private static FailureAnalysis heldByAnotherProcess(StoreLockedException cause) {
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

  /**
   * The holder is this very process: asking the user to stop it would be wrong. Tests are the usual
   * case, where Spring's test context cache keeps each differently configured context open.
   */
  private static FailureAnalysis heldInThisJvm(StoreLockedException cause) {
    String description =
        "The datawal store at "
            + cause.dir()
            + " is already open in this JVM (pid "
            + cause.holderPid()
            + "): another application context in this same JVM holds it, typically a cached"
            + " test context of an earlier test class with a different configuration (other"
            + " properties, @MockitoBean, profiles), which Spring keeps open for reuse. Only one"
            + " writer may have a store open, so this context could not open it.\n\n"
            + "Reason: "
            + cause.getMessage();
    String action =
        "In tests, add dev.datawal:datawal-spring-boot-test (test scope) and annotate the test"
            + " class with @AutoConfigureDatawal (or use the @DatawalTest slice): every"
            + " application context then gets a fresh temporary store directory of its own,"
            + " deleted when the context closes. Otherwise give each application context a"
            + " different datawal.dir, or close the other context (or the RecordLog or DataWal"
            + " opened on "
            + cause.dir()
            + ") before this one starts.";
    return new FailureAnalysis(description, action, cause);
  }
}
