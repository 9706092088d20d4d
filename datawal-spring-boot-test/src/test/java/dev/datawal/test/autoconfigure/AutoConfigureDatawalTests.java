package dev.datawal.test.autoconfigure;

import static dev.datawal.test.autoconfigure.TestContexts.assertTemporary;
import static dev.datawal.test.autoconfigure.TestContexts.close;
import static dev.datawal.test.autoconfigure.TestContexts.context;
import static dev.datawal.test.autoconfigure.TestContexts.storeDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.DataWal;
import dev.datawal.RecordLog;
import dev.datawal.StoreLockedException;
import dev.datawal.test.autoconfigure.sample.GreetingService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * {@link AutoConfigureDatawal} on {@code @SpringBootTest} classes: each application context stores
 * in a fresh temporary directory of its own, which is deleted once the context has closed its
 * store. The test classes are the fixtures below, whose contexts are got through Spring's context
 * cache ({@link TestContexts}), so a test can hold several at once.
 */
@ExtendWith(OutputCaptureExtension.class)
class AutoConfigureDatawalTests {
  /** The store directory of the application's own configuration (application.properties). */
  private static final Path CONFIGURED = Path.of("target/configured-store");

  @Test
  void aContextStoresInAFreshEmptyTemporaryDirectoryInsteadOfTheConfiguredOne() {
    write(CONFIGURED, "left-over");

    ApplicationContext context = context(Fresh.class);

    Path root = assertTemporary(context);
    assertThat(storeDir(context)).isNotEqualTo(CONFIGURED);
    assertThat(context.getBean(DataWal.class).size()).isZero();
    assertThat(root.toFile().list()).containsExactly("store");
  }

  @Test
  void theTemporaryDirectoryTakesPrecedenceOverTheTestsOwnProperties() {
    ApplicationContext context = context(ExplicitDir.class);

    assertTemporary(context);
    assertThat(Path.of("target/explicit-store")).doesNotExist();
  }

  @Test
  void differentlyConfiguredContextsEachHaveAStoreOfTheirOwnOpenAtTheSameTime() {
    ApplicationContext first = context(First.class);
    ApplicationContext second = context(SecondWithAMock.class);

    assertThat(second).isNotSameAs(first);
    assertThat(assertTemporary(second)).isNotEqualTo(assertTemporary(first));
    DataWal firstStore = first.getBean(DataWal.class);
    DataWal secondStore = second.getBean(DataWal.class);
    firstStore.put(bytes("written"), bytes("in the first context"));
    assertThat(secondStore.get(bytes("written"))).isEmpty();
    secondStore.put(bytes("written"), bytes("in the second context"));
    assertThat(firstStore.get(bytes("written"))).contains(bytes("in the first context"));
  }

  @Test
  void testClassesWithTheSameConfigurationShareOneContextAndItsStore() {
    ApplicationContext one = context(Shared.class);
    ApplicationContext two = context(SharedToo.class);

    assertThat(two).isSameAs(one);
    assertThat(assertTemporary(two)).isEqualTo(assertTemporary(one));
  }

