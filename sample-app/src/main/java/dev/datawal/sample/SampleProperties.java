package dev.datawal.sample;

import dev.datawal.RecordLog;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The sample application's own settings ({@code sample.*}); the store itself is configured by the
 * starter's {@code datawal.*} properties.
 *
 * @param eventsDir directory of the application's own event log, beside the auto-configured
 *     key/value store in {@code datawal.dir}; a relative path resolves against the working
 *     directory
 * @param maxKeyBytes longest key {@code /kv/{key}} accepts, in UTF-8 bytes (at most {@link
 *     RecordLog#MAX_KEY_LEN}); it keeps request lines well inside the web server's header limit
 */
@ConfigurationProperties("sample")
record SampleProperties(
    @DefaultValue("datawal-events") Path eventsDir, @DefaultValue("1024") int maxKeyBytes) {

  SampleProperties {
    if (maxKeyBytes < 1 || maxKeyBytes > RecordLog.MAX_KEY_LEN) {
      throw new IllegalArgumentException(
          "sample.max-key-bytes must be between 1 and " + RecordLog.MAX_KEY_LEN);
    }
  }
}
