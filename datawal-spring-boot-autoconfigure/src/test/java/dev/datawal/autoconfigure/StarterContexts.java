package dev.datawal.autoconfigure;

import java.nio.file.Path;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Application contexts with the starter's core auto-configuration, on a test's store dir. */
public final class StarterContexts {
  private StarterContexts() {}

  public static ApplicationContextRunner runner(Path dir) {
    return new ApplicationContextRunner()
        .withConfiguration(configurations())
        .withPropertyValues("datawal.dir=" + dir);
  }

  public static AutoConfigurations configurations() {
    return AutoConfigurations.of(
        DatawalAutoConfiguration.class, DatawalStoreAutoConfiguration.class);
  }
}
