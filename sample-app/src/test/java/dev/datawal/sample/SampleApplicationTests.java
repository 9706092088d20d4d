package dev.datawal.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The sample app over real HTTP: events are appended durably and read back. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class SampleApplicationTests {
  @TempDir static Path storeDir;

  @DynamicPropertySource
  static void store(DynamicPropertyRegistry registry) {
    registry.add("datawal.dir", () -> storeDir.resolve("events").toString());
  }

  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
  }

  @Test
  void appendedEventsAreReadBackInOrder() throws Exception {
    HttpResponse<String> first =
        send(request("/events").POST(HttpRequest.BodyPublishers.ofString("order placed")));
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(first.body()).contains("\"payload\":\"order placed\"");
    send(request("/events").POST(HttpRequest.BodyPublishers.ofString("order shipped")));

    HttpResponse<String> all = send(request("/events?fromTxid=1"));
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(all.body()).containsSubsequence("order placed", "order shipped");
    assertThat(send(request("/events?fromTxid=2")).body())
        .doesNotContain("order placed")
        .contains("order shipped");
    assertThat(storeDir.resolve("events").resolve("00000001.dwal")).isNotEmptyFile();
  }

  @Test
  void badQueriesGetA400WithAMessage() throws Exception {
    HttpResponse<String> response = send(request("/events?limit=0"));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("limit between 1 and 1000");
  }

  @Test
  void theRecoveryReportAndHealthAreServed() throws Exception {
    assertThat(send(request("/events/recovery")).body()).contains("\"recordsReplayed\"");
    assertThat(send(request("/actuator/health")).body()).contains("UP");
  }
}
