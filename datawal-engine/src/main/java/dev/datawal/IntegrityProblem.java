package dev.datawal;

import java.time.Instant;
import java.util.Objects;

/**
 * Damage found in a store while it is open: by a verification of its sealed segments ({@link
 * RecordLog#verify()}) or by a read that met a damaged frame. It is also recorded in the store's
 * manifest, so every later open fails with a {@link CorruptStoreException} until {@code datawal
 * repair} accepts it; nothing is changed or deleted meanwhile.
 *
 * @param kind what is wrong
 * @param segment the damaged segment
 * @param offset where in it
 * @param message the whole message, as the {@link CorruptStoreException} that reported it says
 * @param foundBy what found it
 * @param foundAt when
 */
public record IntegrityProblem(
    CorruptionKind kind,
    long segment,
    long offset,
    String message,
    FoundBy foundBy,
    Instant foundAt) {

  /** What found a problem. */
  public enum FoundBy {
    /** A verification of the sealed segments. */
    VERIFICATION,
    /** A read of a record (a get, a scan, a follower). */
    READ
  }

  /**
   * The problem {@code e} describes, found now.
   *
   * @param e the damage as it was reported
   * @param foundBy what found it
   * @return the problem, stamped with the current time
   */
  public static IntegrityProblem of(CorruptStoreException e, FoundBy foundBy) {
    return new IntegrityProblem(
        e.kind(),
        e.segment(),
        e.offset(),
        Objects.requireNonNull(e.getMessage(), "datawal's exceptions have a message"),
        foundBy,
        Instant.now());
  }
}
