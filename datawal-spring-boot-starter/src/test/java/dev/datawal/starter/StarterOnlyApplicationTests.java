package dev.datawal.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import dev.datawal.spring.DatawalStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A new Boot application whose only dependency is the starter (no web, no Actuator, no Jackson)
 * gets a working, durable key/value store.
 */
@SpringBootTest(classes = StarterOnlyApplicationTests.App.class)
class StarterOnlyApplicationTests {
  @TempDir static Path dir;

  @SpringBootApplication
  static class App {}

  @DynamicPropertySource
  static void store(DynamicPropertyRegistry registry) {
    registry.add("datawal.dir", () -> dir.toString());
  }

  @Autowired DataWal store;
  @Autowired DatawalStore view;

  @Test
  void theStoreIsReadyToUse() {
    byte[] key = "greeting".getBytes(StandardCharsets.UTF_8);
    store.put(key, "hello".getBytes(StandardCharsets.UTF_8));
    assertThat(store.get(key)).hasValue("hello".getBytes(StandardCharsets.UTF_8));
    assertThat(store.log().dir()).isEqualTo(dir);
    assertThat(view.mode()).isEqualTo(DatawalStore.Mode.KV);
    assertThat(view.isPoisoned()).isFalse();
  }
}
