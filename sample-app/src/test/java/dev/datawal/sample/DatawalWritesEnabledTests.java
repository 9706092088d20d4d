package dev.datawal.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The datawal endpoint's write operations, once allowed as the sample's settings document ({@code
 * management.endpoint.datawal.access=unrestricted}).
 */
@SampleAppTest
@TestPropertySource(properties = "management.endpoint.datawal.access=unrestricted")
class DatawalWritesEnabledTests extends SampleHttp {

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> post(String path, String contentType) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .POST(BodyPublishers.noBody());
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void fsyncRunsOverPostAndSaysWhatItMadeDurable() throws Exception {
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/kv/k"))
                .PUT(BodyPublishers.ofString("v"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    long txid = JsonMapper.shared().readTree(put.body()).path("txid").asLong();

    HttpResponse<String> fsync = post("/actuator/datawal/fsync", null);

    assertThat(fsync.statusCode()).isEqualTo(200);
    JsonNode run = JsonMapper.shared().readTree(fsync.body()).path("fsync");
    assertThat(run.path("durableTxid").asLong()).isEqualTo(txid);
    assertThat(run.path("madeDurable").asLong()).isZero(); // the PUT was durable already
    assertThat(run.path("took").asString()).startsWith("PT");
  }

  @Test
  void aWriteOperationWithABodyItCannotReadIs415Problem() throws Exception {
    HttpResponse<String> response = post("/actuator/datawal/compact", "text/plain");

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
    JsonNode problem = JsonMapper.shared().readTree(response.body());
    assertThat(problem.path("type").asString()).isEqualTo("about:blank");
    assertThat(problem.path("title").asString()).isEqualTo("Unsupported Media Type");
    assertThat(problem.path("status").asInt()).isEqualTo(415);
    assertThat(problem.path("detail").asString())
        .startsWith("Content-Type 'text/plain")
        .endsWith("' is not supported.");
    assertThat(problem.path("instance").asString()).isEqualTo("/actuator/datawal/compact");
  }
}
