package dev.datawal.cli;

import dev.datawal.DatawalException;
import dev.datawal.RecordLogReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** {@code export}: the live key/value state as JSON lines, written atomically. */
final class ExportCommand implements Command {
  private static final CommandSpec SPEC =
      new CommandSpec(
          "export",
          "write the live key/value pairs to a JSON lines file",
          List.of("<store>", "<outfile>"),
          List.of(),
          """
          Writes one line per live key, sorted by unsigned byte order of the key, in the shape
          of format v1: {"key_b64":"...","value_b64":"..."}. Reads the store without a lock and
          changes nothing in it; refuses an existing <outfile> or one inside the store directory
          (exit 1). Atomic: written to <outfile>.tmp, forced, renamed into place, directory
          synced, so a reader sees no file or the whole file.
          JSON: {"kind":"export","outfile","records_written","bytes_written"}.
          Exit 0, 2 when a torn tail was left out (the file holds what a writer would recover),
          3 on corruption (nothing is written).""");

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public int run(ParsedArgs args, Output out) {
    Path store = args.store();
    Path target = Path.of(args.positional(1));
    RecordLogReader reader = RecordLogReader.open(store);
    Path file = Targets.outside(store, target, "the export");
    if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new UsageException("refusing to overwrite " + target + ": it exists");
    }
    try (LogWalk walk =
        new LogWalk(reader, 0, false, true).reporting(out.progress().segments("reading", reader))) {
      LiveKeys live = LiveKeys.of(walk);
      if (walk.corrupt()) {
        return Damages.show(walk.endView(), out);
      }
      long[] written;
      try {
        written = write(walk, reader.dir(), live, file, out.progress());
      } catch (IOException e) {
        throw new DatawalException("datawal: cannot write " + target + ": " + e, e);
      }
      if (out.json()) {
        out.json(
            JsonLine.of("export")
                .add("outfile", file.toString())
                .add("records_written", written[0])
                .add("bytes_written", written[1]));
      } else {
        out.text("exported " + written[0] + " live key(s), " + written[1] + " bytes, to " + file);
      }
      return Damages.show(walk.endView(), out);
    }
  }

  /**
   * Writes the lines to {@code file} through a temporary file beside it.
   *
   * @return lines and bytes written
   */
  private static long[] write(LogWalk walk, Path dir, LiveKeys live, Path file, Progress progress)
      throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Base64.Encoder base64 = Base64.getEncoder();
    long lines = 0;
    long bytes = 0;
    FileChannel channel;
    try {
      channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException e) {
      throw new UsageException(
          tmp + " exists (left by an interrupted export?); remove it, then export again");
    }
    boolean done = false;
    try (channel) {
      OutputStream os = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
      for (Map.Entry<Key, LiveKeys.Location> e : live.byKey()) {
        progress.count("exporting", "key", lines + 1, live.size());
        byte[] value = LiveKeys.value(walk, dir, e.getKey(), e.getValue());
        byte[] line =
            ("{\"key_b64\":\""
                    + base64.encodeToString(e.getKey().bytes())
                    + "\",\"value_b64\":\""
                    + base64.encodeToString(value)
                    + "\"}\n")
                .getBytes(StandardCharsets.US_ASCII);
        os.write(line);
        lines++;
        bytes += line.length;
      }
      os.flush();
      channel.force(true); // the whole file is on disk before its name is
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp); // ours: created above; the store is untouched either way
      }
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    Targets.syncDirectory(Targets.parent(file)); // and now its name is
    return new long[] {lines, bytes};
  }
}
