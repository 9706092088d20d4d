package dev.datawal.test.autoconfigure;

import static dev.datawal.test.autoconfigure.TestContexts.assertTemporary;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import dev.datawal.RecordLog;
import dev.datawal.spring.DatawalMaintenance;
import dev.datawal.spring.DatawalStore;
import dev.datawal.spring.RetentionFloor;
import dev.datawal.spring.health.DatawalHealthIndicator;
import dev.datawal.spring.json.JsonKeyValueStore;
import dev.datawal.spring.transaction.DatawalTemplate;
import dev.datawal.spring.transaction.DatawalTransactionManager;
import dev.datawal.test.autoconfigure.sample.Greeting;
import dev.datawal.test.autoconfigure.sample.GreetingController;
import dev.datawal.test.autoconfigure.sample.GreetingService;
import dev.datawal.test.autoconfigure.sample.KeepEverythingFloor;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.servlet.DispatcherServlet;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link DatawalTest} slice: the store, its view, maintenance and typed access, with Jackson,
 * in a temporary directory; none of the application's web layer, Actuator or other components.
 */
@DatawalTest
class DatawalTestTests {
  @Autowired ApplicationContext context;
  @Autowired DataWal store;
  @Autowired JsonKeyValueStore values;

  @Test
  void providesTheStoreItsViewMaintenanceAndTypedAccessInATemporaryDirectory() {
    assertTemporary(context);
    assertThat(context.getBean(DatawalStore.class).dir()).isEqualTo(store.log().dir());
    assertThat(context.getBeansOfType(DatawalMaintenance.class)).hasSize(1);
    assertThat(values.store()).isSameAs(store);
    assertThat(values.mapper()).isSameAs(context.getBean(JsonMapper.class));

    values.put("greeting", new Greeting("hello"));

    assertThat(values.get("greeting", Greeting.class)).contains(new Greeting("hello"));
    assertThat(context.getBeanNamesForType(RecordLog.class)).isEmpty();
  }

  @Test
  void providesTransactionsOnTheStore(@Autowired DatawalTemplate template) {
    TransactionTemplate tx = context.getBean(TransactionTemplate.class);
    assertThat(context.getBean(PlatformTransactionManager.class))
        .isInstanceOf(DatawalTransactionManager.class);

    tx.executeWithoutResult(
        status -> {
          template.put("tx/kept".getBytes(UTF_8), "1".getBytes(UTF_8));
          status.setRollbackOnly();
        });
    tx.executeWithoutResult(status -> template.put("tx/kept".getBytes(UTF_8), "2".getBytes(UTF_8)));

    assertThat(store.get("tx/kept".getBytes(UTF_8))).hasValue("2".getBytes(UTF_8));
  }

  @Test
  void leavesOutTheWebLayerActuatorAndTheApplicationsOtherComponents() {
    assertThat(context.getBeanNamesForType(DispatcherServlet.class)).isEmpty();
    assertThat(context.getBeanNamesForType(GreetingController.class)).isEmpty();
    assertThat(context.getBeanNamesForType(GreetingService.class)).isEmpty();
    assertThat(context.getBeanNamesForType(DatawalHealthIndicator.class)).isEmpty();
  }

  @Test
  void includesTheApplicationsRetentionFloors() {
    assertThat(context.getBeansOfType(RetentionFloor.class).values())
        .hasAtLeastOneElementOfType(KeepEverythingFloor.class);
  }

  @Test
  void theWholeApplicationHasWhatTheSliceLeavesOut() {
    ApplicationContext whole = TestContexts.context(WholeApplication.class);
    assertThat(whole.getBeanNamesForType(DispatcherServlet.class)).hasSize(1);
    assertThat(whole.getBeanNamesForType(GreetingController.class)).hasSize(1);
    assertThat(whole.getBeanNamesForType(GreetingService.class)).hasSize(1);
    assertThat(whole.getBeanNamesForType(DatawalHealthIndicator.class)).hasSize(1);
  }

  @Nested
  class NestedClass {
    @Autowired ApplicationContext nestedContext;

    @Test
    void sharesTheSliceOfItsEnclosingClass() {
      assertThat(nestedContext).isSameAs(context);
      assertThat(nestedContext.getBeanNamesForType(GreetingService.class)).isEmpty();
    }
  }

  @SpringBootTest
  @AutoConfigureDatawal
  static class WholeApplication {}
}
