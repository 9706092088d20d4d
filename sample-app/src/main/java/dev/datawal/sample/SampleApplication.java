package dev.datawal.sample;

import dev.datawal.DatawalOptions;
import dev.datawal.RecordLog;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Sample application that uses the datawal Spring Boot starter: a key/value API over the
 * auto-configured {@link dev.datawal.DataWal} ({@code /kv}), an event log of its own ({@code
 * /events}), and the power-loss workload ({@code --spring.profiles.active=workload}: runs {@link
 * dev.datawal.sample.workload.WorkloadRunner}, then exits).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

  /**
   * The application's own event log, in its own directory beside the auto-configured key/value
   * store; it takes the store's options (fsync policy, segment size) from the starter.
   */
  @Bean(destroyMethod = "close")
  RecordLog eventLog(SampleProperties properties, DatawalOptions options) {
    return RecordLog.open(properties.eventsDir(), options);
  }

  public static void main(String[] args) {
    ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class, args);
    if (context.getEnvironment().getProperty("sample.workload.enabled", Boolean.class, false)) {
      // The workload has run (a failure would have thrown above): close the store and exit.
      System.exit(SpringApplication.exit(context));
    }
  }
}
