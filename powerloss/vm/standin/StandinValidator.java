import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Stand-in validator for the dm-flakey VM runner: checks the {@link StandinWriter}'s store against
 * the acknowledgements that were owed at the cut.
 *
 * <p>Invariants: (1) every record acknowledged before the cut (the first ACKS_OWED oracle lines) is
 * present and byte-exact; (2) nothing is invented: every slot whose CRC checks holds exactly the
 * record the writer would have written there. Slots beyond the owed ones may be missing, zero or
 * torn (they were in flight or written after the cut).
 *
 * <p>Usage: {@code StandinValidator STORE_DIR ORACLE_AT_CUT ACKS_OWED SEED}; optional env {@code
 * DW_ORACLE_FULL} (the oracle as the writer left it, including acks after the cut) adds the count
 * of post-cut acks that were lost, which under drop_writes proves the writes really were dropped.
 * Exit codes: 0 pass, 1 invariant violated, 2 setup error.
 */
public final class StandinValidator {
  private StandinValidator() {}

  public static void main(String[] args) {
    try {
      System.exit(run(args));
    } catch (IOException | RuntimeException e) {
      System.out.println("standin-validator: SETUP ERROR " + e);
      System.exit(2);
    }
  }

  private static int run(String[] args) throws IOException {
    if (args.length != 4) {
      System.out.println("usage: StandinValidator STORE_DIR ORACLE_AT_CUT ACKS_OWED SEED");
      return 2;
    }
    Path file = Path.of(args[0]).resolve(StandinRecord.FILE_NAME);
    List<String> oracle = Files.readAllLines(Path.of(args[1]), StandardCharsets.US_ASCII);
    int owed = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[3]);
    if (oracle.size() < owed) {
      System.out.println(
          "standin-validator: SETUP ERROR oracle has "
              + oracle.size()
              + " lines, "
              + owed
              + " acks owed");
      return 2;
    }
    for (int i = 0; i < owed; i++) {
      if (Long.parseLong(oracle.get(i).trim()) != i) {
        System.out.println(
            "standin-validator: SETUP ERROR oracle line "
                + (i + 1)
                + " is '"
                + oracle.get(i)
                + "', expected "
                + i);
        return 2;
      }
    }

    byte[] store = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
    int slots = store.length / StandinRecord.SIZE;
    int tailBytes = store.length % StandinRecord.SIZE;
    boolean[] intact = new boolean[slots];
    int present = 0;
    int torn = 0;
    int violations = 0;
    for (int n = 0; n < slots; n++) {
      ByteBuffer expected = StandinRecord.encode(seed, n);
      ByteBuffer actual =
          ByteBuffer.wrap(store, n * StandinRecord.SIZE, StandinRecord.SIZE).slice();
      if (actual.equals(expected)) {
        intact[n] = true;
        present++;
      } else if (crcChecks(actual)) {
        // A frame that checks but is not what was written: invented or misplaced data.
        System.out.println(
            "standin-validator: VIOLATION slot "
                + n
                + " at offset "
                + (long) n * StandinRecord.SIZE
                + " has a valid CRC but is not record "
                + n);
        violations++;
      } else {
        torn++;
      }
    }
    int survivedOwed = 0;
    for (int n = 0; n < owed; n++) {
      if (n < slots && intact[n]) {
        survivedOwed++;
      } else if (violations++ < 20) {
        long offset = (long) n * StandinRecord.SIZE;
        String what =
            n < slots
                ? String.format(
                    "damaged (stored CRC 0x%08x, expected 0x%08x)",
                    ByteBuffer.wrap(store).getInt((int) offset + StandinRecord.CRC_OFFSET),
                    StandinRecord.encode(seed, n).getInt(StandinRecord.CRC_OFFSET))
                : "missing (file is " + store.length + " bytes)";
        System.out.println(
            "standin-validator: VIOLATION acknowledged record "
                + n
                + " at offset "
                + offset
                + " "
                + what);
      }
    }

    StringBuilder summary = new StringBuilder();
    summary
        .append(" owed=")
        .append(owed)
        .append(" survived_owed=")
        .append(survivedOwed)
        .append(" present=")
        .append(present)
        .append(" beyond_owed=")
        .append(present - survivedOwed)
        .append(" torn_slots=")
        .append(torn)
        .append(" tail_bytes=")
        .append(tailBytes);
    String full = System.getenv("DW_ORACLE_FULL");
    if (full != null && !full.isEmpty() && Files.exists(Path.of(full))) {
      List<String> all = Files.readAllLines(Path.of(full), StandardCharsets.US_ASCII);
      int lost = 0;
      for (int i = owed; i < all.size(); i++) {
        long n = Long.parseLong(all.get(i).trim());
        if (n >= slots || !intact[(int) n]) {
          lost++;
        }
      }
      summary
          .append(" acked_total=")
          .append(all.size())
          .append(" acked_after_cut=")
          .append(all.size() - owed)
          .append(" lost_after_cut=")
          .append(lost);
    }
    System.out.println(
        "standin-validator: "
            + (violations == 0 ? "OK" : "FAIL violations=" + violations)
            + summary);
    return violations == 0 ? 0 : 1;
  }

  private static boolean crcChecks(ByteBuffer frame) {
    byte[] b = new byte[StandinRecord.SIZE];
    frame.duplicate().get(b);
    CRC32C crc = new CRC32C();
    crc.update(b, 0, StandinRecord.CRC_OFFSET);
    return (int) crc.getValue() == ByteBuffer.wrap(b).getInt(StandinRecord.CRC_OFFSET);
  }
}
