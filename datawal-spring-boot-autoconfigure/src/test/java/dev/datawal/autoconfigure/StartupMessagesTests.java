package dev.datawal.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.datawal.DataWal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * What the starter says about its configuration: where the store is and how durable, at open and at
 * close; properties it does not know; a store directory that names none.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupMessagesTests {
  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return StarterContexts.runner(dir);
  }

  @Test
  void theOpenAndTheCloseNameTheAbsolutePathAndTheFsyncPolicy(CapturedOutput output) {
    runner()
        .withPropertyValues("datawal.fsync.policy=interval", "datawal.fsync.interval=25ms")
        .run(
            context -> {
              context.getBean(DataWal.class).put(bytes("k"), bytes("v"));
              assertThat(output)
                  .contains(
                      "datawal: opened kv store "
                          + dir.toAbsolutePath()
                          + " (fsync policy INTERVAL every 25 ms) in ")
                  .doesNotContain("datawal: closed");
            });
    assertThat(output)
        .contains(
            "datawal: closed kv store "
                + dir.toAbsolutePath()
                + " (fsync policy INTERVAL every 25 ms): every write up to txid 1 is durable,"
                + " lock released");
  }

  @Test
  void aRelativeDirIsShownResolvedAgainstTheWorkingDirectory(CapturedOutput output) {
    assertThat(StoreOpener.where(Path.of("relative", "store"), null))
        .isEqualTo(Path.of("relative", "store").toAbsolutePath() + " (read-only, no writer)");
    runner()
        .withPropertyValues("datawal.store=log")
        .run(context -> assertThat(context).hasNotFailed());
    assertThat(output)
        .contains("datawal: opened log " + dir.toAbsolutePath() + " (fsync policy ALWAYS) in ")
        .contains("datawal: closed log " + dir.toAbsolutePath() + " (fsync policy ALWAYS): ");
  }

  @Test
  void anUnknownPropertyIsWarnedAboutWithTheClosestKnownOne(CapturedOutput output) {
    runner()
        .withPropertyValues("datawal.fsync-polcy=manual", "datawal.segment.max-size=1MB")
        .run(context -> assertThat(context).hasNotFailed());
    assertThat(output)
        .contains(
            "datawal: ignoring unknown property 'datawal.fsync-polcy': no module on the classpath"
                + " declares it (did you mean 'datawal.fsync.policy'?)")
        .doesNotContain("'datawal.segment.max-size'");
  }

  @Test
  void aPropertyFarFromAnyKnownOneIsWarnedAboutWithoutAGuess(CapturedOutput output) {
    runner()
        .withPropertyValues("datawal.kafka.topic=events")
        .run(context -> assertThat(context).hasNotFailed());
    assertThat(output)
        .contains(
            "datawal: ignoring unknown property 'datawal.kafka.topic': no module on the classpath"
                + " declares it;");
  }

  @Test
  void relaxedSpellingsAreKnownAndOnlyAMisspeltEnvironmentVariableIsWarnedAbout() {
    StandardEnvironment environment = new StandardEnvironment();
    environment
        .getPropertySources()
        .replace(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                Map.of(
                    "DATAWAL_FSYNC_POLICY", "manual",
                    "DATAWAL_SEGMENT_MAXSIZE", "1MB",
                    "DATAWAL_FSYNCPOLCY", "manual",
                    // other tools' variables, near no property: not the application's business
                    "DATAWAL_CLI_JAR", "/opt/datawal/lib/datawal-cli.jar",
                    "DATAWAL_REPLAY_DIR", "/dev/shm/replay")));
    environment
        .getPropertySources()
        .addFirst(
            new MapPropertySource(
                "application",
                Map.of("datawal.lock.wait", "1s", "datawal.retention.maxAge", "1d")));
    assertThat(UnknownProperties.warnAbout(environment, getClass().getClassLoader()))
        .containsExactly("datawal.fsyncpolcy");
  }

  @Test
  void noPropertyTheMetadataDeclaresIsWarnedAbout() throws IOException {
    List<String> declared;
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      declared = JsonPath.read(in, "$.properties[*].name");
    }
    Map<String, Object> values = new HashMap<>();
    declared.stream().filter(name -> name.startsWith("datawal.")).forEach(n -> values.put(n, "x"));
    assertThat(values).hasSizeGreaterThanOrEqualTo(19);
    StandardEnvironment environment = new StandardEnvironment();
    environment
        .getPropertySources()
        .remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    environment
        .getPropertySources()
        .remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
    environment.getPropertySources().addFirst(new MapPropertySource("application", values));
    assertThat(UnknownProperties.warnAbout(environment, getClass().getClassLoader())).isEmpty();
  }

  @Test
  void anEmptyOrBlankDirFailsStartupNamingTheProperty() {
    for (String value : new String[] {"datawal.dir=", "datawal.dir=   "}) {
      new ApplicationContextRunner()
          .withConfiguration(StarterContexts.configurations())
          .withPropertyValues(value)
          .run(
              context -> {
                assertThat(context).as(value).hasFailed();
                assertThat(context.getStartupFailure())
                    .as(value)
                    .rootCause()
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining("datawal.dir")
                    .hasMessageContaining("must name a directory");
              });
    }
    assertThat(Path.of("datawal")).as("no store at the default ./datawal").doesNotExist();
    assertThat(Path.of("datawal.manifest")).as("no store in the working directory").doesNotExist();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
