package dev.datawal.cli;

import dev.datawal.DataWal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A writer in a JVM of its own ({@link LiveWriterCommandTests} starts it): opens a {@link DataWal}
 * on {@code args[0]}, puts {@code key-i = value-i} for i = 1..{@code args[1]}, prints {@code LOCKED
 * <pid>}, and keeps the store open until its stdin ends.
 */
public final class HoldingWriter {
  private HoldingWriter() {}

  public static void main(String[] args) throws IOException {
    try (DataWal kv = DataWal.open(Path.of(args[0]))) {
      for (int i = 1; i <= Integer.parseInt(args[1]); i++) {
        kv.put(
            ("key-" + i).getBytes(StandardCharsets.UTF_8),
            ("value-" + i).getBytes(StandardCharsets.UTF_8));
      }
      System.out.println("LOCKED " + ProcessHandle.current().pid());
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold the store until the parent closes our stdin
      }
    }
  }
}
