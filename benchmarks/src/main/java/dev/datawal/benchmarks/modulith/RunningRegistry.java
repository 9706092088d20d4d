package dev.datawal.benchmarks.modulith;

import dev.datawal.benchmarks.BenchFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.modulith.events.EventPublication.Status;
import org.springframework.modulith.events.core.EventPublicationRegistry;
import org.springframework.modulith.events.core.EventPublicationRepository;
import org.springframework.modulith.events.core.PublicationTargetIdentifier;
import org.springframework.modulith.events.support.CompletionMode;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * One registry under test: a Spring application context (no web) holding Modulith's event
 * publication registry on the repository of a {@link RegistryKind}, the registry, and a {@link
 * TransactionTemplate} on the context's own transaction manager. Its store lives in a directory of
 * its own under {@code -Ddatawal.bench.dir} (default: the JVM's temp dir), deleted by {@link
 * #close()} unless it was opened with {@link #openIn}.
 *
 * <p>Thread-safe: the registry and the template are (the benchmark's threads share one).
 */
final class RunningRegistry implements AutoCloseable {
  /**
   * The one listener every publication is for, named as Modulith names an
   * {@code @ApplicationModuleListener} method.
   */
  static final PublicationTargetIdentifier LISTENER =
      PublicationTargetIdentifier.of(
          "com.example.inventory.Inventory.on(com.example.order.OrderPlaced)");

  private static final AtomicLong IN_MEMORY_DATABASES = new AtomicLong();

  private final RegistryKind kind;
  private final Path dir;
  private final boolean keepDir;
  private final AnnotationConfigApplicationContext context;
  private final EventPublicationRegistry registry;
  private final EventPublicationRepository repository;
  private final TransactionTemplate transactions;

  private RunningRegistry(
      RegistryKind kind, Path dir, boolean keepDir, AnnotationConfigApplicationContext context) {
    this.kind = kind;
    this.dir = dir;
    this.keepDir = keepDir;
    this.context = context;
    this.registry = context.getBean(EventPublicationRegistry.class);
    this.repository = context.getBean(EventPublicationRepository.class);
    PlatformTransactionManager manager = context.getBean(PlatformTransactionManager.class);
    // What each registry is said to run on, checked: a configuration mistake (Boot's transaction
    // manager not backing off, a nested configuration registered with its outer one) would
    // otherwise measure another registry than the one named.
    String repositoryType = AopUtils.getTargetClass(repository).getSimpleName();
    String managerType = manager.getClass().getSimpleName();
    String expectedRepository =
        kind == RegistryKind.DATAWAL
            ? "DatawalEventPublicationRepository"
            : "JdbcEventPublicationRepositoryV2";
    String expectedManager =
        switch (kind) {
          case DATAWAL -> "DatawalTransactionManager";
          case H2_FILE_SYNC -> CheckpointSyncTransactionManager.class.getSimpleName();
          case H2_FILE, H2_MEM -> "JdbcTransactionManager";
        };
    if (!repositoryType.equals(expectedRepository) || !managerType.equals(expectedManager)) {
      throw new IllegalStateException(
          "registry "
              + kind.parameter()
              + " runs on "
              + repositoryType
              + " with "
              + managerType
              + ", expected "
              + expectedRepository
              + " with "
              + expectedManager);
    }
    // Without the application's mapper, Modulith's serializer would build one per event.
    if (context.getBeanProvider(JsonMapper.class).getIfUnique() == null) {
      throw new IllegalStateException(
          "registry " + kind.parameter() + " has no JsonMapper bean for Modulith's serializer");
    }
    this.transactions = new TransactionTemplate(manager);
  }

  /**
   * Starts a registry of {@code kind} on an empty store in a new directory.
   *
   * @throws IOException if the directory cannot be created
   */
  static RunningRegistry start(RegistryKind kind, CompletionMode completionMode)
      throws IOException {
    return open(kind, completionMode, BenchFiles.newDir("modulith-" + kind.parameter()), false);
  }

  /**
   * Starts a registry of {@code kind} on the store in {@code dir}: a new one if the directory is
   * empty, else the one a previous registry left there, as an application restarts. The directory
   * is kept when this one closes.
   *
   * @throws IllegalArgumentException if {@code kind} keeps nothing on disk
   */
  static RunningRegistry openIn(RegistryKind kind, CompletionMode completionMode, Path dir)
      throws IOException {
    if (!kind.onDisk()) {
      throw new IllegalArgumentException(
          "registry " + kind.parameter() + " keeps nothing on disk to reopen");
    }
    return open(kind, completionMode, dir, true);
  }

  private static RunningRegistry open(
      RegistryKind kind, CompletionMode completionMode, Path dir, boolean keepDir)
      throws IOException {
    Map<String, Object> properties = new HashMap<>();
    properties.put(CompletionMode.PROPERTY, completionMode.name());
    AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
    if (kind == RegistryKind.DATAWAL) {
      properties.put("datawal.dir", dir.resolve("store").toString());
      properties.put("datawal.fsync.policy", "always");
      context.register(DatawalRegistryConfiguration.class);
    } else {
      properties.put(
          "spring.datasource.url",
          kind.onDisk()
              ? "jdbc:h2:file:" + dir.resolve("registry")
              : "jdbc:h2:mem:modulith-registry-" + IN_MEMORY_DATABASES.incrementAndGet());
      properties.put("spring.datasource.username", "sa");
      properties.put("spring.datasource.password", "");
      properties.put("spring.modulith.events.jdbc.schema-initialization.enabled", "true");
      context.register(JdbcRegistryConfiguration.class);
      if (kind == RegistryKind.H2_FILE_SYNC) {
        context.register(CheckpointSyncConfiguration.class);
      }
    }
    context
        .getEnvironment()
        .getPropertySources()
        .addFirst(new MapPropertySource("modulith-registry-benchmark", properties));
    try {
      context.refresh();
      return new RunningRegistry(kind, dir, keepDir, context);
    } catch (RuntimeException e) {
      context.close();
      if (!keepDir) {
        BenchFiles.deleteRecursively(dir);
      }
      throw e;
    }
  }

  /** {@return which registry this is} */
  RegistryKind kind() {
    return kind;
  }

  /** {@return the directory of its store} */
  Path dir() {
    return dir;
  }

  /** {@return the Spring context the registry runs in} */
  AnnotationConfigApplicationContext context() {
    return context;
  }

  /** {@return the repository under the registry} */
  EventPublicationRepository repository() {
    return repository;
  }

  /**
   * Stores the publication of {@code event} for {@link #LISTENER} in a transaction of its own: the
   * publish step of an {@code @ApplicationModuleListener}'s event, committed when this returns.
   */
  void publish(Object event) {
    transactions.executeWithoutResult(status -> registry.store(event, Stream.of(LISTENER)));
  }

  /**
   * Stores the publications of {@code count} events, numbered from {@code first}, in one
   * transaction (for filling a registry).
   */
  void publishInOneTransaction(long first, int count) {
    transactions.executeWithoutResult(
        status -> {
          for (long n = first; n < first + count; n++) {
            registry.store(OrderPlaced.number(n), Stream.of(LISTENER));
          }
        });
  }

  /**
   * Marks the publication of {@code event} for {@link #LISTENER} completed in a transaction of its
   * own, as Modulith does once the listener has returned.
   */
  void complete(Object event) {
    transactions.executeWithoutResult(status -> registry.markCompleted(event, LISTENER));
  }

  /** {@return the number of publications with {@code status}, as the repository counts them} */
  int count(Status status) {
    return repository.countByStatus(status);
  }

  /** Closes the context (the store or database with it) and deletes the directory it made. */
  @Override
  public void close() throws IOException {
    context.close();
    if (!keepDir) {
      BenchFiles.deleteRecursively(dir);
    }
  }
}
