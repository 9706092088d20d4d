package dev.datawal.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.internal.io.FileHandle;
import dev.datawal.internal.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The crash model itself: what survives a simulated power cut, and what may not. */
@SuppressWarnings("try") // some tests hold a file open only so its unsynced state stays as it is
class CrashFsTests {
  private static final AtomicLong MOUNTS = new AtomicLong();
  private static final int SEEDS = 400;

  private final CrashFs fs = new CrashFs(Path.of("/crashfs-tests", "m" + MOUNTS.incrementAndGet()));
  private final Path root = fs.mount();

  @TempDir Path tmp;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] bytes(int from, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + (from + i) % 26);
    }
    return b;
  }

  private static void write(FileHandle h, long at, byte[] b) throws IOException {
    h.write(ByteBuffer.wrap(b), at);
  }

  private static byte[] readAll(FileHandle h) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) h.size());
    while (buf.hasRemaining() && h.read(buf, buf.position()) >= 0) {
      // keep reading
    }
    return buf.array();
  }

  /** A file with 10 forced bytes, then 20 more written and not forced; its name synced. */
  private FileHandle halfForcedFile(String name) throws IOException {
    FileHandle h = fs.openWrite(root.resolve(name), true);
    write(h, 0, bytes(0, 10));
    h.force();
    fs.syncDirectory(root);
    write(h, 10, bytes(10, 20));
    return h;
  }

  @Test
  void forcedDataAndSyncedNamesSurviveEveryImage() throws IOException {
    try (FileHandle h = halfForcedFile("f")) {
      for (long seed = 0; seed < SEEDS; seed++) {
        byte[] image = fs.crashImage(seed).file("f").orElseThrow();
        assertThat(image.length).as("seed %d", seed).isBetween(10, 30);
        assertThat(Arrays.copyOf(image, 10)).as("seed %d", seed).isEqualTo(bytes(0, 10));
      }
      assertThat(fs.durableImage().file("f")).contains(bytes(0, 10));
      h.force();
      for (long seed = 0; seed < SEEDS; seed++) {
        assertThat(fs.crashImage(seed).file("f")).as("seed %d", seed).contains(bytes(0, 30));
      }
    }
  }

  @Test
  void unsyncedDataGetsEveryOutcomeForSomeSeedAndEachOutcomeMeansWhatItSays() throws IOException {
    byte[] current = bytes(0, 30);
    Set<CrashFs.DataOutcome> seen = EnumSet.noneOf(CrashFs.DataOutcome.class);
    try (FileHandle h = halfForcedFile("f")) {
      for (long seed = 0; seed < SEEDS; seed++) {
        CrashImage image = fs.crashImage(seed);
        CrashFs.DataOutcome outcome = image.outcomeOf("f").orElseThrow();
        seen.add(outcome);
        byte[] b = image.file("f").orElseThrow();
        String as = outcome + " with seed " + seed + ": " + image.describe();
        switch (outcome) {
          case DROPPED -> assertThat(b).as(as).isEqualTo(bytes(0, 10));
          case KEPT -> assertThat(b).as(as).isEqualTo(current);
          case TORN -> {
            assertThat(b.length).as(as).isBetween(10, 30);
            assertThat(b).as(as).isEqualTo(Arrays.copyOf(current, b.length));
          }
          case ZEROED -> assertThat(b).as(as).isEqualTo(Arrays.copyOf(bytes(0, 10), 30));
          case GARBAGE -> {
            assertThat(b.length).as(as).isEqualTo(30);
            assertThat(Arrays.copyOf(b, 10)).as(as).isEqualTo(bytes(0, 10));
            assertThat(new String(b, StandardCharsets.ISO_8859_1).substring(10))
                .as(as)
                .doesNotContain("D");
          }
          case TORN_ZEROED -> {
            assertThat(b.length).as(as).isEqualTo(30);
            int p = 30;
            while (p > 10 && b[p - 1] == 0) {
              p--;
            }
            assertThat(Arrays.copyOf(b, p)).as(as).isEqualTo(Arrays.copyOf(current, p));
          }
          case TORN_GARBAGE -> {
            assertThat(b.length).as(as).isEqualTo(30);
            assertThat(Arrays.copyOf(b, 10)).as(as).isEqualTo(bytes(0, 10));
          }
        }
      }
    }
    assertThat(seen).containsExactlyInAnyOrder(CrashFs.DataOutcome.values());
  }

  @Test
  void tornImagesTearAtEveryByteOfTheUnsyncedRange() throws IOException {
    Set<Integer> lengths = new TreeSet<>();
    try (FileHandle h = halfForcedFile("f")) {
      for (long seed = 0; seed < 4000; seed++) {
        CrashImage image = fs.crashImage(seed);
        if (image.outcomeOf("f").orElseThrow() == CrashFs.DataOutcome.TORN) {
          lengths.add(image.file("f").orElseThrow().length);
        }
      }
    }
    assertThat(lengths).hasSize(21).contains(10, 30);
  }

  @Test
  void creationsBeforeADirectorySyncMayBeLostButOnlyInOrder() throws IOException {
    for (String name : List.of("a", "b", "c")) {
      fs.openWrite(root.resolve(name), true).close();
    }
    Set<Set<String>> seen = new HashSet<>();
    for (long seed = 0; seed < SEEDS; seed++) {
      Set<String> names = fs.crashImage(seed).files().keySet();
      assertThat(names)
          .as("seed %d", seed)
          .isIn(Set.of(), Set.of("a"), Set.of("a", "b"), Set.of("a", "b", "c"));
      seen.add(Set.copyOf(names));
    }
    assertThat(seen).hasSize(4);
    fs.syncDirectory(root);
    for (long seed = 0; seed < 50; seed++) {
      assertThat(fs.crashImage(seed).files().keySet()).containsExactly("a", "b", "c");
    }
  }

  @Test
  void renamesAndDeletionsBeforeADirectorySyncMayBeLostInOrder() throws IOException {
    for (String name : List.of("x", "z")) {
      fs.openWrite(root.resolve(name), true).close();
    }
    fs.syncDirectory(root);
    fs.atomicMove(root.resolve("x"), root.resolve("y"));
    fs.deleteIfExists(root.resolve("z"));
    Set<Set<String>> seen = new HashSet<>();
    for (long seed = 0; seed < SEEDS; seed++) {
      Set<String> names = fs.crashImage(seed).files().keySet();
      assertThat(names)
          .as("seed %d: the delete never survives without the rename before it", seed)
          .isIn(Set.of("x", "z"), Set.of("y", "z"), Set.of("y"));
      seen.add(Set.copyOf(names));
    }
    assertThat(seen).hasSize(3);
  }

  @Test
  void aRenameOverAFileIsAtomic() throws IOException {
    try (FileHandle old = fs.openWrite(root.resolve("target"), true)) {
      write(old, 0, bytes("old content"));
      old.force();
    }
    fs.syncDirectory(root);
    try (FileHandle tmpFile = fs.openWrite(root.resolve("target.tmp"), true)) {
      write(tmpFile, 0, bytes("new content, longer"));
      tmpFile.force();
    }
    fs.atomicMove(root.resolve("target.tmp"), root.resolve("target"));
    Set<String> contents = new HashSet<>();
    for (long seed = 0; seed < SEEDS; seed++) {
      CrashImage image = fs.crashImage(seed);
      String target = new String(image.file("target").orElseThrow(), StandardCharsets.US_ASCII);
      contents.add(target);
      if (target.equals("new content, longer")) {
        assertThat(image.exists("target.tmp")).as("seed %d", seed).isFalse();
      } else {
        assertThat(target).as("seed %d", seed).isEqualTo("old content");
      }
    }
    assertThat(contents).containsExactlyInAnyOrder("old content", "new content, longer");
  }

  @Test
  void aRenameAcrossDirectoriesKeepsTheFileInExactlyOneOfThem() throws IOException {
    fs.createDirectories(root.resolve("a"));
    fs.createDirectories(root.resolve("b"));
    try (FileHandle h = fs.openWrite(root.resolve("a/f"), true)) {
      write(h, 0, bytes("data"));
      h.force();
    }
    fs.syncDirectory(root.resolve("a"));
    fs.atomicMove(root.resolve("a/f"), root.resolve("b/f"));
    Set<String> seen = new HashSet<>();
    for (long seed = 0; seed < SEEDS; seed++) {
      Set<String> files = fs.crashImage(seed).files().keySet();
      assertThat(files).as("seed %d", seed).isIn(Set.of("a/f"), Set.of("b/f"));
      seen.addAll(files);
    }
    assertThat(seen).containsExactlyInAnyOrder("a/f", "b/f");
    fs.syncDirectory(root.resolve("b")); // one journal transaction: both halves are durable now
    for (long seed = 0; seed < 50; seed++) {
      assertThat(fs.crashImage(seed).files().keySet()).containsExactly("b/f");
    }
  }

  @Test
  void createdDirectoriesAreDurableAtOnce() throws IOException {
    fs.createDirectories(root.resolve("a/b/c"));
    assertThat(fs.durableImage().directories()).containsExactly("a", "a/b", "a/b/c");
    assertThat(fs.kind(root.resolve("a/b"))).isEqualTo(FileIo.Kind.DIRECTORY);
  }

  @Test
  void handlesSurviveRenameAndDelete() throws IOException {
    try (FileHandle h = fs.openWrite(root.resolve("f"), true)) {
      write(h, 0, bytes("one"));
      fs.atomicMove(root.resolve("f"), root.resolve("g"));
      write(h, 3, bytes("two"));
      assertThat(fs.kind(root.resolve("f"))).isEqualTo(FileIo.Kind.MISSING);
      try (FileHandle r = fs.openRead(root.resolve("g"))) {
        assertThat(readAll(r)).isEqualTo(bytes("onetwo"));
        fs.deleteIfExists(root.resolve("g"));
        assertThat(fs.kind(root.resolve("g"))).isEqualTo(FileIo.Kind.MISSING);
        write(h, 6, bytes("three"));
        assertThat(readAll(r)).isEqualTo(bytes("onetwothree"));
        assertThat(h.size()).isEqualTo(11);
      }
    }
    assertThatThrownBy(() -> fs.openRead(root.resolve("g")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void onlyMutatingCallsAreSteps() throws IOException {
    try (FileHandle h = fs.openWrite(root.resolve("f"), true)) { // step 1: create
      write(h, 0, bytes("abc")); // 2
      h.truncate(2); // 3
      h.force(); // 4
      assertThat(h.tryLock()).isTrue();
      readAll(h);
      h.size();
    }
    fs.openWrite(root.resolve("f"), false).close(); // exists: not a step
    fs.openRead(root.resolve("f")).close();
    fs.kind(root.resolve("f"));
    fs.list(root);
    fs.deleteIfExists(root.resolve("missing")); // nothing to delete: not a step
    fs.createDirectories(root); // nothing to create: not a step
    fs.syncDirectory(root); // 5
    fs.atomicMove(root.resolve("f"), root.resolve("g")); // 6
    fs.deleteIfExists(root.resolve("g")); // 7
    fs.createDirectories(root.resolve("d")); // 8
    assertThat(fs.steps()).isEqualTo(8);
    assertThat(fs.stepLog())
        .containsExactly(
            "create f",
            "write f @0 +3",
            "truncate f 2",
            "force f",
            "sync-dir .",
            "move f -> g",
            "delete g",
            "mkdirs d");
  }

  @Test
  void aPowerCutStopsTheStepBeforeItTakesEffectAndEverythingAfterIt() throws IOException {
    FileHandle h = fs.openWrite(root.resolve("f"), true); // step 1
    write(h, 0, bytes("kept")); // step 2
    fs.cutPowerAtStep(4);
    h.force(); // step 3
    assertThatThrownBy(() -> write(h, 4, bytes("lost")))
        .isInstanceOf(PowerCut.class)
        .satisfies(
            e -> {
              assertThat(((PowerCut) e).step()).isEqualTo(4);
              assertThat(((PowerCut) e).op()).isEqualTo("write f @4 +4");
            });
    assertThat(fs.isDead()).isTrue();
    assertThat(fs.currentImage().file("f")).contains(bytes("kept"));
    assertThatThrownBy(() -> h.read(ByteBuffer.allocate(4), 0)).isInstanceOf(PowerCut.class);
    assertThatThrownBy(h::force).isInstanceOf(PowerCut.class);
    assertThatThrownBy(h::close).isInstanceOf(PowerCut.class);
    assertThatThrownBy(() -> fs.kind(root)).isInstanceOf(PowerCut.class);
    assertThatThrownBy(() -> fs.list(root)).isInstanceOf(PowerCut.class);
    assertThatThrownBy(() -> fs.syncDirectory(root)).isInstanceOf(PowerCut.class);
    assertThat(fs.steps()).isEqualTo(4);
    // The name was never synced: it may be lost, but the forced data is whole when it is not.
    for (long seed = 0; seed < 50; seed++) {
      assertThat(fs.crashImage(seed).file("f").orElse(bytes("kept"))).isEqualTo(bytes("kept"));
    }
  }

  @Test
  void aTornCutLetsAPrefixOfTheWriteReachTheCurrentState() throws IOException {
    Set<Integer> applied = new TreeSet<>();
    for (long seed = 0; seed < 200; seed++) {
      CrashFs f = new CrashFs(Path.of("/crashfs-tests", "torn" + MOUNTS.incrementAndGet()));
      FileHandle h = f.openWrite(f.mount().resolve("f"), true);
      f.cutPowerAtStepTearingWrite(2, seed);
      assertThatThrownBy(() -> write(h, 0, bytes(0, 8))).isInstanceOf(PowerCut.class);
      byte[] now = f.currentImage().file("f").orElseThrow();
      assertThat(now).isEqualTo(Arrays.copyOf(bytes(0, 8), now.length));
      applied.add(now.length);
    }
    assertThat(applied).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
  }

  @Test
  void imagesAreDeterministicPerSeedAndRoundTripThroughTheRealDisk() throws IOException {
    fs.createDirectories(root.resolve("d"));
    try (FileHandle h = halfForcedFile("d/../f")) {
      assertThat(fs.crashImage(7).fingerprint()).isEqualTo(fs.crashImage(7).fingerprint());
      CrashImage image = fs.crashImage(7);
      image.materialize(tmp.resolve("m"));
      assertThat(Files.readAllBytes(tmp.resolve("m/f"))).isEqualTo(image.file("f").orElseThrow());
      assertThat(Files.isDirectory(tmp.resolve("m/d"))).isTrue();
      CrashFs loaded = CrashFs.fromImage(Path.of("/crashfs-tests/loaded"), image);
      assertThat(loaded.durableImage().fingerprint()).isEqualTo(image.fingerprint());
      assertThat(loaded.crashImage(99).fingerprint()).isEqualTo(image.fingerprint());
    }
  }

  @Test
  void pathsOutsideTheMountPointAreRefused() {
    assertThatThrownBy(() -> fs.openWrite(Path.of("/elsewhere/f"), true))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("outside the simulated file system");
  }
}
