package dev.datawal.sample;

import dev.datawal.RecordLog;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The sample application's own settings ({@code sample.*}); the store itself is configured by the
 * starter's {@code datawal.*} properties.
 *
 * @param eventsDir directory of the application's own event log, beside the auto-configured
 *     key/value store in {@code datawal.dir}; a relative path resolves against the working
 *     directory
 * @param maxKeyBytes longest key {@code /kv/{key}} accepts, in UTF-8 bytes (at most {@link
 *     RecordLog#MAX_KEY_LEN}); it keeps request lines well inside the web server's header limit
 * @param maxBodySize largest request body (a value, an event) the API accepts, at least 1 byte and
 *     at most {@link RecordLog#MAX_PAYLOAD_LEN}; a body is held in memory while it is written, so
 *     the request bodies in memory at once are at most this times the web server's request threads
 *     ({@code server.tomcat.threads.max})
 */
@ConfigurationProperties("sample")
record SampleProperties(
    @DefaultValue("datawal-events") Path eventsDir,
    @DefaultValue("1024") int maxKeyBytes,
    @DefaultValue("1MB") DataSize maxBodySize) {

  SampleProperties {
    if (maxKeyBytes < 1 || maxKeyBytes > RecordLog.MAX_KEY_LEN) {
      throw new IllegalArgumentException(
          "sample.max-key-bytes must be between 1 and " + RecordLog.MAX_KEY_LEN);
    }
    if (maxBodySize.toBytes() < 1 || maxBodySize.toBytes() > RecordLog.MAX_PAYLOAD_LEN) {
      throw new IllegalArgumentException(
          "sample.max-body-size must be between 1 byte and "
              + RecordLog.MAX_PAYLOAD_LEN
              + " bytes (RecordLog.MAX_PAYLOAD_LEN), not "
              + maxBodySize.toBytes()
              + " bytes");
    }
  }

  /** {@return {@link #maxBodySize()} in bytes} */
  int maxBodyBytes() {
    return (int) maxBodySize.toBytes();
  }
}
