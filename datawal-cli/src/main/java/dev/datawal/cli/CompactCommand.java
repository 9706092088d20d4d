package dev.datawal.cli;

import dev.datawal.DatawalException;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.RecordLog;
import dev.datawal.RecordLogReader;
import dev.datawal.RecordType;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** {@code compact}: the live key/value state, written as a new store in another directory. */
final class CompactCommand implements Command {
  private static final CommandSpec SPEC =
      new CommandSpec(
          "compact",
          "write the live key/value state as a new, compact store",
          List.of("<store>", "<target>"),
          List.of(),
          """
          Writes one Put per live key, in unsigned byte order of the key, txids from 1: the
          same bytes as DataWal.compactTo. Reads the store without a lock and never changes it.
          <target> must not exist or be an empty directory, outside the store (else exit 1).
          The new store is built in a hidden directory beside <target>, fsynced, then renamed
          to <target> and the parent directory synced: <target> never holds half a store.
          Swapping it in for the old store is up to you (stop the application first).
          JSON: {"kind":"compact","target","live_keys","records_written","bytes_written"}.
          Exit 0, 2 when a torn tail was left out, 3 on corruption (nothing is written).""");

  @Override
  public CommandSpec spec() {
    return SPEC;
  }

  @Override
  public int run(ParsedArgs args, Output out) {
    Path store = args.store();
    Path target = Path.of(args.positional(1));
    RecordLogReader reader = RecordLogReader.open(store);
    Path dest = Targets.outside(store, target, "the compacted store");
    requireNewOrEmpty(target, dest);
    try (LogWalk walk =
        new LogWalk(reader, 0, false, true).reporting(out.progress().segments("reading", reader))) {
      LiveKeys live = LiveKeys.of(walk);
      if (walk.corrupt()) {
        return Damages.show(walk.endView(), out);
      }
      Path building =
          dest.resolveSibling(
              "." + dest.getFileName() + ".compacting-" + ProcessHandle.current().pid());
      if (Files.exists(building, LinkOption.NOFOLLOW_LINKS)) {
        throw new UsageException(building + " exists; remove it, then compact again");
      }
      long records = 0;
      long bytes = 0;
      boolean done = false;
      try {
        DatawalOptions options = DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build();
        try (RecordLog log = RecordLog.open(building, options)) {
          for (Map.Entry<Key, LiveKeys.Location> e : live.byKey()) {
            out.progress().count("compacting", "key", records + 1, live.size());
            byte[] value = LiveKeys.value(walk, reader.dir(), e.getKey(), e.getValue());
            bytes += log.appendRecord(RecordType.PUT, e.getKey().bytes(), value).length();
            records++;
          }
          out.progress().show("compacting: syncing the new store to disk");
          log.fsync(); // every record is durable before the directory takes its name
        }
        // rename(2) replaces an empty directory; the parent's sync makes the new name durable.
        Files.move(building, dest, StandardCopyOption.ATOMIC_MOVE);
        Targets.syncDirectory(Targets.parent(dest));
        done = true;
      } catch (IOException e) {
        throw new DatawalException("datawal: cannot write " + target + ": " + e, e);
      } finally {
        if (!done) {
          deleteTree(building);
        }
      }
      if (out.json()) {
        out.json(
            JsonLine.of("compact")
                .add("target", dest.toString())
                .add("live_keys", live.size())
                .add("records_written", records)
                .add("bytes_written", bytes));
      } else {
        out.text(
            "compacted "
                + live.size()
                + " live key(s) into "
                + dest
                + ": "
                + records
                + " record(s), "
                + bytes
                + " bytes");
      }
      return Damages.show(walk.endView(), out);
    }
  }

  private static void requireNewOrEmpty(Path target, Path dest) {
    if (!Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    boolean empty = false;
    if (Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dest)) {
        empty = !entries.iterator().hasNext();
      } catch (IOException e) {
        throw new DatawalException("datawal: cannot read " + target + ": " + e, e);
      }
    }
    if (!empty) {
      throw new UsageException(
          "refusing to compact into " + target + ": it exists and is not an empty directory");
    }
  }

  /** Deletes the half-built store: it was created by this command, never the source. */
  private static void deleteTree(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // best effort: the failure being reported matters more; the directory name says what it is
    }
  }
}
