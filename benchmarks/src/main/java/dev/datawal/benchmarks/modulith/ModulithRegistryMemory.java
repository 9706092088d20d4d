package dev.datawal.benchmarks.modulith;

import dev.datawal.DataWal;
import dev.datawal.benchmarks.BenchFiles;
import dev.datawal.benchmarks.Heap;
import dev.datawal.modulith.DatawalEventPublicationRepository;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.springframework.modulith.events.EventPublication.Status;
import org.springframework.modulith.events.support.CompletionMode;

/**
 * The heap a Modulith event publication registry holds for N incomplete publications (default
 * 1,000,000), on datawal and on Modulith's JDBC repository on an H2 file. Prints what it measures
 * and asserts nothing. Not a JMH benchmark (JMH measures time); a plain program.
 *
 * <p>For each registry named (default {@code datawal h2-file}; see {@link RegistryKind}, the
 * in-memory H2 has nothing to reopen) it:
 *
 * <ol>
 *   <li>warms up: a registry started, 1,000 publications stored and completed, closed, so class
 *       loading and the JIT's first code are not counted;
 *   <li>measures the used heap after garbage collection ({@link Heap#stableUsed()}) with no
 *       registry open, then with an empty registry open: the difference is the context's own cost,
 *       taken out of the figures below;
 *   <li>publishing: starts a registry on an empty store and stores N publications through
 *       Modulith's registry ({@code registry.store}), 1,000 per transaction, none completed; prints
 *       the heap held then. This includes what Modulith's {@code DefaultEventPublicationRegistry}
 *       itself keeps of every publication this JVM stored and has not completed (its publications
 *       in progress, with their events), whatever the repository;
 *   <li>after a restart: closes that registry and starts a new one on the same store, as an
 *       application restarts, reads the repository's count of incomplete publications, and prints
 *       the heap held then: what the repository keeps for N incomplete publications that are only
 *       in its store (datawal: its index of incomplete publications, its key directory; H2: its
 *       page cache, filled by the count's scan), and how long the start took.
 * </ol>
 *
 * <p>Run (about two minutes for a million publications on the 2-core VM):
 *
 * <pre>
 * java -Xmx3g -XX:+UseSerialGC -cp benchmarks/target/benchmarks.jar \
 *   dev.datawal.benchmarks.modulith.ModulithRegistryMemory [publications] [registry...]
 * </pre>
 *
 * <p>{@code -XX:+UseSerialGC}: it reports the live heap to the byte (G1 counts large arrays in
 * whole regions, see {@code KeyDirectoryMemory}).
 */
public final class ModulithRegistryMemory {
  private static final int PER_TRANSACTION = 1_000;

