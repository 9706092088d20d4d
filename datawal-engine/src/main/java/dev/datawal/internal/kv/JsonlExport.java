package dev.datawal.internal.kv;

import dev.datawal.internal.io.DurableFiles;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.io.PositionalWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * Writes live key/value pairs as JSON lines, atomically and with bounded memory.
 *
 * <p>Format, one line per pair in the order given, compact, fields in this order, standard padded
 * base64: {@code {"key_b64":"YQ==","value_b64":"YWxwaGEy"}} then {@code \n}. No pairs: an empty
 * file.
 *
 * <p>Durable steps: lines are streamed through a 64 KiB buffer into {@code <file>.tmp} (one value
 * in memory at a time), which is forced, renamed over {@code file} atomically, and the directory is
 * synced: a reader sees no file or the whole file, never a part, even across a power cut.
 */
public final class JsonlExport {
  /** Reads the value of one item. */
  @FunctionalInterface
  public interface ValueSource {
    byte[] valueOf(KeyDirectory.Item item) throws IOException;
  }

  private static final int BUFFER = 64 * 1024;
  private static final byte[] KEY = "{\"key_b64\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VALUE = "\",\"value_b64\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "\"}\n".getBytes(StandardCharsets.US_ASCII);

  private JsonlExport() {}

  /**
   * Writes {@code items} to {@code file} atomically.
   *
   * @return the number of lines written
   */
  public static long write(FileIo io, Path file, List<KeyDirectory.Item> items, ValueSource values)
      throws IOException {
    Base64.Encoder base64 = Base64.getEncoder();
    DurableFiles.replace(
        io,
        file.toAbsolutePath(),
        out -> {
          PositionalWriter writer = new PositionalWriter(out, BUFFER);
          for (KeyDirectory.Item item : items) {
            writer.write(KEY);
            writer.write(base64.encode(item.key()));
            writer.write(VALUE);
            writer.write(base64.encode(values.valueOf(item)));
            writer.write(END);
          }
          writer.flush();
        });
    return items.size();
  }
}
