package dev.datawal.spring.health;

import dev.datawal.DatawalException;
import dev.datawal.IntegrityProblem;
import dev.datawal.IntegrityStatus;
import dev.datawal.RecoveryReport;
import dev.datawal.VerificationReport;
import dev.datawal.spring.DatawalStore;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code datawal} health indicator: UP with the store's state in the details; DOWN when the
 * store holds damaged or lost data found while it is open (by a verification or a read), the writer
 * is poisoned, the store is closed, or the file system holding it has less usable space than {@code
 * datawal.health.free-space-threshold}, with the reason in the {@code reason} detail. Damage that
 * recovery cut off at startup shows in the details but leaves the store UP: it was handled.
 *
 * <p>Thread-safe.
 */
public final class DatawalHealthIndicator extends AbstractHealthIndicator {
  private final DatawalStore store;
  private final long freeSpaceThreshold;

  /**
   * An indicator for {@code store}.
   *
   * @param store the store
   * @param freeSpaceThreshold report DOWN under this many usable bytes on the store's file system
   */
  public DatawalHealthIndicator(DatawalStore store, long freeSpaceThreshold) {
    super("datawal health check failed");
    this.store = Objects.requireNonNull(store, "store");
    this.freeSpaceThreshold = freeSpaceThreshold;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) throws Exception {
    List<String> down = new ArrayList<>();
    builder.withDetail("dir", store.dir().toString());
    builder.withDetail("mode", store.mode().label());
    IntegrityStatus integrity = store.integrity().orElse(null);
    if (integrity != null && integrity.damaged()) {
      // First: unlike the other reasons, a restart does not clear it.
      down.add(reason(integrity.problems().get(0)));
    }
    if (store.isClosed()) {
      down.add("the store is closed");
    } else {
      if (store.isPoisoned()) {
        down.add(
            "the writer is poisoned ("
                + store.poisonReason().orElse("a failed write or fsync")
                + "); restart to recover");
      }
      try {
        builder.withDetail("segments", store.segmentSizes().size());
        builder.withDetail("diskBytes", store.diskBytes());
        builder.withDetail("nextTxid", store.nextTxid());
      } catch (IllegalStateException | DatawalException e) {
        down.add("the store cannot be read: " + e.getMessage()); // closed while we looked
      }
    }
    long free = Files.getFileStore(store.dir()).getUsableSpace();
    builder.withDetail("free", free);
    builder.withDetail("threshold", freeSpaceThreshold);
    if (free < freeSpaceThreshold) {
      down.add(
          "usable space "
              + free
              + " bytes is under datawal.health.free-space-threshold "
              + freeSpaceThreshold
              + " bytes");
    }
    RecoveryReport report = store.recoveryReport();
    builder.withDetail("startupDamage", report.damage().size());
    builder.withDetail("tailBytesDiscarded", report.tailBytesDiscarded());
    if (integrity != null) {
      details(integrity, builder);
    }
    if (down.isEmpty()) {
      builder.up();
    } else {
      builder.down().withDetail("reason", String.join("; ", down));
    }
  }

  private static void details(IntegrityStatus integrity, Health.Builder builder) {
    builder.withDetail("integrityProblems", integrity.problems().size());
    builder.withDetail("verificationRunning", integrity.running() != null);
    VerificationReport last = integrity.last();
    if (last != null) {
      builder.withDetail("lastVerification", last.started().plus(last.took())); // when it finished
    }
  }

  private static String reason(IntegrityProblem problem) {
    return "datawal found damaged or lost data in "
        + (problem.segment() < 0 ? "its manifest" : "segment " + problem.segment())
        + ": "
        + problem.kind().phrase()
        + "; the next start refuses the store until `datawal repair`";
  }
}
