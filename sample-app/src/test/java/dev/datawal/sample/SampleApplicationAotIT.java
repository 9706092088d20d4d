package dev.datawal.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.DataWal;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sample app's executable jar run in AOT mode on the JVM, as {@code java
 * -Dspring.aot.enabled=true -jar} runs it: from the bean definitions that the build's {@code
 * process-aot} generated instead of the auto-configuration's conditions, it serves the key/value
 * API and Actuator, and closes its store when stopped.
 *
 * <p>An integration test (Failsafe, {@code integration-test} phase): it needs the jar that {@code
 * package} builds, with the AOT-processed classes in it. The app runs in a JVM of its own, on a
 * free port it picks, with its stores in a temporary directory.
 */
class SampleApplicationAotIT {
  /** The generated entry point of the AOT-processed application context. */
  private static final String INITIALIZER =
      "BOOT-INF/classes/dev/datawal/sample/SampleApplication__ApplicationContextInitializer.class";

  /** Where {@code process-aot} puts the reachability metadata of a native image. */
  private static final String METADATA =
      "META-INF/native-image/dev.datawal/sample-app/reachability-metadata.json";

  private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

  /** How long the app may take to start or stop on a busy machine before the test gives up. */
  private static final Duration PATIENCE = Duration.ofMinutes(3);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void theAotProcessedJarServesTheKeyValueApiAndClosesItsStoreWhenStopped() throws Exception {
    Path jar = Path.of(System.getProperty("sample.jar", "sample.jar property not set"));
    try (JarFile contents = new JarFile(jar.toFile())) {
      assertThat(contents.getEntry(INITIALIZER)).as(INITIALIZER + " in " + jar).isNotNull();
    }
    Path kv = dir.resolve("kv");
    Path log = dir.resolve("app.log");
    Process app =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dspring.aot.enabled=true",
                    "-jar",
                    jar.toString(),
                    "--server.port=0",
                    "--datawal.dir=" + kv,
                    "--sample.events-dir=" + dir.resolve("events")))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      String port = awaitLogLine(app, log, PORT).group(1);
      assertThat(Files.readString(log)).contains("Starting AOT-processed SampleApplication");

      HttpResponse<String> put =
          send(port, HttpRequest.newBuilder().PUT(BodyPublishers.ofString("hello")), "/kv/aot");
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      HttpResponse<String> get = send(port, HttpRequest.newBuilder(), "/kv/aot");
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body()).isEqualTo("hello");

      HttpResponse<String> health = send(port, HttpRequest.newBuilder(), "/actuator/health");
      assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
      JsonNode status = JSON.readTree(health.body());
      assertThat(status.path("status").asString()).as(health.body()).isEqualTo("UP");
      assertThat(status.path("components").path("datawal").path("status").asString())
          .as(health.body())
          .isEqualTo("UP");
      HttpResponse<String> store = send(port, HttpRequest.newBuilder(), "/actuator/datawal");
      assertThat(store.statusCode()).as(store.body()).isEqualTo(200);
      JsonNode described = JSON.readTree(store.body());
      assertThat(described.path("mode").asString()).as(store.body()).isEqualTo("kv");
      assertThat(described.path("dir").asString()).as(store.body()).isEqualTo(kv.toString());
    } finally {
      app.destroy(); // SIGTERM: Spring's shutdown hook closes the context, and with it the store
      if (!app.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
        app.destroyForcibly().waitFor();
      }
    }
    // A clean close writes the key-directory snapshot, which the next open then reads: so the
    // generated bean definitions kept the store's destroy method, and the write is on disk.
    try (DataWal reopened = DataWal.open(kv)) {
      assertThat(reopened.recoveryReport().snapshotUsed())
          .as("the store was closed cleanly; the app's output:%n%s", Files.readString(log))
          .isTrue();
      assertThat(reopened.get(utf8("aot")))
          .hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("hello")));
    }
  }

  /**
   * The metadata the build generates for a GraalVM native image carries the starter's hints (the
   * engine's reflection) besides Spring's and Boot's, for instance those of the datawal endpoint's
   * answers.
   */
  @Test
  void theJarsNativeImageMetadataHasTheStartersHints() throws Exception {
    Path jar = Path.of(System.getProperty("sample.jar", "sample.jar property not set"));
    JsonNode metadata;
    try (JarFile contents = new JarFile(jar.toFile())) {
      JarEntry entry = contents.getJarEntry(METADATA);
      assertThat(entry).as(METADATA + " in " + jar).isNotNull();
      try (InputStream in = contents.getInputStream(entry)) {
        metadata = JSON.readTree(in);
      }
    }
    List<String> types = new ArrayList<>();
    for (JsonNode hint : metadata.path("reflection")) {
      JsonNode type = hint.path("type");
      if (type.isString()) { // a JDK proxy's type is an object of its interfaces
        types.add(type.stringValue());
      }
    }
    assertThat(types)
        .contains(
            "sun.misc.Unsafe",
            "dev.datawal.internal.io.ReaderGate",
            "dev.datawal.spring.actuate.endpoint.DatawalEndpoint$StoreDescriptor");
  }

  private HttpResponse<String> send(String port, HttpRequest.Builder request, String path)
      throws IOException, InterruptedException {
    return http.send(
        request.uri(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Waits for {@code line} in the app's output; fails with the output if the app exits first. */
  private static Matcher awaitLogLine(Process app, Path log, Pattern line)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (true) {
      String output = Files.readString(log);
      Matcher found = line.matcher(output);
      if (found.find()) {
        return found;
      }
      assertThat(app.isAlive()).as("the app exited before logging %s:%n%s", line, output).isTrue();
      assertThat(System.nanoTime())
          .as("no %s after %s; the app's output:%n%s", line, PATIENCE, output)
          .isLessThan(deadline);
      Thread.sleep(200); // the poll interval of the app's log
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
