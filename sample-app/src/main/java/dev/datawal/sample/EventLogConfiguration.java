package dev.datawal.sample;

import dev.datawal.DatawalOptions;
import dev.datawal.RecordLog;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Opens the sample's event log. Until the starter auto-configures the store (and binds every {@code
 * datawal.*} property), the app opens it itself from {@code datawal.dir}.
 */
@Configuration(proxyBeanMethods = false)
class EventLogConfiguration {
  private static final Logger log = LoggerFactory.getLogger(EventLogConfiguration.class);

  @Bean(destroyMethod = "close")
  RecordLog eventLog(@Value("${datawal.dir:datawal}") Path dir) {
    RecordLog eventLog = RecordLog.open(dir, DatawalOptions.defaults());
    log.info(
        "datawal store {} opened: {}", dir.toAbsolutePath(), eventLog.recoveryReport().summary());
    return eventLog;
  }
}