  private ModulithRegistryMemory() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int publications = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
    if (publications <= 0 || publications % PER_TRANSACTION != 0) {
      throw new IllegalArgumentException(
          "publications must be a positive multiple of "
              + PER_TRANSACTION
              + ", got "
              + publications);
    }
    List<RegistryKind> kinds = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      kinds.add(RegistryKind.of(args[i]));
    }
    if (kinds.isEmpty()) {
      kinds = List.of(RegistryKind.DATAWAL, RegistryKind.H2_FILE);
    }
    for (RegistryKind kind : kinds) {
      measure(kind, publications);
    }
  }

  // Each phase is a method of its own: a registry held in a local variable of a frame that is still
  // running (interpreted, as this code is) stays reachable after its block, so it would be counted
  // in the next phase's baseline.
  private static void measure(RegistryKind kind, int publications)
      throws IOException, InterruptedException {
    if (!kind.onDisk()) {
      throw new IllegalArgumentException(
          "registry " + kind.parameter() + " keeps nothing on disk to restart from");
    }
    warmUp(kind);
    long noRegistry = Heap.stableUsed();
    long emptyRegistry = emptyRegistryHeap(kind, noRegistry);
    Path dir = BenchFiles.newDir("modulith-memory-" + kind.parameter());
    try {
      publish(kind, dir, publications, noRegistry + emptyRegistry);
      restart(kind, dir, emptyRegistry);
    } finally {
      BenchFiles.deleteRecursively(dir);
    }
    print(
        kind, "context", "empty_registry_heap=%d (taken out of the figures above)", emptyRegistry);
  }

  private static void warmUp(RegistryKind kind) throws IOException {
    try (RunningRegistry warmup = RunningRegistry.start(kind, CompletionMode.UPDATE)) {
      for (long n = 0; n < PER_TRANSACTION; n++) {
        OrderPlaced event = OrderPlaced.number(n);
        warmup.publish(event);
        warmup.complete(event);
      }
    }
  }

  /** The heap an open registry on an empty store holds: its context's own cost. */
  private static long emptyRegistryHeap(RegistryKind kind, long noRegistry)
      throws IOException, InterruptedException {
    try (RunningRegistry empty = RunningRegistry.start(kind, CompletionMode.UPDATE)) {
      long held = Heap.stableUsed() - noRegistry;
      Reference.reachabilityFence(empty);
      return held;
    }
  }

  private static void publish(RegistryKind kind, Path dir, int publications, long baseline)
      throws IOException, InterruptedException {
    try (RunningRegistry publishing = RunningRegistry.openIn(kind, CompletionMode.UPDATE, dir)) {
      long start = System.nanoTime();
      for (int first = 0; first < publications; first += PER_TRANSACTION) {
        publishing.publishInOneTransaction(first, PER_TRANSACTION);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long held = Heap.stableUsed() - baseline;
      print(
          kind,
          "publishing",
          "publications=%d stored_in_s=%.1f (%.0f/s in transactions of %d) heap_held=%d (%.1f per"
              + " publication, Modulith's publications in progress included)%s",
          publications,
          seconds,
          publications / seconds,
          PER_TRANSACTION,
          held,
          held / (double) publications,
          datawalFigures(publishing));
    }
  }

  private static void restart(RegistryKind kind, Path dir, long emptyRegistry)
      throws IOException, InterruptedException {
    long closed = Heap.stableUsed();
    long start = System.nanoTime();
    try (RunningRegistry restarted = RunningRegistry.openIn(kind, CompletionMode.UPDATE, dir)) {
      double startMillis = (System.nanoTime() - start) / 1e6;
      int incomplete = restarted.count(Status.PUBLISHED);
      long held = Heap.stableUsed() - closed - emptyRegistry;
      long diskBytes = bytesUnder(dir);
      print(
          kind,
          "restarted",
          "incomplete=%d start_ms=%.0f heap_held=%d (%.1f per publication) disk_bytes=%d (%.1f per"
              + " publication)%s",
          incomplete,
          startMillis,
          held,
          held / (double) incomplete,
          diskBytes,
          diskBytes / (double) incomplete,
          datawalFigures(restarted));
    }
  }

  /** The datawal repository's own estimates, or nothing for another registry. */
  private static String datawalFigures(RunningRegistry running) {
    if (running.kind() != RegistryKind.DATAWAL) {
      return "";
    }
    DatawalEventPublicationRepository repository =
        (DatawalEventPublicationRepository) running.repository();
    DataWal dataWal = running.context().getBean(DataWal.class);
    long incomplete = repository.statistics().incomplete();
    return String.format(
        Locale.ROOT,
        " index_estimate_bytes=%d (%.1f per incomplete publication) key_directory_bytes=%d (%.1f"
            + " per key)",
        repository.statistics().indexBytes(),
        repository.statistics().indexBytes() / (double) incomplete,
        dataWal.keyDirectoryBytes(),
        dataWal.keyDirectoryBytes() / (double) dataWal.size());
  }

  private static void print(RegistryKind kind, String phase, String format, Object... values) {
    System.out.printf(
        Locale.ROOT,
        "ModulithRegistryMemory registry=%s phase=%s %s%n",
        kind.parameter(),
        phase,
        String.format(Locale.ROOT, format, values));
  }

  private static long bytesUnder(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      long total = 0;
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        total += Files.size(file);
      }
      return total;
    }
  }
}
