package dev.datawal.modulith;

import dev.datawal.DataWal;
import dev.datawal.DatawalOptions;
import dev.datawal.FsyncPolicy;
import dev.datawal.spring.transaction.DatawalTemplate;
import dev.datawal.spring.transaction.DatawalTransactionManager;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.springframework.modulith.events.core.PublicationTargetIdentifier;
import org.springframework.modulith.events.core.TargetEventPublication;
import org.springframework.modulith.events.support.CompletionMode;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Measures (prints; asserts nothing) what the index of incomplete publications costs: creates N
 * incomplete publications (default 1,000,000) in a fresh store in a temporary directory, reopens it
 * so the index is built from the store as at startup, and prints the index's own estimate, the heap
 * it adds (used heap after a full GC, before and after opening the repository) and the key
 * directory's bytes, each per publication. Run from the module directory, after {@code
 * test-compile}:
 *
 * <pre>
 * java -Xmx2g -cp target/test-classes:target/classes:$(cat cp.txt) dev.datawal.modulith.IndexFootprint [N]
 * </pre>
 */
public final class IndexFootprint {
  private IndexFootprint() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path dir = Files.createTempDirectory("index-footprint");
    DatawalOptions options = DatawalOptions.builder().fsyncPolicy(FsyncPolicy.MANUAL).build();
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    try (DataWal dataWal = DataWal.open(dir, options)) {
      DatawalTemplate template = new DatawalTemplate(dataWal);
      DatawalEventPublicationRepository repository =
          new DatawalEventPublicationRepository(
              template, new JsonEventSerializer(), CompletionMode.UPDATE);
      TransactionTemplate transactions =
          new TransactionTemplate(new DatawalTransactionManager(dataWal));
      String[] listeners = {
        "com.example.inventory.Inventory.on(com.example.order.OrderPlaced)",
        "com.example.shipping.Shipping.on(com.example.order.OrderPlaced)"
      };
      for (int from = 0; from < n; from += 10_000) {
        int first = from;
        transactions.executeWithoutResult(
            status -> {
              for (int i = first; i < Math.min(n, first + 10_000); i++) {
                repository.create(
                    TargetEventPublication.of(
                        new OrderPlaced("order-" + i, i % 7),
                        PublicationTargetIdentifier.of(listeners[i % 2]),
                        start.plusMillis(i)));
              }
            });
      }
      dataWal.fsync();
      System.out.printf(
          "key_directory_bytes_after_writing=%d (%.1f per key)%n",
          dataWal.keyDirectoryBytes(), dataWal.keyDirectoryBytes() / (double) dataWal.size());
    }
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (DataWal dataWal = DataWal.open(dir, options)) {
      DatawalTemplate template = new DatawalTemplate(dataWal);
      long opening = System.nanoTime();
      DatawalEventPublicationRepository repository =
          new DatawalEventPublicationRepository(
              template, new JsonEventSerializer(), CompletionMode.UPDATE);
      long openMillis = (System.nanoTime() - opening) / 1_000_000;
      PublicationStatistics statistics = repository.statistics();
      System.out.println(repository.findIncompletePublications().size() + " listed");
      long with = usedAfterGc(memory);
      Reference.reachabilityFence(repository);
      repository = null; // the difference with and without it is what it holds
      long without = usedAfterGc(memory);
      System.out.printf(
          "publications=%d incomplete=%d open_ms=%d%n"
              + "index_estimate_bytes=%d (%.1f per publication)%n"
              + "heap_held_by_repository_bytes=%d (%.1f per publication)%n"
              + "key_directory_bytes_after_reopening=%d (the snapshot is read in place, off-heap)%n",
          n,
          statistics.incomplete(),
          openMillis,
          statistics.indexBytes(),
          statistics.indexBytes() / (double) statistics.incomplete(),
          with - without,
          (with - without) / (double) statistics.incomplete(),
          dataWal.keyDirectoryBytes());
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
