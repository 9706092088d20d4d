package dev.datawal.crash;

import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * An in-memory file system behind the engine's {@link FileIo} seam that remembers what was made
 * durable and, after a simulated power cut, produces a seeded post-crash state ({@link
 * #crashImage(long)}). Nothing touches the real disk while a workload runs.
 *
 * <h2>The model</h2>
 *
 * <p>Everything lives below one absolute <em>mount point</em>, which always exists; a path outside
 * it fails with an {@code IOException}. Paths in step descriptions and images are relative to it.
 *
 * <p><b>Files</b> are inodes with a <em>current</em> state (what reads see) and a <em>durable</em>
 * state (bytes and length). {@link FileHandle#write} and {@link FileHandle#truncate} change the
 * current state only and lower the inode's <em>unsynced-from</em> mark (the lowest byte changed
 * since its last force; growing the file counts from the old durable length); {@link
 * FileHandle#force} makes the current bytes and length durable. A handle refers to the inode, not
 * the name: a renamed or deleted file stays readable and writable through a handle opened before,
 * as on POSIX. {@code tryLock} is an exclusive lock per inode among the handles of this file
 * system, released when the holding handle closes.
 *
 * <p><b>Directories</b> map names to inodes, with a current view and a durable view, plus an
 * ordered log of the metadata operations done since the directory was last synced: a file created
 * by {@link #openWrite}, a rename by {@link #atomicMove} (one operation, replacing the target), a
 * deletion by {@link #deleteIfExists}. {@link #syncDirectory} makes the current view durable and
 * clears the log. A rename across two directories is one operation that sits in both logs and is
 * atomic: an image keeps it in both directories or in neither, and syncing either directory makes
 * both halves durable (with everything before them in both logs), as one journal transaction would.
 * {@link #createDirectories} creates the missing directories and syncs each parent, as {@code
 * NioFileIo} does, so a created directory is durable once the call returns (a cut at that step
 * creates nothing).
 *
 * <p><b>Steps.</b> Every mutating call is one step: {@code write}, {@code truncate}, {@code force},
 * {@code openWrite} when it creates the file, {@code atomicMove}, {@code deleteIfExists} when
 * something exists, {@code syncDirectory}, and {@code createDirectories} when it creates something.
 * Reads, {@code kind}, {@code list}, {@code size}, {@code tryLock}, {@code close} and opening an
 * existing file are not steps. After {@link #cutPowerAtStep(long)}, step {@code n} throws {@link
 * PowerCut} <em>before</em> it takes effect (with the torn variant, a write at step {@code n} first
 * applies a seeded prefix of its bytes to the current state), and every later call on the file
 * system or any handle throws {@code PowerCut} too: the process is dead.
 *
 * <h2>The post-crash state</h2>
 *
 * <p>{@link #crashImage(long)} models a journaling file system (ext4 {@code data=ordered}, XFS):
 *
 * <ul>
 *   <li>Each directory holds its durable view plus a seeded <em>prefix</em> of its unsynced
 *       metadata log (metadata is journaled in order, so a later operation never survives without
 *       the earlier ones of the same directory; the prefix length is uniform from none to all).
 *   <li>Each surviving file with nothing unsynced holds its durable bytes. A file with unsynced
 *       changes gets one seeded {@link DataOutcome} for the unsynced range {@code [lo, current
 *       length)}, where {@code lo} is its unsynced-from mark: {@link DataOutcome#DROPPED} (the
 *       durable state), {@link DataOutcome#KEPT} (the current state), {@link DataOutcome#TORN} at a
 *       seeded byte {@code p} of the range (current bytes before {@code p}, the durable bytes if
 *       any after it), {@link DataOutcome#ZEROED} or {@link DataOutcome#GARBAGE} (current length,
 *       the range reads as zeros or seeded random bytes), or {@link DataOutcome#TORN_ZEROED} /
 *       {@link DataOutcome#TORN_GARBAGE} (current length, current bytes up to a seeded {@code p},
 *       zeros or garbage after it). A file created and never forced has an empty durable state.
 *   <li>Garbage never contains the byte {@code 0x44} ({@code 'D'}), so it can never forge a frame
 *       magic: a forged frame of a newer format version after a torn tail is a hard error by the
 *       format's rules, not crash damage the engine should tolerate.
 * </ul>
 *
 * <p>What this covers: the states POSIX allows after a crash for unsynced data (any subset of
 * writes lost, torn at any byte rather than only at sector or page boundaries, size updated without
 * the data: zeros on ext4/XFS, stale or random blocks on {@code data=writeback} or without a
 * journal), lost creations, renames and deletions that were not followed by a directory sync, and
 * the in-order journaling of metadata within a directory. It is stricter than ext4 in practice
 * (ext4 usually persists a new file's name with an {@code fsync} of the file, and commits all
 * directories in one journal transaction), so it may produce states a particular file system would
 * not, never fewer.
 *
 * <p>What it does not cover: a durable state that is itself lost or corrupted (media errors, lying
 * write caches, firmware bugs), reordering of metadata operations within one directory (non-
 * journaling file systems such as ext2 or FAT), a metadata journal that survives while forced data
 * does not, data blocks of one file showing up in another, failed or short I/O calls (EIO, ENOSPC:
 * the engine's poisoning is tested elsewhere), and concurrency: a cut happens between two calls
 * (all calls are serialized), so a workload is only deterministic, and replayable by step number,
 * when it is single-threaded.
 *
 * <p>Thread-safe: every call is serialized on the file system.
 */
public final class CrashFs implements FileIo {

  /** What a crash image does with a file's unsynced changes. */
  public enum DataOutcome {
    /** The durable state: the unsynced changes are lost. */
    DROPPED,
    /** The current state: every unsynced change survived. */
    KEPT,
    /** Current bytes up to a seeded point of the unsynced range, durable bytes (if any) after. */
    TORN,
    /** Current length, the unsynced range reads as zeros. */
    ZEROED,
    /** Current length, the unsynced range reads as seeded random bytes (never 0x44). */
    GARBAGE,
    /** Current length, current bytes up to a seeded point of the unsynced range, zeros after. */
    TORN_ZEROED,
    /** Current length, current bytes up to a seeded point of the unsynced range, garbage after. */
    TORN_GARBAGE
  }

  private static final DataOutcome[] OUTCOMES = DataOutcome.values();

  private final Path mount;
  private final DirNode root;
  private final List<DirNode> allDirectories = new ArrayList<>();
  private long nextSeq;

  private long steps;
  private final List<String> stepLog = new ArrayList<>();
  private long cutAt = -1;
  private boolean tornCut;
  private long tornSeed;
  private PowerCut cut;
  private LongSupplier clock = System::currentTimeMillis;

  /**
   * An empty file system mounted at {@code mount} (absolute; need not exist on the real disk).
   *
   * @throws IllegalArgumentException if {@code mount} is not absolute
   */
  public CrashFs(Path mount) {
    if (!mount.isAbsolute()) {
      throw new IllegalArgumentException("mount point must be absolute: " + mount);
    }
    this.mount = mount.normalize();
    this.root = newDir();
  }

  /** A file system holding {@code image}, all of it durable, mounted at {@code mount}. */
  public static CrashFs fromImage(Path mount, CrashImage image) {
    CrashFs fs = new CrashFs(mount);
    for (String d : image.directories()) {
      List<String> names = split(d);
      DirNode parent = fs.dirAt(names.subList(0, names.size() - 1));
      DirNode dir = fs.newDir();
      parent.cur.put(last(names), dir);
      parent.dur.put(last(names), dir);
    }
    for (Map.Entry<String, byte[]> f : image.files().entrySet()) {
      List<String> names = split(f.getKey());
      DirNode parent = fs.dirAt(names.subList(0, names.size() - 1));
      FileNode file = new FileNode();
      file.cur = f.getValue().clone();
      file.curLen = file.cur.length;
      file.dur = f.getValue().clone();
      parent.cur.put(last(names), file);
      parent.dur.put(last(names), file);
    }
    return fs;
  }

  /**
   * Sets the clock that stamps each file's modification time (default: the wall clock), so a
   * workload that depends on file ages can be deterministic.
   */
  public synchronized void clock(LongSupplier millis) {
    this.clock = millis;
  }

  /** The mount point: the absolute path of this file system's root. */
  public Path mount() {
    return mount;
  }

  // ---------------------------------------------------------------------------------------------
  // Steps and the power cut

  /** How many steps (mutating calls) ran since creation or the last {@link #resetSteps()}. */
  public synchronized long steps() {
    return steps;
  }

  /** Each step since creation or the last reset, oldest first (step {@code i} at index i - 1). */
  public synchronized List<String> stepLog() {
    return List.copyOf(stepLog);
  }

  /** Starts counting steps from zero again, e.g. after setting up a starting state. */
  public synchronized void resetSteps() {
    steps = 0;
    stepLog.clear();
  }

  /**
   * Makes step {@code n} (counted as {@link #steps()} counts) throw {@link PowerCut} before it
   * takes effect; every later call throws too.
   *
   * @throws IllegalArgumentException if step {@code n} already ran
   */
  public synchronized void cutPowerAtStep(long n) {
    arm(n, false, 0);
  }

  /**
   * As {@link #cutPowerAtStep(long)}, but if step {@code n} is a write, a seeded prefix of its
   * bytes (from 1 byte to all of them) reaches the file's current state before the cut: a write
   * torn by the power cut itself. What the crash image then keeps of it is decided as for any
   * unsynced data.
   */
  public synchronized void cutPowerAtStepTearingWrite(long n, long seed) {
    arm(n, true, seed);
  }

  private void arm(long n, boolean torn, long seed) {
    if (n <= steps) {
      throw new IllegalArgumentException("step " + n + " already ran (at step " + steps + ")");
    }
    cutAt = n;
    tornCut = torn;
    tornSeed = seed;
  }

  /** Whether the power went. */
  public synchronized boolean isDead() {
    return cut != null;
  }

  /** The cut, or {@code null} if the power is still on. */
  public synchronized PowerCut powerCut() {
    return cut;
  }

  private void alive() {
    if (cut != null) {
      throw new PowerCut(cut.step(), cut.op(), false);
    }
  }

  /** Counts a step; throws the cut if it is the one. Callers check preconditions first. */
  private void step(String op) {
    alive();
    steps++;
    stepLog.add(op);
    if (steps == cutAt) {
      cut = new PowerCut(steps, op, true);
      throw cut;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // FileIo

  @Override
  public synchronized Kind kind(Path path) throws IOException {
    alive();
    Node node = lookup(names(path));
    if (node == null) {
      return Kind.MISSING;
    }
    return node instanceof DirNode ? Kind.DIRECTORY : Kind.FILE;
  }

  /**
   * When {@code file} was last created, written or truncated, by {@link #clock}. Not a step; crash
   * images do not keep it. (Declared without {@code @Override} so this class also compiles against
   * a {@code FileIo} without it: the seam gained it for retention.)
   */
  public synchronized long lastModifiedMillis(Path file) throws IOException {
    alive();
    Node node = lookup(names(file));
    if (!(node instanceof FileNode f)) {
      throw new NoSuchFileException(file.toString());
    }
    return f.mtime;
  }

  @Override
  public synchronized List<String> list(Path dir) throws IOException {
    alive();
    return new ArrayList<>(existingDir(dir).cur.keySet());
  }

  @Override
  public synchronized void createDirectories(Path dir) throws IOException {
    alive();
    List<String> names = names(dir);
    DirNode at = root;
    int existing = 0;
    for (; existing < names.size(); existing++) {
      Node next = at.cur.get(names.get(existing));
      if (next == null) {
        break;
      }
      if (!(next instanceof DirNode)) {
        throw new FileAlreadyExistsException(dir.toString(), null, "not a directory");
      }
      at = (DirNode) next;
    }
    if (existing == names.size()) {
      return;
    }
    step("mkdirs " + display(names));
    DirNode parent = at;
    for (int i = existing; i < names.size(); i++) {
      DirNode created = newDir();
      parent.cur.put(names.get(i), created);
      parent.log.add(new MetaOp(nextSeq++, OpKind.LINK, names.get(i), null, created, null, -1));
      commit(parent, parent.log.size()); // NioFileIo syncs each parent of a created directory
      parent = created;
    }
  }

  @Override
  public synchronized FileHandle openRead(Path file) throws IOException {
    alive();
    Node node = lookup(names(file));
    if (node == null) {
      throw new NoSuchFileException(file.toString());
    }
    if (!(node instanceof FileNode)) {
      throw new IOException(file + ": is a directory");
    }
    return new Handle((FileNode) node, display(names(file)), false);
  }

  @Override
  public synchronized FileHandle openWrite(Path file, boolean createNew) throws IOException {
    alive();
    List<String> names = names(file);
    if (names.isEmpty()) {
      throw new IOException(file + ": is a directory");
    }
    DirNode parent = parentDir(file, names);
    Node node = parent.cur.get(last(names));
    if (node != null) {
      if (createNew) {
        throw new FileAlreadyExistsException(file.toString());
      }
      if (!(node instanceof FileNode)) {
        throw new IOException(file + ": is a directory");
      }
      return new Handle((FileNode) node, display(names), true);
    }
    step("create " + display(names));
    FileNode created = new FileNode();
    created.mtime = clock.getAsLong();
    parent.cur.put(last(names), created);
    parent.log.add(new MetaOp(nextSeq++, OpKind.LINK, last(names), null, created, null, -1));
    return new Handle(created, display(names), true);
  }

  @Override
  public synchronized void syncDirectory(Path dir) throws IOException {
    alive();
    DirNode node = existingDir(dir);
    step("sync-dir " + display(names(dir)));
    commit(node, node.log.size());
  }

  @Override
  public synchronized void atomicMove(Path source, Path target) throws IOException {
    alive();
    List<String> from = names(source);
    List<String> to = names(target);
    if (from.isEmpty() || to.isEmpty()) {
      throw new IOException("cannot move the mount point: " + source + " -> " + target);
    }
    DirNode fromDir = parentDir(source, from);
    Node node = fromDir.cur.get(last(from));
    if (node == null) {
      throw new NoSuchFileException(source.toString());
    }
    DirNode toDir = parentDir(target, to);
    String op = "move " + display(from) + " -> " + display(to);
    if (from.equals(to)) {
      step(op);
      return;
    }
    Node replaced = toDir.cur.get(last(to));
    if (replaced instanceof DirNode d) {
      if (!(node instanceof DirNode)) {
        throw new IOException(target + ": is a directory");
      }
      if (!d.cur.isEmpty()) {
        throw new DirectoryNotEmptyException(target.toString());
      }
    } else if (replaced != null && node instanceof DirNode) {
      throw new NotDirectoryException(target.toString());
    }
    if (node instanceof DirNode
        && to.size() > from.size()
        && to.subList(0, from.size()).equals(from)) {
      throw new IOException("cannot move " + source + " into itself: " + target);
    }
    step(op);
    if (fromDir == toDir) {
      fromDir.cur.remove(last(from));
      fromDir.cur.put(last(to), node);
      fromDir.log.add(new MetaOp(nextSeq++, OpKind.RENAME, last(from), last(to), node, null, -1));
    } else {
      long out = nextSeq++;
      long in = nextSeq++;
      fromDir.cur.remove(last(from));
      toDir.cur.put(last(to), node);
      fromDir.log.add(new MetaOp(out, OpKind.UNLINK, last(from), null, null, toDir, in));
      toDir.log.add(new MetaOp(in, OpKind.LINK, last(to), null, node, fromDir, out));
    }
  }

  @Override
  public synchronized void deleteIfExists(Path file) throws IOException {
    alive();
    List<String> names = names(file);
    if (names.isEmpty()) {
      throw new IOException("cannot delete the mount point " + file);
    }
    Node parentNode = lookup(names.subList(0, names.size() - 1));
    if (!(parentNode instanceof DirNode parent)) {
      return;
    }
    Node node = parent.cur.get(last(names));
    if (node == null) {
      return;
    }
    if (node instanceof DirNode d && !d.cur.isEmpty()) {
      throw new DirectoryNotEmptyException(file.toString());
    }
    step("delete " + display(names));
    parent.cur.remove(last(names));
    parent.log.add(new MetaOp(nextSeq++, OpKind.UNLINK, last(names), null, null, null, -1));
  }

  // ---------------------------------------------------------------------------------------------
  // Crash images

  /**
   * The state a power cut now would leave, drawn with {@code seed} (see the class description).
   * Works whether or not the power already went; does not change this file system.
   */
  public synchronized CrashImage crashImage(long seed) {
    return image(seed, Mode.SEEDED);
  }

  /** The state if every unsynced change survived: what reads see now. */
  public synchronized CrashImage currentImage() {
    return image(0, Mode.KEEP_ALL);
  }

  /** The state if every unsynced change were lost: only what was forced and synced. */
  public synchronized CrashImage durableImage() {
    return image(0, Mode.DROP_ALL);
  }

  private enum Mode {
    SEEDED,
    KEEP_ALL,
    DROP_ALL
  }

  private CrashImage image(long seed, Mode mode) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Map<DirNode, Integer> keep = new IdentityHashMap<>();
    for (DirNode d : allDirectories) {
      int n = d.log.size();
      keep.put(d, mode == Mode.KEEP_ALL ? n : mode == Mode.DROP_ALL ? 0 : rnd.nextInt(n + 1));
    }
    // A cross-directory rename is atomic: if one half survives, so does the other (with what
    // comes before it in that directory's log).
    for (boolean changed = true; changed; ) {
      changed = false;
      for (DirNode d : allDirectories) {
        for (int i = 0; i < keep.get(d); i++) {
          MetaOp op = d.log.get(i);
          if (op.partner() != null) {
            int j = indexOf(op.partner(), op.partnerSeq());
            if (j >= 0 && keep.get(op.partner()) <= j) {
              keep.put(op.partner(), j + 1);
              changed = true;
            }
          }
        }
      }
    }
    ImageBuilder b = new ImageBuilder(keep, rnd, mode);
    b.walk(root, "");
    return new CrashImage(seed, b.dirs, b.files, b.outcomes, b.garbageFrom, b.choices);
  }

  /** Builds one image by walking the tree from the root. */
  private static final class ImageBuilder {
    final Map<DirNode, Integer> keep;
    final SplittableRandom rnd;
    final Mode mode;
    final TreeSet<String> dirs = new TreeSet<>();
    final TreeMap<String, byte[]> files = new TreeMap<>();
    final Map<String, DataOutcome> outcomes = new HashMap<>();
    final Map<String, Integer> garbageFrom = new HashMap<>();
    final List<String> choices = new ArrayList<>();
    final Map<FileNode, byte[]> fileImages = new IdentityHashMap<>();
    final Set<DirNode> visiting = Collections.newSetFromMap(new IdentityHashMap<>());

    ImageBuilder(Map<DirNode, Integer> keep, SplittableRandom rnd, Mode mode) {
      this.keep = keep;
      this.rnd = rnd;
      this.mode = mode;
    }

    void walk(DirNode dir, String prefix) {
      if (!visiting.add(dir)) {
        throw new IllegalStateException("crash image has a directory cycle at " + prefix);
      }
      TreeMap<String, Node> view = new TreeMap<>(dir.dur);
      int kept = keep.getOrDefault(dir, 0);
      for (int i = 0; i < kept; i++) {
        dir.log.get(i).applyTo(view);
      }
      if (!dir.log.isEmpty() && mode == Mode.SEEDED) {
        choices.add(describeLog(dir, prefix, kept));
      }
      for (Map.Entry<String, Node> e : view.entrySet()) {
        String path = prefix + e.getKey();
        if (e.getValue() instanceof DirNode child) {
          dirs.add(path);
          walk(child, path + "/");
        } else {
          FileNode f = (FileNode) e.getValue();
          byte[] bytes = fileImages.get(f);
          if (bytes == null) {
            bytes = fileImage(f, path, rnd, mode, outcomes, garbageFrom, choices);
            fileImages.put(f, bytes);
          }
          files.put(path, bytes);
        }
      }
      visiting.remove(dir);
    }
  }

  /** E.g. {@code "store/: kept 1 of 2 unsynced entries [create a || create b]"}. */
  private static String describeLog(DirNode dir, String prefix, int kept) {
    StringBuilder ops = new StringBuilder();
    for (int i = 0; i < dir.log.size(); i++) {
      ops.append(i == 0 ? "" : i == kept ? " || " : " | ").append(dir.log.get(i).describe());
    }
    return (prefix.isEmpty() ? "." : prefix.substring(0, prefix.length() - 1))
        + "/: kept "
        + kept
        + " of "
        + dir.log.size()
        + " unsynced entries ["
        + (kept == 0 ? "|| " : "")
        + ops
        + (kept == dir.log.size() ? " ||" : "")
        + "]";
  }

  private static byte[] fileImage(
      FileNode f,
      String path,
      SplittableRandom rnd,
      Mode mode,
      Map<String, DataOutcome> outcomes,
      Map<String, Integer> garbageFrom,
      List<String> choices) {
    int curLen = f.curLen;
    int durLen = f.dur.length;
    if (!f.dirty() || mode == Mode.DROP_ALL) {
      return f.dur.clone();
    }
    if (mode == Mode.KEEP_ALL) {
      return Arrays.copyOf(f.cur, curLen);
    }
    int lo = (int) Math.min(Math.min(f.dirtyFrom, durLen), curLen);
    DataOutcome outcome = OUTCOMES[rnd.nextInt(OUTCOMES.length)];
    int p = -1;
    byte[] out;
    switch (outcome) {
      case DROPPED -> out = f.dur.clone();
      case KEPT -> out = Arrays.copyOf(f.cur, curLen);
      case TORN -> {
        p = lo + rnd.nextInt(curLen - lo + 1);
        out = new byte[Math.max(p, durLen)];
        System.arraycopy(f.cur, 0, out, 0, p);
        if (durLen > p) {
          System.arraycopy(f.dur, p, out, p, durLen - p);
        }
      }
      case ZEROED, GARBAGE, TORN_ZEROED, TORN_GARBAGE -> {
        boolean torn = outcome == DataOutcome.TORN_ZEROED || outcome == DataOutcome.TORN_GARBAGE;
        p = torn ? lo + rnd.nextInt(curLen - lo + 1) : lo;
        out = Arrays.copyOf(f.cur, curLen);
        if (outcome == DataOutcome.ZEROED || outcome == DataOutcome.TORN_ZEROED) {
          Arrays.fill(out, p, curLen, (byte) 0);
        } else {
          for (int i = p; i < curLen; i++) {
            out[i] = garbageByte(rnd);
          }
          garbageFrom.put(path, p);
        }
        if (!torn) {
          p = -1;
        }
      }
      default -> throw new AssertionError(outcome);
    }
    outcomes.put(path, outcome);
    choices.add(
        path
            + ": "
            + outcome
            + (p >= 0 ? " at " + p : "")
            + " (durable "
            + durLen
            + " B, current "
            + curLen
            + " B, unsynced from "
            + lo
            + ")");
    return out;
  }

  /** A random byte that is never 0x44 ('D'), so garbage never holds a frame magic. */
  static byte garbageByte(SplittableRandom rnd) {
    byte b = (byte) rnd.nextInt(256);
    return b == 'D' ? (byte) 'E' : b;
  }

  // ---------------------------------------------------------------------------------------------
  // Directories and their metadata logs

  private enum OpKind {
    LINK,
    UNLINK,
    RENAME
  }

  /**
   * One unsynced metadata operation in a directory's log.
   *
   * @param seq unique, increasing across the file system
   * @param partner for half of a cross-directory rename: the other directory, else null
   * @param partnerSeq the other half's seq
   */
  private record MetaOp(
      long seq,
      OpKind kind,
      String name,
      String newName,
      Node node,
      DirNode partner,
      long partnerSeq) {
    void applyTo(Map<String, Node> view) {
      switch (kind) {
        case LINK -> view.put(name, node);
        case UNLINK -> view.remove(name);
        case RENAME -> {
          view.remove(name);
          view.put(newName, node);
        }
      }
    }

    String describe() {
      return switch (kind) {
        case LINK -> (partner != null ? "move in " : "create ") + name;
        case UNLINK -> (partner != null ? "move out " : "delete ") + name;
        case RENAME -> "rename " + name + " -> " + newName;
      };
    }
  }

  /** Makes the first {@code k} operations of {@code dir}'s log durable, in order. */
  private static void commit(DirNode dir, int k) {
    List<MetaOp> ops = new ArrayList<>(dir.log.subList(0, k));
    dir.log.subList(0, k).clear();
    for (MetaOp op : ops) {
      op.applyTo(dir.dur);
      if (op.partner() != null) {
        int j = indexOf(op.partner(), op.partnerSeq());
        if (j >= 0) {
          commit(op.partner(), j + 1);
        }
      }
    }
  }

  private static int indexOf(DirNode dir, long seq) {
    for (int i = 0; i < dir.log.size(); i++) {
      if (dir.log.get(i).seq() == seq) {
        return i;
      }
    }
    return -1;
  }

  private DirNode newDir() {
    DirNode d = new DirNode();
    allDirectories.add(d);
    return d;
  }

  // ---------------------------------------------------------------------------------------------
  // Paths

  private List<String> names(Path path) throws IOException {
    Path abs = path.toAbsolutePath().normalize();
    if (!abs.startsWith(mount)) {
      throw new IOException(
          "CrashFs: " + path + " is outside the simulated file system mounted at " + mount);
    }
    Path rel = mount.relativize(abs);
    List<String> names = new ArrayList<>();
    if (!rel.toString().isEmpty()) {
      for (Path name : rel) {
        names.add(name.toString());
      }
    }
    return names;
  }

  private static List<String> split(String relative) {
    return List.of(relative.split("/"));
  }

  private static String last(List<String> names) {
    return names.get(names.size() - 1);
  }

  private static String display(List<String> names) {
    return names.isEmpty() ? "." : String.join("/", names);
  }

  private Node lookup(List<String> names) {
    Node at = root;
    for (String name : names) {
      if (!(at instanceof DirNode d)) {
        return null;
      }
      at = d.cur.get(name);
      if (at == null) {
        return null;
      }
    }
    return at;
  }

  private DirNode dirAt(List<String> names) {
    Node node = lookup(names);
    if (!(node instanceof DirNode d)) {
      throw new IllegalStateException("no directory " + display(names));
    }
    return d;
  }

  private DirNode existingDir(Path dir) throws IOException {
    Node node = lookup(names(dir));
    if (node == null) {
      throw new NoSuchFileException(dir.toString());
    }
    if (!(node instanceof DirNode d)) {
      throw new NotDirectoryException(dir.toString());
    }
    return d;
  }

  private DirNode parentDir(Path path, List<String> names) throws IOException {
    Node parent = lookup(names.subList(0, names.size() - 1));
    if (parent == null) {
      throw new NoSuchFileException(path.toString(), null, "parent directory does not exist");
    }
    if (!(parent instanceof DirNode d)) {
      throw new NotDirectoryException(path.toString());
    }
    return d;
  }

  // ---------------------------------------------------------------------------------------------
  // Nodes and handles

  private abstract static class Node {}

  private static final class DirNode extends Node {
    final TreeMap<String, Node> cur = new TreeMap<>();
    final TreeMap<String, Node> dur = new TreeMap<>();
    final List<MetaOp> log = new ArrayList<>();
  }

  private static final class FileNode extends Node {
    byte[] cur = new byte[0];
    int curLen;
    byte[] dur = new byte[0];
    long dirtyFrom = Long.MAX_VALUE;
    long mtime;
    Handle lockHolder;

    boolean dirty() {
      return dirtyFrom != Long.MAX_VALUE || curLen != dur.length;
    }

    void write(byte[] src, int from, int n, long position) {
      int end = Math.toIntExact(position + n);
      if (end > cur.length) {
        cur = Arrays.copyOf(cur, Math.max(end, cur.length * 2));
      }
      if (position > curLen) {
        Arrays.fill(cur, curLen, (int) position, (byte) 0); // a hole reads as zeros
      }
      System.arraycopy(src, from, cur, (int) position, n);
      dirtyFrom = Math.min(dirtyFrom, Math.min(position, curLen));
      curLen = Math.max(curLen, end);
    }
  }

  private final class Handle implements FileHandle {
    private final FileNode file;
    private final String name;
    private final boolean writable;
    private boolean closed;

    Handle(FileNode file, String name, boolean writable) {
      this.file = file;
      this.name = name;
      this.writable = writable;
    }

    private void usable() throws IOException {
      alive();
      if (closed) {
        throw new ClosedChannelException();
      }
    }

    private void writableOrThrow() throws IOException {
      if (!writable) {
        throw new IOException(name + " is open for reading only");
      }
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      synchronized (CrashFs.this) {
        usable();
        if (position < 0) {
          throw new IllegalArgumentException("negative position " + position);
        }
        if (!dst.hasRemaining()) {
          return 0;
        }
        if (position >= file.curLen) {
          return -1;
        }
        int n = (int) Math.min(dst.remaining(), file.curLen - position);
        dst.put(file.cur, (int) position, n);
        return n;
      }
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      synchronized (CrashFs.this) {
        usable();
        writableOrThrow();
        if (position < 0) {
          throw new IllegalArgumentException("negative position " + position);
        }
        int n = src.remaining();
        byte[] bytes = new byte[n];
        src.get(bytes);
        String op = "write " + name + " @" + position + " +" + n;
        if (steps + 1 == cutAt && tornCut && n > 0) {
          int applied = 1 + new SplittableRandom(tornSeed).nextInt(n);
          file.write(bytes, 0, applied, position);
          op += " (torn by the cut: " + applied + " of " + n + " bytes reached the page cache)";
        }
        step(op);
        file.write(bytes, 0, n, position);
        file.mtime = clock.getAsLong();
      }
    }

    @Override
    public long size() throws IOException {
      synchronized (CrashFs.this) {
        usable();
        return file.curLen;
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      synchronized (CrashFs.this) {
        usable();
        writableOrThrow();
        if (size < 0) {
          throw new IllegalArgumentException("negative size " + size);
        }
        step("truncate " + name + " " + size);
        file.mtime = clock.getAsLong();
        if (size < file.curLen) {
          file.curLen = (int) size;
          file.dirtyFrom = Math.min(file.dirtyFrom, size);
        }
      }
    }

    @Override
    public void force() throws IOException {
      synchronized (CrashFs.this) {
        usable();
        step("force " + name);
        file.dur = Arrays.copyOf(file.cur, file.curLen);
        file.dirtyFrom = Long.MAX_VALUE;
      }
    }

    @Override
    public boolean tryLock() throws IOException {
      synchronized (CrashFs.this) {
        usable();
        if (file.lockHolder != null && file.lockHolder != this) {
          return false;
        }
        file.lockHolder = this;
        return true;
      }
    }

    @Override
    public void close() throws IOException {
      synchronized (CrashFs.this) {
        alive();
        closed = true;
        if (file.lockHolder == this) {
          file.lockHolder = null;
        }
      }
    }
  }
}
