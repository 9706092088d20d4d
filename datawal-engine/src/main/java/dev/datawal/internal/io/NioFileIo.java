package dev.datawal.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** {@link FileIo} on the real file system through {@link FileChannel}. */
final class NioFileIo implements FileIo {
  static final NioFileIo INSTANCE = new NioFileIo();

  private NioFileIo() {}

  @Override
  public Kind kind(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      return Kind.DIRECTORY;
    }
    if (Files.isRegularFile(path)) {
      return Kind.FILE;
    }
    return Files.exists(path, LinkOption.NOFOLLOW_LINKS) ? Kind.OTHER : Kind.MISSING;
  }

  @Override
  public boolean isSymbolicLink(Path path) {
    return Files.isSymbolicLink(path);
  }

  @Override
  public boolean isPlainFile(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .isRegularFile();
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  @Override
  public long lastModifiedMillis(Path file) throws IOException {
    return Files.getLastModifiedTime(file).toMillis();
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    // java.io lists in one native call, several times cheaper than a DirectoryStream until the JIT
    // has compiled the latter (an open lists its store once); it tells no reason for a failure,
    // which the DirectoryStream below then gives.
    String[] listed = dir.toFile().list();
    if (listed != null) {
      return new ArrayList<>(Arrays.asList(listed));
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        names.add(p.getFileName().toString());
      }
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    }
    return names;
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    Path existing = absolute;
    while (existing != null && !Files.isDirectory(existing)) {
      existing = existing.getParent();
    }
    Files.createDirectories(absolute);
    // Each new directory's entry lives in its parent: sync the parents from the deepest
    // pre-existing one down, so the whole new chain survives a power cut.
    for (Path p = absolute; p != null && !p.equals(existing); p = p.getParent()) {
      syncDirectory(Objects.requireNonNull(p.getParent(), "a created directory is never a root"));
    }
  }

  @Override
  public FileHandle openRead(Path file) throws IOException {
    return new ChannelHandle(FileChannel.open(file, StandardOpenOption.READ), file);
  }

  @Override
  public FileHandle openWrite(Path file, boolean createNew) throws IOException {
    StandardOpenOption create =
        createNew ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE;
    return new ChannelHandle(
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, create), file);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    // On Linux a directory opened read-only can be fsynced; this is what makes a created or
    // renamed entry durable.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  @Override
  public void atomicMove(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void deleteIfExists(Path file) throws IOException {
    Files.deleteIfExists(file);
  }

  private static final class ChannelHandle implements FileHandle {
    private final FileChannel channel;
    private final Path file;
    private @Nullable NativeFlock flock; // guarded by this; taken by tryLock, released by close

    ChannelHandle(FileChannel channel, Path file) {
      this.channel = channel;
      this.file = file;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return channel.read(dst, position);
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      long at = position;
      while (src.hasRemaining()) {
        at += channel.write(src, at);
      }
    }

    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public void truncate(long size) throws IOException {
      channel.truncate(size);
    }

    @Override
    public void force() throws IOException {
      // false = fdatasync: data plus the metadata needed to read it back (the size), which is all
      // a segment needs.
      channel.force(false);
    }

    @Override
    public boolean mapsInPlace() {
      return true;
    }

    @Override
    public MappedView map(long position, long size) throws IOException {
      if (position + size > channel.size()) {
        throw new java.io.EOFException("file ends before " + (position + size));
      }
      // Read-only; the mapping outlives the channel and lasts until it is released.
      return Mmap.map(channel, position, size);
    }

    @Override
    public MappedView mapForWriting(long position, long size) throws IOException {
      if (position + size > channel.size()) {
        throw new java.io.EOFException("file ends before " + (position + size));
      }
      return Mmap.mapForWriting(channel, position, size);
    }

    /**
     * The fcntl record lock first (the JDK's), then, where this JVM can, a flock on a descriptor of
     * its own (see {@link NativeFlock}). If the flock is held elsewhere, the fcntl lock is released
     * too: {@code false} means nothing is held.
     */
    @Override
    public synchronized boolean tryLock() throws IOException {
      FileLock record = channel.tryLock();
      if (record == null || !NativeFlock.available()) {
        return record != null;
      }
      NativeFlock taken = null;
      try {
        taken = NativeFlock.tryLock(file);
      } finally {
        if (taken == null) {
          // NativeFlock closed its descriptor, which already dropped the fcntl lock; say so to
          // the JDK as well, which still lists it.
          record.release();
        }
      }
      flock = taken;
      return taken != null;
    }

    @Override
    public synchronized void close() throws IOException {
      // The channel first, which releases the fcntl lock: closing the flock's descriptor while
      // it is meant to be held would drop it as well.
      try {
        channel.close();
      } finally {
        if (flock != null) {
          flock.close();
        }
      }
    }
  }
}
