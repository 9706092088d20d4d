import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Stand-in workload for the dm-flakey VM runner, used until the sample app's workload mode is wired
 * in: appends fixed 100-byte records to {@code STORE_DIR/records.dat}, forces the file after each
 * one, and only then appends the record's sequence number to the oracle file (which lives on
 * another filesystem) and forces that too. A line in the oracle is therefore an acknowledgement:
 * the record it names was durable before the line was written.
 *
 * <p>Record layout (big-endian), {@link StandinRecord}: seq (8) | payload (88) | CRC-32C of bytes
 * 0..95 (4). Record {@code n} sits at byte offset {@code n * 100}.
 *
 * <p>Usage: {@code StandinWriter STORE_DIR ORACLE_FILE SEED [MAX_OPS]}. Runs until killed or
 * MAX_OPS records. A failed write or force ends the process with exit code 3 and no retry: after a
 * failed fsync nothing about the file's contents is known ("fsyncgate").
 */
public final class StandinWriter {
  /**
   * A deliberate bug for proving the harness sees loss (-Dstandin.ackBeforeForce=true): each record
   * is acknowledged before it is forced, so an ack can be owed for a record that a cut then loses.
   * Never set in a real run.
   */
  private static final boolean ACK_BEFORE_FORCE = Boolean.getBoolean("standin.ackBeforeForce");

  private StandinWriter() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: StandinWriter STORE_DIR ORACLE_FILE SEED [MAX_OPS]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    Path oracle = Path.of(args[1]);
    long seed = Long.parseLong(args[2]);
    long maxOps = args.length > 3 ? Long.parseLong(args[3]) : Long.MAX_VALUE;

    Files.createDirectories(dir);
    // The store directory's own entry, then (below) the file's: both must be durable before
    // the first acknowledgement.
    forceDirectory(dir.toAbsolutePath().getParent());
    Path file = dir.resolve(StandinRecord.FILE_NAME);
    long seq = 0;
    try (FileChannel log =
            FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileOutputStream acks = new FileOutputStream(oracle.toFile(), false)) {
      // The new file's directory entry must be durable before any record is acknowledged,
      // or a power cut could lose the whole file with every record in it.
      forceDirectory(dir);
      System.out.println(
          "standin-writer: writing "
              + file
              + ", oracle "
              + oracle
              + ", seed "
              + seed
              + (ACK_BEFORE_FORCE ? " (BUG ON PURPOSE: ack before force)" : ""));
      for (; seq < maxOps; seq++) {
        ByteBuffer rec = StandinRecord.encode(seed, seq);
        long pos = seq * StandinRecord.SIZE;
        while (rec.hasRemaining()) {
          pos += log.write(rec, pos);
        }
        if (ACK_BEFORE_FORCE) {
          ack(acks, seq);
          log.force(true);
        } else {
          // Data and size: the record is durable once this returns.
          log.force(true);
          // Only now the acknowledgement, flushed and forced on its own filesystem.
          ack(acks, seq);
        }
      }
    } catch (IOException e) {
      System.out.println(
          "standin-writer: I/O failure at seq " + seq + ": " + e + " (stopping, no retry)");
      System.exit(3);
    }
    System.out.println("standin-writer: wrote " + seq + " records");
  }

  private static void ack(FileOutputStream acks, long seq) throws IOException {
    acks.write((seq + "\n").getBytes(StandardCharsets.US_ASCII));
    acks.flush();
    acks.getFD().sync();
  }

  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
