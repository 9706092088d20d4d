package dev.datawal.internal.kv;

import dev.datawal.CorruptStoreException;
import dev.datawal.internal.format.SegmentFacts;
import dev.datawal.internal.io.Errors;
import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import dev.datawal.internal.log.Recovery;
import dev.datawal.internal.log.StoreManifest;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * Loads a snapshot at open, as recovery's {@link Recovery.Resumer}: checks its head against the
 * store's manifest and files ({@link SnapshotFormat}'s trust rules), maps its table into a key
 * directory and fills the usage from it, and starts both over empty if the snapshot is missing,
 * fails a check, or the scan after it refutes it. {@link #directory()} and {@link #usage()} are
 * what recovery must fill from then on.
 *
 * <p>Not thread-safe; used by the one thread of an open (or a repair's plan).
 */
public final class SnapshotLoader implements Recovery.Resumer {
  private static final System.Logger LOG = System.getLogger("dev.datawal");

  private final FileIo io;
  private final Path dir;
  private final int mapChunkShift;
  private KeyDirectory directory = new KeyDirectory();
  private SegmentUsage usage = new SegmentUsage();
  private @Nullable SortedMap<Long, Long> covered;
  private boolean used;
  private boolean looked; // for the snapshot file
  private boolean found;

  /** A loader for the store in {@code dir}. */
  public SnapshotLoader(FileIo io, Path dir) {
    this(io, dir, SnapshotTable.MAP_CHUNK_SHIFT);
  }

  /** A loader mapping the data region in chunks of {@code 1 << mapChunkShift} bytes (tests). */
  SnapshotLoader(FileIo io, Path dir, int mapChunkShift) {
    if (mapChunkShift < SnapshotTable.PAGE_SHIFT || mapChunkShift > 30) {
      throw new IllegalArgumentException("chunk shift out of range: " + mapChunkShift);
    }
    this.io = io;
    this.dir = dir;
    this.mapChunkShift = mapChunkShift;
  }

  /** The directory recovery fills: the snapshot's, or a fresh one. */
  public KeyDirectory directory() {
    return directory;
  }

  /** The usage recovery fills: the snapshot's, or a fresh one. */
  public SegmentUsage usage() {
    return usage;
  }

  /** Whether the open is going on from the snapshot (false once abandoned). */
  boolean used() {
    return used;
  }

  /** The segments and sizes the snapshot in use covers, or {@code null} if none is used. */
  public @Nullable SortedMap<Long, Long> covered() {
    return used ? covered : null;
  }

  @Override
  public Recovery.@Nullable Resume resume(
      List<Long> ids, StoreManifest manifest, SegmentFacts files) throws IOException {
    deleteUnfinishedWrite(files);
    FileHandle file = open(files); // one descriptor for the head and the mapping
    if (file == null) {
      return null;
    }
    try {
      SnapshotHead head = readHead(file);
      if (head == null) {
        return null;
      }
      head.checkAgainst(manifest);
      head.checkFiles(files, ids);
      Recovery.Resume resume = map(head, file);
      used = true;
      return resume;
    } catch (SnapshotHead.Rejected e) {
      ignore(System.Logger.Level.WARNING, e.getMessage());
      return null;
    } catch (IOException e) {
      ignore(System.Logger.Level.WARNING, "it cannot be read: " + Errors.describe(e));
      return null;
    } catch (RuntimeException e) {
      ignore(System.Logger.Level.WARNING, "it cannot be loaded: " + e); // never fail an open
      return null;
    } finally {
      closeQuietly(file); // the mapping outlives it
    }
  }

  /**
   * Without a manifest, the snapshot is the only record of what the store held: if its head is
   * intact, every segment it covers must still be there as it describes (the store is then read
   * whole, not from the snapshot, so that it gets a manifest from a full read).
   */
  @Override
  public long checkWithoutManifest(List<Long> ids, SegmentFacts files) throws IOException {
    deleteUnfinishedWrite(files);
    SnapshotHead head = readHead(files);
    if (head == null) {
      return 0;
    }
    try {
      head.checkFiles(files, ids);
    } catch (SnapshotHead.Rejected e) {
      throw e.loss(dir);
    } catch (IOException e) {
      ignore(System.Logger.Level.WARNING, "it cannot be read: " + Errors.describe(e));
      return 0;
    }
    return head.lastTxid();
  }

  /**
   * What {@link #checkWithoutManifest} would fail with, or {@code null}; changes nothing (a
   * repair's plan).
   */
  public @Nullable CorruptStoreException lossWithoutManifest(List<Long> ids) throws IOException {
    try (SegmentFacts files = new SegmentFacts(io, dir)) {
      SnapshotHead head = readHead(files);
      if (head == null) {
        return null;
      }
      head.checkFiles(files, ids);
      return null;
    } catch (SnapshotHead.Rejected e) {
      return e.loss(dir);
    }
  }

  @Override
  public void abandon(String reason) {
    ignore(System.Logger.Level.WARNING, reason);
  }

  /** Deletes the temporary file of a write the last close did not finish, if any. */
  private void deleteUnfinishedWrite(SegmentFacts files) throws IOException {
    if (files.maybeListed(KeyDirectorySnapshot.TMP_NAME)) {
      io.deleteIfExists(dir.resolve(KeyDirectorySnapshot.TMP_NAME));
    }
  }

  /**
   * Whether this loader looked for the snapshot file: then {@link #fileFound()} says if it is
   * there.
   */
  public boolean lookedForFile() {
    return looked;
  }

  /**
   * Whether the snapshot file was there when this loader looked ({@link #lookedForFile()}): {@code
   * false} only if it was missing; {@code true} also if it could not be opened (in doubt, it may be
   * there).
   */
  public boolean fileFound() {
    return found;
  }

  /**
   * The snapshot file, open for reading; {@code null} (after logging why) if the store has none or
   * it cannot be opened.
   */
  private @Nullable FileHandle open(SegmentFacts files) {
    looked = true;
    if (!files.maybeListed(KeyDirectorySnapshot.FILE_NAME)) {
      found = false;
      LOG.log(System.Logger.Level.DEBUG, "datawal: no key-directory snapshot in {0}", dir);
      return null;
    }
    try {
      FileHandle file = io.openRead(KeyDirectorySnapshot.path(dir));
      found = true;
      return file;
    } catch (NoSuchFileException e) {
      found = false;
      LOG.log(System.Logger.Level.DEBUG, "datawal: no key-directory snapshot in {0}", dir);
      return null;
    } catch (IOException e) {
      found = true; // in doubt
      ignore(System.Logger.Level.WARNING, "it cannot be read (" + Errors.describe(e) + ")");
      return null;
    }
  }

  /**
   * The snapshot's head if it is there and checks out; {@code null} (after logging why) if the
   * store has none or it is damaged.
   */
  private @Nullable SnapshotHead readHead(SegmentFacts files) {
    FileHandle file = open(files);
    if (file == null) {
      return null;
    }
    try {
      return readHead(file);
    } finally {
      closeQuietly(file);
    }
  }

  /** The head of the open snapshot {@code file} if it checks out, else {@code null} (logged). */
  private @Nullable SnapshotHead readHead(FileHandle file) {
    try {
      return SnapshotHead.read(file);
    } catch (SnapshotHead.Rejected e) {
      ignore(System.Logger.Level.WARNING, "it is damaged (" + e.getMessage() + ")");
      return null;
    } catch (IOException e) {
      ignore(System.Logger.Level.WARNING, "it cannot be read (" + Errors.describe(e) + ")");
      return null;
    }
  }

  private static void closeQuietly(FileHandle file) {
    try {
      file.close();
    } catch (IOException ignored) {
      // opened for reading only: closing it loses nothing, and a mapping outlives it
    }
  }

  /**
   * Goes on without the snapshot: the open reads every segment. The file is left as it is (a close
   * replaces it; compaction deletes it before it changes a segment); it is a cache of what the
   * segments hold, and the manifest, not the snapshot, says what they must hold.
   */
  private void ignore(System.Logger.Level level, String reason) {
    LOG.log(
        level,
        "datawal: not using the key-directory snapshot of {0}, reading every segment instead: {1}",
        dir,
        reason);
    directory.close(); // nothing reads the dropped table any more (recovery is one thread)
    directory = new KeyDirectory();
    usage = new SegmentUsage();
    covered = null;
    used = false;
  }

  /**
   * Maps the table from {@code file}, the descriptor its head was read from (mapping checks that
   * the file is still as long), and starts the directory and usage from it.
   */
  private Recovery.Resume map(SnapshotHead head, FileHandle file) throws IOException {
    SnapshotTable table = head.table(io, dir, file, mapChunkShift);
    // Nothing else sees these until the open ends.
    directory = new KeyDirectory(table);
    head.addLiveBytes(usage);
    covered = head.sizes();
    return new Recovery.Resume(head.sizes(), head.lastTxid(), head.entryCount(), head.closed());
  }
}
