package dev.datawal.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datawal.RecordLog;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/** The sample's own {@code sample.*} settings: defaults and the bounds each is held to. */
class SamplePropertiesTests {
  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(SampleProperties.class)
  static class Bound {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ConfigurationPropertiesAutoConfiguration.class))
          .withUserConfiguration(Bound.class);

  @Test
  void bodiesAreLimitedTo1MiBByDefaultAndTheLimitBinds() {
    runner.run(
        context ->
            assertThat(context.getBean(SampleProperties.class).maxBodyBytes()).isEqualTo(1 << 20));
    runner
        .withPropertyValues("sample.max-body-size=64KB")
        .run(
            context ->
                assertThat(context.getBean(SampleProperties.class).maxBodyBytes())
                    .isEqualTo(64 << 10));
  }

  @Test
  void theBodyLimitIsNeverAboveWhatTheEngineStores() {
    assertThat(
            new SampleProperties(Path.of("e"), 1024, DataSize.ofBytes(RecordLog.MAX_PAYLOAD_LEN))
                .maxBodyBytes())
        .isEqualTo(RecordLog.MAX_PAYLOAD_LEN);
    assertThatThrownBy(
            () ->
                new SampleProperties(
                    Path.of("e"), 1024, DataSize.ofBytes(RecordLog.MAX_PAYLOAD_LEN + 1L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sample.max-body-size must be between 1 byte and")
        .hasMessageContaining("RecordLog.MAX_PAYLOAD_LEN");
    assertThatThrownBy(() -> new SampleProperties(Path.of("e"), 1024, DataSize.ofBytes(0)))
        .hasMessageContaining("not 0 bytes");
    runner
        .withPropertyValues("sample.max-body-size=1GB")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("sample.max-body-size must be between"));
  }
}
