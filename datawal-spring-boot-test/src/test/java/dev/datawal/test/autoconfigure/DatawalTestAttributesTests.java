package dev.datawal.test.autoconfigure;

import static dev.datawal.test.autoconfigure.TestContexts.assertTemporary;
import static dev.datawal.test.autoconfigure.TestContexts.context;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import dev.datawal.RecordLog;
import dev.datawal.autoconfigure.json.DatawalJacksonAutoConfiguration;
import dev.datawal.spring.RetentionFloor;
import dev.datawal.spring.json.JsonEventLog;
import dev.datawal.spring.json.JsonKeyValueStore;
import dev.datawal.spring.json.StoredEvent;
import dev.datawal.test.autoconfigure.sample.Greeting;
import dev.datawal.test.autoconfigure.sample.GreetingController;
import dev.datawal.test.autoconfigure.sample.GreetingService;
import dev.datawal.test.autoconfigure.sample.KeepEverythingFloor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.context.annotation.FilterType;

/**
 * {@link DatawalTest}'s attributes: properties (a plain log store), include filters, default
 * filters, excluded auto-configuration and the temporary directory switch.
 */
class DatawalTestAttributesTests {
  @Test
  void propertiesChooseTheLogStoreAndItsTypedEventLog() {
    ApplicationContext context = context(LogStore.class);

    assertTemporary(context);
    assertThat(context.getBeanNamesForType(DataWal.class)).isEmpty();
    JsonEventLog events = context.getBean(JsonEventLog.class);
    assertThat(events.log()).isSameAs(context.getBean(RecordLog.class));
    events.append(new Greeting("hello"));
    List<StoredEvent<Greeting>> read = events.read(1, 10, Greeting.class);
    assertThat(read).extracting(StoredEvent::event).containsExactly(new Greeting("hello"));
  }

  @Test
  void includeFiltersAddTheNamedComponentsOnly() {
    ApplicationContext context = context(WithService.class);

    assertThat(context.getBean(GreetingService.class).greeting()).isEqualTo("hello");
    assertThat(context.getBeanNamesForType(GreetingController.class)).isEmpty();
  }

  @Test
  void withoutDefaultFiltersNoComponentIsIncluded() {
    ApplicationContext context = context(NoDefaultFilters.class);

    assertThat(context.getBeansOfType(RetentionFloor.class).values())
        .doesNotHaveAnyElementsOfTypes(KeepEverythingFloor.class);
  }

  @Test
  void temporaryDirectoryFalseKeepsTheConfiguredStore() {
    try {
      ApplicationContext context = context(KeptStore.class);

      assertThat(TestContexts.storeDir(context)).isEqualTo(Path.of("target/kept-by-slice"));
      assertThat(context.getEnvironment().containsProperty("datawal.test.dir")).isFalse();
    } finally {
      TestContexts.close(KeptStore.class);
    }
  }

  @Test
  void excludedAutoConfigurationIsLeftOut() {
    ApplicationContext context = context(WithoutJackson.class);

    assertThat(context.getBeanNamesForType(DataWal.class)).hasSize(1);
    assertThat(context.getBeanNamesForType(JsonKeyValueStore.class)).isEmpty();
  }

  @DatawalTest(properties = "datawal.store=log")
  static class LogStore {}

  @DatawalTest(
      includeFilters = @Filter(type = FilterType.ASSIGNABLE_TYPE, classes = GreetingService.class))
  static class WithService {}

  @DatawalTest(useDefaultFilters = false)
  static class NoDefaultFilters {}

  @DatawalTest(temporaryDirectory = false, properties = "datawal.dir=target/kept-by-slice")
  static class KeptStore {}

  @DatawalTest(excludeAutoConfiguration = DatawalJacksonAutoConfiguration.class)
  static class WithoutJackson {}
}
