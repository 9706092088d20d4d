package dev.datawal.test.autoconfigure;

import static dev.datawal.test.autoconfigure.TestContexts.assertTemporary;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.TestPropertySource;

/**
 * {@link AutoConfigureDatawal} on an enclosing class reaches its {@code @Nested} classes: one with
 * the same configuration shares the enclosing class's context and store, one with a configuration
 * of its own gets a temporary store of its own while the enclosing one's is still open.
 */
@SpringBootTest
@AutoConfigureDatawal
class TemporaryStoreDirectoryNestedTests {
  @Autowired ApplicationContext context;

  @Test
  void theEnclosingClassStoresInATemporaryDirectory() {
    assertTemporary(context);
  }

  /**
   * The enclosing class's own context, from the cache. (Within a nested test, the enclosing
   * instance's fields are injected from the nested class's context.)
   */
  private static ApplicationContext enclosingContext() {
    return TestContexts.context(TemporaryStoreDirectoryNestedTests.class);
  }

  @Nested
  class SameConfiguration {
    @Autowired ApplicationContext nestedContext;

    @Test
    void sharesTheEnclosingClassesContextAndStore() {
      assertThat(nestedContext).isSameAs(enclosingContext());
      assertTemporary(nestedContext);
    }
  }

  @Nested
  @TestPropertySource(properties = "fixture=nested")
  class OwnConfiguration {
    @Autowired ApplicationContext nestedContext;
    @Autowired DataWal nestedStore;

    @Test
    void getsATemporaryStoreOfItsOwnWhileTheEnclosingOneIsOpen() {
      ApplicationContext enclosing = enclosingContext();
      assertThat(nestedContext).isNotSameAs(enclosing);
      assertThat(assertTemporary(nestedContext)).isNotEqualTo(assertTemporary(enclosing));
      byte[] key = "nested".getBytes(StandardCharsets.UTF_8);
      nestedStore.put(key, key);
      assertThat(enclosing.getBean(DataWal.class).get(key)).isEmpty();
    }
  }
}
