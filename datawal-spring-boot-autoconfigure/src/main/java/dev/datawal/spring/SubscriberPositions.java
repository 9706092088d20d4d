package dev.datawal.spring;

import dev.datawal.DatawalException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The durable positions of a store's named subscribers: one small file per subscriber, {@code
 * <store dir>/subscribers/<name>.position}, holding the txid of the last record the subscriber has
 * processed (0: none yet).
 *
 * <p>A position file is three lines of ASCII text, each ending in {@code \n}:
 *
 * <pre>
 * datawal-subscriber-position 1      the format name and version
 * txid &lt;decimal txid, &gt;= 0&gt;
 * crc32c &lt;8 lowercase hex digits&gt;     CRC-32C of the bytes of the first two lines, newlines included
 * </pre>
 *
 * <p>A commit replaces the whole file: the new content goes to {@code <name>.position.tmp}, which
 * is forced and renamed over the old file with {@code ATOMIC_MOVE}, and the directory is then
 * forced, so after a crash the file holds either the old position or the new one, never a mix. A
 * file that does not check out is an error naming the file, never read as position 0: starting over
 * would reprocess (or, under retention, silently lose) the subscriber's records.
 *
 * <p>A subscriber name is 1 to 100 characters from {@code [A-Za-z0-9._-]}.
 *
 * <p>Thread-safe: the methods of one instance are serialized. Only one process writes a store's
 * positions (the one holding the store's lock).
 */
public final class SubscriberPositions {
  /** The sub-directory of the store directory that holds the position files. */
  public static final String DIRECTORY = "subscribers";

  static final String SUFFIX = ".position";
  private static final String TEMP_SUFFIX = ".position.tmp";
  private static final String HEADER = "datawal-subscriber-position 1\n";
  private static final String TXID_PREFIX = "txid ";
  private static final String CRC_PREFIX = "crc32c ";
  private static final int MAX_FILE_SIZE = 256; // a valid file is under 70 bytes
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private final Path storeDir;
  private final Path dir;

  private SubscriberPositions(Path storeDir) {
    this.storeDir = storeDir;
    this.dir = storeDir.resolve(DIRECTORY);
  }

  /**
   * The positions of the store in {@code storeDir}. Touches no file until used.
   *
   * @param storeDir the store directory
   * @return its subscribers' positions
   * @throws NullPointerException if {@code storeDir} is null
   */
  public static SubscriberPositions of(Path storeDir) {
    return new SubscriberPositions(Objects.requireNonNull(storeDir, "storeDir"));
  }

  /** {@return the directory holding the position files, {@code <store dir>/subscribers}} */
  public Path directory() {
    return dir;
  }

  /**
   * Checks a subscriber name.
   *
   * @param name the name
   * @return {@code name}
   * @throws IllegalArgumentException if {@code name} is not 1 to 100 characters from {@code
   *     [A-Za-z0-9._-]} (or is {@code .} or {@code ..})
   * @throws NullPointerException if {@code name} is null
   */
  public static String checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(
          "datawal: subscriber name must be 1 to 100 characters from [A-Za-z0-9._-], was \""
              + name
              + "\"");
    }
    return name;
  }

  /**
   * The position file of subscriber {@code name}.
   *
   * @param name the subscriber's name
   * @return {@code <store dir>/subscribers/<name>.position}
   * @throws IllegalArgumentException if the name is invalid
   */
  public Path file(String name) {
    return dir.resolve(checkName(name) + SUFFIX);
  }

  /**
   * The committed position of subscriber {@code name}: the txid of the last record it processed, or
   * 0 if it has no position file yet.
   *
   * @param name the subscriber's name
   * @return its position
   * @throws IllegalArgumentException if the name is invalid
   * @throws DatawalException if the position file is damaged (the message names it) or cannot be
   *     read
   */
  public synchronized long position(String name) {
    Path file = file(name);
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE_SIZE) {
        throw damaged(file, "it is larger than " + MAX_FILE_SIZE + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new DatawalException("datawal: cannot read subscriber position " + file + ": " + e, e);
    }
    return parse(file, bytes);
  }

  /**
   * Durably records that subscriber {@code name} has processed every record up to {@code txid} (see
   * the class comment for how the file is replaced). Creates the directory if missing. A lower txid
   * than the current one is allowed: it rewinds the subscriber.
   *
   * @param name the subscriber's name
   * @param txid the txid of the last record it processed
   * @throws IllegalArgumentException if the name is invalid or {@code txid} is negative
   * @throws DatawalException if the file cannot be written, forced or renamed
   */
  public synchronized void commit(String name, long txid) {
    Path file = file(name);
    if (txid < 0) {
      throw new IllegalArgumentException("datawal: a position is a txid >= 0, was " + txid);
    }
    Path temp = dir.resolve(name + TEMP_SUFFIX);
    try {
      ensureDirectory();
      byte[] content = format(txid);
      try (FileChannel ch =
          FileChannel.open(
              temp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true); // the new content is on disk before its name can replace the old file
      }
      // Rename over the old file: readers (and a crash) see the old position or the new one.
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory(dir); // the rename itself survives a power cut
    } catch (IOException e) {
      throw new DatawalException(
          "datawal: cannot commit subscriber position " + file + ": " + e, e);
    }
  }

  /**
   * Removes subscriber {@code name}'s position, so it no longer holds back retention; durable when
   * this returns.
   *
   * @param name the subscriber's name
   * @return whether there was a position file
   * @throws IllegalArgumentException if the name is invalid
   * @throws DatawalException if the file cannot be deleted
   */
  public synchronized boolean delete(String name) {
    Path file = file(name);
    try {
      boolean deleted = Files.deleteIfExists(file);
      if (deleted) {
        syncDirectory(dir); // the deletion survives a power cut
      }
      return deleted;
    } catch (IOException e) {
      throw new DatawalException(
          "datawal: cannot delete subscriber position " + file + ": " + e, e);
    }
  }

  /**
   * {@return every subscriber with a position file, by name, with its position} Files whose name is
   * not {@code <valid name>.position} (such as a temporary file left by a crash) are ignored.
   *
   * @throws DatawalException if a position file is damaged (the message names it) or the directory
   *     cannot be read
   */
  public synchronized Map<String, Long> all() {
    Map<String, Long> positions = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return positions;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        String fileName = file.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - SUFFIX.length());
        if (NAME.matcher(name).matches()) {
          positions.put(name, position(name));
        }
      }
    } catch (IOException e) {
      throw new DatawalException("datawal: cannot list subscriber positions in " + dir, e);
    }
    return Collections.unmodifiableMap(positions);
  }

  /**
   * {@return the lowest txid that some subscriber has not yet processed: the minimum of {@code
   * position + 1} over every subscriber on disk, or empty when there are none} Retention that keeps
   * every record from this txid on deletes nothing a subscriber still needs.
   *
   * @throws DatawalException as for {@link #all()}
   */
  public OptionalLong retentionFloor() {
    return all().values().stream().mapToLong(p -> p + 1).min();
  }

  private void ensureDirectory() throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      syncDirectory(storeDir); // the new directory's entry survives a power cut
    }
  }

  private static void syncDirectory(Path directory) throws IOException {
    // On Linux a directory opened read-only can be forced; this makes its entries durable.
    try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  static byte[] format(long txid) {
    String body = HEADER + TXID_PREFIX + txid + "\n";
    byte[] bodyBytes = body.getBytes(StandardCharsets.US_ASCII);
    return (body + CRC_PREFIX + hex(crc(bodyBytes, bodyBytes.length)) + "\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static long parse(Path file, byte[] bytes) {
    String text = new String(bytes, StandardCharsets.US_ASCII);
    if (!text.startsWith(HEADER)) {
      throw damaged(file, "it does not start with \"" + HEADER.strip() + "\"");
    }
    int txidEnd = text.indexOf('\n', HEADER.length());
    if (txidEnd < 0 || !text.startsWith(TXID_PREFIX, HEADER.length())) {
      throw damaged(file, "line 2 is not \"txid <number>\"");
    }
    String crcLine = text.substring(txidEnd + 1);
    if (!crcLine.startsWith(CRC_PREFIX)
        || !crcLine.endsWith("\n")
        || crcLine.length() != CRC_PREFIX.length() + 9) {
      throw damaged(file, "line 3 is not \"crc32c <8 hex digits>\" (truncated?)");
    }
    String expected = crcLine.substring(CRC_PREFIX.length(), CRC_PREFIX.length() + 8);
    String actual = hex(crc(bytes, txidEnd + 1));
    if (!expected.equals(actual)) {
      throw damaged(file, "CRC-32C mismatch: expected " + expected + ", actual " + actual);
    }
    String number = text.substring(HEADER.length() + TXID_PREFIX.length(), txidEnd);
    try {
      long txid = Long.parseLong(number);
      if (txid < 0) {
        throw damaged(file, "negative txid " + txid);
      }
      return txid;
    } catch (NumberFormatException e) {
      throw damaged(file, "txid \"" + number + "\" is not a number");
    }
  }

  private static DatawalException damaged(Path file, String why) {
    return new DatawalException(
        "datawal: subscriber position file "
            + file
            + " is damaged: "
            + why
            + "; restore it, or delete it to restart that subscriber from the beginning of the"
            + " log");
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  private static String hex(int value) {
    return String.format("%08x", value);
  }
}
