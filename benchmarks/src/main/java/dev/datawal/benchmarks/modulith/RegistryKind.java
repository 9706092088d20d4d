package dev.datawal.benchmarks.modulith;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The registries the benchmark compares, by the name its {@code registry} parameter takes. Each is
 * Spring Modulith's {@code DefaultEventPublicationRegistry} on one {@code
 * EventPublicationRepository}; {@link #durableAtCommit()} says whether a publication is on disk (a
 * power cut cannot take it) when its transaction's commit returns.
 */
enum RegistryKind {
  /** datawal-modulith's repository on a datawal store, {@code datawal.fsync.policy=always}. */
  DATAWAL("datawal", true),
  /**
   * Modulith's JDBC repository on an H2 file database with H2's defaults: a commit reaches the file
   * within {@code WRITE_DELAY} (500 ms) through H2's background writer and is not fsynced.
   */
  H2_FILE("h2-file", false),
  /**
   * The same, and {@code CHECKPOINT SYNC} after every commit ({@link
   * CheckpointSyncTransactionManager}): H2's only way to force its file at commit.
   */
  H2_FILE_SYNC("h2-file-sync", true),
  /** Modulith's JDBC repository on an in-memory H2 database: no durability, an upper bound. */
  H2_MEM("h2-mem", false);

  private final String parameter;
  private final boolean durableAtCommit;

  RegistryKind(String parameter, boolean durableAtCommit) {
    this.parameter = parameter;
    this.durableAtCommit = durableAtCommit;
  }

  /** {@return the name of this registry as the benchmark's {@code registry} parameter} */
  String parameter() {
    return parameter;
  }

  /** {@return whether a commit that returned survives a power cut} */
  boolean durableAtCommit() {
    return durableAtCommit;
  }

  /** {@return whether the registry keeps its publications in files (all but {@link #H2_MEM})} */
  boolean onDisk() {
    return this != H2_MEM;
  }

  /**
   * The registry named {@code parameter}.
   *
   * @throws IllegalArgumentException naming the accepted names if there is none
   */
  static RegistryKind of(String parameter) {
    for (RegistryKind kind : values()) {
      if (kind.parameter.equals(parameter)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "registry '"
            + parameter
            + "' is unknown; expected one of "
            + Arrays.stream(values())
                .map(RegistryKind::parameter)
                .collect(Collectors.joining(", ")));
  }
}
