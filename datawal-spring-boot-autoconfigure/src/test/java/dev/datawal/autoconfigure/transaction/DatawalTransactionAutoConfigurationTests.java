package dev.datawal.autoconfigure.transaction;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.DataWal;
import dev.datawal.autoconfigure.StarterContexts;
import dev.datawal.spring.transaction.DatawalTemplate;
import dev.datawal.spring.transaction.DatawalTransactionManager;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;

/** When the starter makes datawal the application's transaction manager, and when it does not. */
class DatawalTransactionAutoConfigurationTests {
  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return StarterContexts.runner(dir)
        .withConfiguration(
            AutoConfigurations.of(
                DatawalTransactionAutoConfiguration.class, TransactionAutoConfiguration.class));
  }

  @Test
  void transactionalMethodsCommitOrRollBackTheirDatawalWrites() {
    runner()
        .withUserConfiguration(OrdersConfiguration.class)
        .run(
            context -> {
              assertThat(context)
                  .hasSingleBean(DatawalTemplate.class)
                  .getBean(PlatformTransactionManager.class)
                  .isInstanceOf(DatawalTransactionManager.class);
              Orders orders = context.getBean(Orders.class);
              DataWal wal = context.getBean(DataWal.class);

              orders.place("1", false);
              assertThatThrownBy(() -> orders.place("2", true)).hasMessage("refused 2");

              assertThat(wal.get("order/1".getBytes(UTF_8))).isPresent();
              assertThat(wal.get("order/2".getBytes(UTF_8))).isEmpty();
              assertThat(wal.log().scan()).hasSize(2); // order/1's Put and its event
            });
  }

  @Test
  void anApplicationWithATransactionManagerKeepsItAndStillGetsTheTemplate() {
    runner()
        .withUserConfiguration(OtherTransactionManager.class)
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(DatawalTemplate.class)
                    .doesNotHaveBean(DatawalTransactionManager.class)
                    .hasSingleBean(PlatformTransactionManager.class));
  }

  @Test
  void transactionsCanBeTurnedOff() {
    runner()
        .withPropertyValues("datawal.transactions.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(DatawalTemplate.class)
                    .doesNotHaveBean(PlatformTransactionManager.class));
  }

  @Test
  void aPlainRecordLogStoreGetsNoTransactionManager() {
    runner()
        .withPropertyValues("datawal.store=log")
        .run(
            context ->
                assertThat(context)
                    .doesNotHaveBean(DatawalTemplate.class)
                    .doesNotHaveBean(DatawalTransactionManager.class));
  }

  @Configuration(proxyBeanMethods = false)
  static class OrdersConfiguration {
    @Bean
    Orders orders(DatawalTemplate template) {
      return new Orders(template);
    }
  }

  static class Orders {
    private final DatawalTemplate template;

    Orders(DatawalTemplate template) {
      this.template = template;
    }

    @Transactional
    public void place(String id, boolean fail) {
      template.put(("order/" + id).getBytes(UTF_8), "placed".getBytes(UTF_8));
      template.append(("OrderPlaced " + id).getBytes(UTF_8));
      if (fail) {
        throw new IllegalStateException("refused " + id);
      }
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OtherTransactionManager {
    @Bean
    PlatformTransactionManager otherTransactionManager() {
      return new AbstractPlatformTransactionManager() {
        @Override
        protected Object doGetTransaction() {
          return new Object();
        }

        @Override
        protected void doBegin(Object transaction, TransactionDefinition definition) {}

        @Override
        protected void doCommit(DefaultTransactionStatus status) {}

        @Override
        protected void doRollback(DefaultTransactionStatus status) {}
      };
    }
  }
}
