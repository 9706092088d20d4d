package dev.datawal.autoconfigure;

import dev.datawal.CorruptStoreException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains damage that recovery refuses to discard (nothing on disk was changed). */
final class CorruptStoreFailureAnalyzer extends AbstractFailureAnalyzer<CorruptStoreException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, CorruptStoreException cause) {
    String description =
        "The datawal store could not be opened: segment "
            + cause.segment()
            + " ("
            + cause.file()
            + ") is damaged at byte offset "
            + cause.offset()
            + " ("
            + cause.kind()
            + "). The damage is not a torn tail left by a crash, so recovery will not discard it"
            + " on its own: records after it would be lost. Nothing on disk was changed.\n\n"
            + "Reason: "
            + cause.getMessage();
    String action =
        "Keep a copy of the store directory before anything else. Then restore the store from a"
            + " backup, or move the damaged segment "
            + cause.file()
            + " out of the directory (losing its records from offset "
            + cause.offset()
            + " on) and start again.";
    return new FailureAnalysis(description, action, cause);
  }
}
