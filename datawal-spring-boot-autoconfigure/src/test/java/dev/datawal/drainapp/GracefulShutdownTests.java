package dev.datawal.drainapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.datawal.DataWal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Shutting the application down while a request is still writing: the web server drains the request
 * first, so its write succeeds and is durable, and only then is the store closed.
 */
class GracefulShutdownTests {
  static final CountDownLatch entered = new CountDownLatch(1);

  @TempDir Path dir;

  @SpringBootApplication
  @RestController
  static class DrainApp {
    private final DataWal store;
    private final ApplicationContext context;

    DrainApp(DataWal store, ApplicationContext context) {
      this.store = store;
      this.context = context;
    }

    @PutMapping("/slow/{key}")
    String slowPut(@PathVariable String key) {
      entered.countDown();
      // The write waits until the shutdown has begun draining the web server, which waits for it.
      WebServerGracefulShutdownLifecycle drain =
          context.getBean(WebServerGracefulShutdownLifecycle.class);
      await().atMost(Duration.ofSeconds(20)).until(() -> !drain.isRunning());
      store.put(key.getBytes(UTF_8), "written during shutdown".getBytes(UTF_8));
      return "stored";
    }
  }

  @Test
  void aRequestInFlightAtShutdownCompletesAndItsWriteSurvives() throws Exception {
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(DrainApp.class)
            .properties(
                "server.port=0",
                "server.shutdown=graceful",
                "spring.lifecycle.timeout-per-shutdown-phase=20s",
                "datawal.dir=" + dir)
            .run();
    DataWal store = context.getBean(DataWal.class);
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    CompletableFuture<HttpResponse<String>> response =
        HttpClient.newHttpClient()
            .sendAsync(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/slow/late"))
                    .PUT(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();

    context.close(); // returns once the request is drained and the store closed

    HttpResponse<String> done = response.get(20, TimeUnit.SECONDS);
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).isEqualTo("stored");
    assertThat(store.log().isClosed()).isTrue();
    try (DataWal reopened = DataWal.open(dir)) {
      assertThat(reopened.get("late".getBytes(UTF_8)))
          .hasValue("written during shutdown".getBytes(UTF_8));
    }
  }
}