  @Test
  void theDirectoryIsDeletedWhenTheContextClosesAfterEveryStoreInItClosedItsFiles() {
    ApplicationContext context = context(Closing.class);
    Path root = assertTemporary(context);
    DataWal store = context.getBean(DataWal.class);
    RecordLog events = context.getBean("events", RecordLog.class);
    store.put(bytes("key"), bytes("value"));
    events.append(bytes("event"));
    StoreClosingProbe probe = context.getBean(StoreClosingProbe.class);
    assertThat(events.dir()).isEqualTo(root.resolve("events"));

    close(Closing.class);

    assertThat(root).doesNotExist();
    // When each store began to close, its directory was still whole; closing is synchronous, and
    // the
    // directory went after it: the key/value store's close writes its key directory there.
    assertThat(probe.filesWhenClosing)
        .containsOnlyKeys("dataWal", "events")
        .allSatisfy((bean, files) -> assertThat(files).contains(".lock", "00000001.dwal"));
    assertThatThrownBy(() -> store.get(bytes("key")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void aMetaAnnotationOrASuperclassCarriesTheTemporaryDirectory() {
    assertTemporary(context(MetaAnnotated.class));
    assertTemporary(context(Inheriting.class));
  }

  @Test
  void temporaryDirectoryFalseKeepsTheConfiguredStore() {
    Path kept = Path.of("target/kept-by-annotation");
    write(kept, "kept");
    try {
      ApplicationContext context = context(KeptByAnnotation.class);
      assertThat(storeDir(context)).isEqualTo(kept);
      assertThat(context.getBean(DataWal.class).get(bytes("kept"))).isPresent();
      assertThat(context.getEnvironment().containsProperty("datawal.test.dir")).isFalse();
    } finally {
      close(KeptByAnnotation.class);
    }
    assertThat(kept).isDirectory();
  }

  @Test
  void thePropertyDatawalTestTemporaryDirectoryFalseKeepsTheConfiguredStore() {
    Path kept = Path.of("target/kept-by-property");
    write(kept, "kept");
    try {
      ApplicationContext context = context(KeptByProperty.class);
      assertThat(storeDir(context)).isEqualTo(kept);
      assertThat(context.getBean(DataWal.class).get(bytes("kept"))).isPresent();
    } finally {
      close(KeptByProperty.class);
    }
    assertThat(kept).isDirectory();
  }

  @Test
  void withoutTemporaryDirectoriesASecondContextFailsOnTheLockAndIsToldWhatToUse(
      CapturedOutput output) {
    try {
      context(SharingOne.class);
      assertThatThrownBy(() -> context(SharingTwo.class))
          .hasRootCauseInstanceOf(StoreLockedException.class);
      assertThat(output)
          .contains("another application context in this same JVM")
          .contains("@AutoConfigureDatawal")
          .contains("datawal-spring-boot-test");
    } finally {
      close(SharingOne.class);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Leaves {@code key} in the store at {@code dir}, as an earlier run of the tests would. */
  private static void write(Path dir, String key) {
    try (DataWal store = DataWal.open(dir)) {
      store.put(bytes(key), bytes("from before"));
    }
  }

  @SpringBootTest(properties = "fixture=fresh")
  @AutoConfigureDatawal
  static class Fresh {}

  @SpringBootTest(properties = "datawal.dir=target/explicit-store")
  @AutoConfigureDatawal
  static class ExplicitDir {}

  @SpringBootTest(properties = "fixture=first")
  @AutoConfigureDatawal
  static class First {}

  /** As {@link First}, with a mock: the usual reason for a second cached context. */
  @SpringBootTest(properties = "fixture=first")
  @AutoConfigureDatawal
  static class SecondWithAMock {
    @MockitoBean GreetingService greetings;
  }

  @SpringBootTest(properties = "fixture=shared")
  @AutoConfigureDatawal
  static class Shared {}

  @SpringBootTest(properties = "fixture=shared")
  @AutoConfigureDatawal
  static class SharedToo {}

  @SpringBootTest(properties = "fixture=closing")
  @AutoConfigureDatawal
  @Import(ClosingConfiguration.class)
  static class Closing {}

  @Target(ElementType.TYPE)
  @Retention(RetentionPolicy.RUNTIME)
  @SpringBootTest(properties = "fixture=meta")
  @AutoConfigureDatawal
  @interface StoreTest {}

  @StoreTest
  static class MetaAnnotated {}

  @SpringBootTest(properties = "fixture=inherited")
  @AutoConfigureDatawal
  abstract static class Base {}

  static class Inheriting extends Base {}

  @SpringBootTest(properties = "datawal.dir=target/kept-by-annotation")
  @AutoConfigureDatawal(temporaryDirectory = false)
  static class KeptByAnnotation {}

  @SpringBootTest(
      properties = {
        "datawal.dir=target/kept-by-property",
        "datawal.test.temporary-directory=false"
      })
  @AutoConfigureDatawal
  static class KeptByProperty {}

  @SpringBootTest(properties = {"datawal.dir=target/shared-store", "fixture=one"})
  @AutoConfigureDatawal(temporaryDirectory = false)
  static class SharingOne {}

  @SpringBootTest(properties = {"datawal.dir=target/shared-store", "fixture=two"})
  @AutoConfigureDatawal(temporaryDirectory = false)
  static class SharingTwo {}

  /** An event log of the application's own beside the store, and the probe. */
  @TestConfiguration(proxyBeanMethods = false)
  static class ClosingConfiguration {
    @Bean(destroyMethod = "close")
    RecordLog events(@Value("${datawal.test.dir}/events") Path dir) {
      return RecordLog.open(dir);
    }

    @Bean
    static StoreClosingProbe storeClosingProbe() {
      return new StoreClosingProbe();
    }
  }

  /** Records the files in each store's directory as the store begins to close. */
  static final class StoreClosingProbe implements DestructionAwareBeanPostProcessor {
    final Map<String, List<String>> filesWhenClosing = new ConcurrentHashMap<>();

    @Override
    public boolean requiresDestruction(Object bean) {
      return bean instanceof DataWal || bean instanceof RecordLog;
    }

    @Override
    public void postProcessBeforeDestruction(Object bean, String beanName) {
      Path dir = bean instanceof DataWal kv ? kv.log().dir() : ((RecordLog) bean).dir();
      try (Stream<Path> files = Files.list(dir)) {
        filesWhenClosing.put(beanName, files.map(f -> f.getFileName().toString()).toList());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
