package dev.datawal.test.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.spring.DatawalStore;
import java.nio.file.Path;
import org.springframework.context.ApplicationContext;
import org.springframework.test.annotation.DirtiesContext.HierarchyMode;
import org.springframework.test.context.TestContextManager;

/**
 * The application contexts of test classes, through Spring's TestContext framework and its context
 * cache, as JUnit's SpringExtension gets them: so a test can hold several at once.
 */
final class TestContexts {
  private TestContexts() {}

  /** The context of {@code testClass}: from the cache, or built and cached. */
  static ApplicationContext context(Class<?> testClass) {
    return new TestContextManager(testClass).getTestContext().getApplicationContext();
  }

  /** Closes the context of {@code testClass} and drops it from the cache, as @DirtiesContext. */
  static void close(Class<?> testClass) {
    new TestContextManager(testClass)
        .getTestContext()
        .markApplicationContextDirty(HierarchyMode.EXHAUSTIVE);
  }

  /** The directory of the context's store. */
  static Path storeDir(ApplicationContext context) {
    return context.getBean(DatawalStore.class).dir();
  }

  /**
   * Asserts that the context stores in a temporary directory of {@code @AutoConfigureDatawal},
   * exposed as {@code datawal.test.dir}, and returns that directory.
   */
  static Path assertTemporary(ApplicationContext context) {
    Path store = storeDir(context);
    Path root = Path.of(context.getEnvironment().getRequiredProperty("datawal.test.dir"));
    assertThat(store).isEqualTo(root.resolve("store")).isDirectory();
    assertThat(root.getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
    assertThat(root.getFileName().toString()).startsWith("datawal-test-");
    assertThat(context.getEnvironment().getProperty("datawal.dir")).isEqualTo(store.toString());
    return root;
  }
}
