package dev.datawal.cli;

import dev.datawal.CorruptionKind;

/** What {@code datawal repair --yes} does about one problem: what a command tells the user. */
enum RepairAction {
  /** Moves the damaged bytes, or the records whose txids go back, into a quarantine file. */
  QUARANTINE_REGION("quarantine_region", "`datawal repair` can quarantine it"),
  /** Renames a segment file the store must not have out of the way (never deletes it). */
  QUARANTINE_FILE(
      "quarantine_file",
      "`datawal repair --yes` moves the whole file out of the store (renamed to"
          + " <segment>.dwal.quarantine-at-0)"),
  /** Nothing is left to move: the repair accepts that the data is gone and records what is left. */
  ACCEPT_LOSS(
      "accept_loss",
      "`datawal repair` shows what is lost and which keys change; with --yes it accepts the loss"
          + " and writes a new manifest of what is left");

  private final String jsonName;
  private final String howToRepair;

  RepairAction(String jsonName, String howToRepair) {
    this.jsonName = jsonName;
    this.howToRepair = howToRepair;
  }

  /** What a repair does about damage of {@code kind}, as an open reports it. */
  static RepairAction of(CorruptionKind kind) {
    return switch (kind) {
      case TRUNCATED,
          CRC_MISMATCH,
          STRUCTURAL,
          UNSUPPORTED_VERSION,
          TXID_ORDER,
          INCOMPLETE_GROUP,
          GROUP_MISMATCH ->
          QUARANTINE_REGION;
      case SEGMENT_UNEXPECTED -> QUARANTINE_FILE;
      case SEGMENT_MISSING, SEGMENT_SHORTER, SEGMENT_CHANGED, MANIFEST_DAMAGED -> ACCEPT_LOSS;
    };
  }

  /** The JSON {@code "repair"} value. */
  String jsonName() {
    return jsonName;
  }

  /** What to tell a user whose store recovery refuses for this. */
  String consequence() {
    return "recovery refuses to open the store; " + howToRepair;
  }
}
