package dev.datawal.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.datawal.DatawalOptions;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.util.unit.DataSize;

/** The starter's defaults are the engine's, in the properties and in the IDE metadata. */
class DatawalPropertiesTests {
  @Test
  void defaultPropertiesGiveTheEnginesDefaultOptions() {
    assertThat(OptionsFromProperties.options(new DatawalProperties()))
        .isEqualTo(DatawalOptions.defaults());
  }

  @Test
  void documentedDefaultsInTheMetadataAreTheEnginesDefaults() throws IOException {
    Map<String, Object> defaults = metadataDefaults();
    var conversion = ApplicationConversionService.getSharedInstance();
    DatawalOptions engine = DatawalOptions.defaults();
    assertThat(conversion.convert(defaults.get("datawal.segment.max-size"), DataSize.class))
        .isEqualTo(DataSize.ofBytes(engine.maxSegmentSize()));
    assertThat(defaults.get("datawal.fsync.policy").toString())
        .isEqualToIgnoringCase(engine.fsyncPolicy().name());
    assertThat(conversion.convert(defaults.get("datawal.fsync.interval"), java.time.Duration.class))
        .isEqualTo(engine.fsyncInterval());
    assertThat(defaults.get("datawal.max-read-handles")).isEqualTo(engine.maxReadHandles());
    assertThat(defaults.get("datawal.verify.after-open")).isEqualTo(engine.verifyAfterOpen());
    assertThat(defaults.get("datawal.verify.interval")).isNull();
    assertThat(engine.verifyInterval()).isNull();
    assertThat(defaults).containsKey("datawal.verify.interval");
    assertThat(defaults.get("datawal.lock.wait")).isEqualTo(0);
    assertThat(defaults.get("datawal.store")).isEqualTo("kv");
  }

  @Test
  void verifyDefaultsAreTheEngines() {
    DatawalProperties.Verify verify = new DatawalProperties().getVerify();
    assertThat(verify.isAfterOpen()).isEqualTo(DatawalOptions.DEFAULT_VERIFY_AFTER_OPEN);
    assertThat(verify.getInterval()).isEqualTo(DatawalOptions.defaults().verifyInterval());
  }

  @Test
  void everyPropertyIsDocumented() throws IOException {
    List<Map<String, Object>> properties = metadata("$.properties[*]");
    assertThat(properties).hasSizeGreaterThanOrEqualTo(19);
    for (Map<String, Object> property : properties) {
      assertThat((String) property.get("description"))
          .as("description of %s", property.get("name"))
          .isNotBlank();
    }
  }

  private static Map<String, Object> metadataDefaults() throws IOException {
    Map<String, Object> defaults = new java.util.HashMap<>();
    for (Map<String, Object> property :
        DatawalPropertiesTests.<Map<String, Object>>metadata("$.properties[*]")) {
      defaults.put((String) property.get("name"), property.get("defaultValue"));
    }
    return defaults;
  }

  private static <T> List<T> metadata(String path) throws IOException {
    try (InputStream in =
        DatawalPropertiesTests.class.getResourceAsStream(
            "/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("generated configuration metadata").isNotNull();
      return JsonPath.read(in, path);
    }
  }
}
