package dev.datawal.testapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.datawal.autoconfigure.DamagedStores;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A store with a CRC mismatch in a sealed segment, which the open from the key-directory snapshot
 * does not read: the verification after open finds it, health turns DOWN and the endpoint shows it,
 * over real HTTP.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "management.endpoints.web.exposure.include=health,datawal,metrics",
      "management.endpoint.health.show-details=always"
    })
@DirtiesContext // close the store before its temporary directory is deleted
class DamagedStoreHttpTests {
  @TempDir static Path dir;
  static DamagedStores.Damage damage;

  private static final JsonMapper json = JsonMapper.builder().build();
  private final HttpClient http = HttpClient.newHttpClient();

  @LocalServerPort int port;

  @BeforeAll
  static void writeADamagedStore() throws IOException {
    damage = DamagedStores.crcMismatchInASealedSegment(dir);
  }

  @DynamicPropertySource
  static void storeDir(DynamicPropertyRegistry registry) {
    registry.add("datawal.dir", dir::toString);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode integrity() throws Exception {
    return json.readTree(get("/actuator/datawal").body()).get("integrity");
  }

  private void awaitDamageFound() {
    await().atMost(Duration.ofSeconds(30)).until(() -> integrity().get("damaged").asBoolean());
  }

  @Test
  void theEndpointShowsWhatTheVerificationAfterOpenFound() throws Exception {
    awaitDamageFound();

    HttpResponse<String> response = get("/actuator/datawal");
    System.out.println("GET /actuator/datawal -> " + response.body());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode integrity = json.readTree(response.body()).get("integrity");
    JsonNode problem = integrity.get("problems").get(0);
    assertThat(problem.get("kind").asString()).isEqualTo("CRC_MISMATCH");
    assertThat(problem.get("segment").asLong()).isEqualTo(damage.segment());
    assertThat(problem.get("offset").asLong()).isEqualTo(damage.offset());
    assertThat(problem.get("foundBy").asString()).isEqualTo("VERIFICATION");
    assertThat(problem.get("foundAt").isNull()).isFalse();
    assertThat(problem.get("message").asString()).contains("CRC mismatch");
    JsonNode last = integrity.get("lastVerification");
    assertThat(last.get("problems").asInt()).isEqualTo(1);
    assertThat(last.get("segmentsChecked").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(last.get("framesChecked").asLong()).isPositive();
    assertThat(last.get("bytesChecked").asLong()).isPositive();
    assertThat(last.get("took").isNull()).isFalse();
  }

  @Test
  void healthIsDownNamingTheDamage() throws Exception {
    awaitDamageFound();

    HttpResponse<String> response = get("/actuator/health");
    System.out.println("GET /actuator/health -> " + response.body());

    assertThat(response.statusCode()).isEqualTo(503);
    JsonNode datawal = json.readTree(response.body()).get("components").get("datawal");
    assertThat(datawal.get("status").asString()).isEqualTo("DOWN");
    JsonNode details = datawal.get("details");
    assertThat(details.get("reason").asString())
        .isEqualTo(
            "datawal found damaged or lost data in segment 1: CRC mismatch; the next start"
                + " refuses the store until `datawal repair`");
    assertThat(details.get("integrityProblems").asInt()).isEqualTo(1);
    assertThat(details.get("verificationRunning").isBoolean()).isTrue();
    assertThat(details.get("lastVerification").isNull()).isFalse();
  }

  @Test
  void verifyOverPostFindsTheSameDamageAgain() throws Exception {
    awaitDamageFound();

    HttpResponse<String> response = post("/actuator/datawal/verify");
    System.out.println("POST /actuator/datawal/verify -> " + response.body());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json.readTree(response.body());
    assertThat(body.get("action").asString()).isEqualTo("verify");
    assertThat(body.get("outcome").asString()).isIn("RAN", "STARTED", "SKIPPED_BUSY");
    assertThat(body.get("integrity").get("damaged").asBoolean()).isTrue();
    assertThat(body.get("integrity").get("problems").size()).isEqualTo(1); // known damage once
  }

  @Test
  void theProblemsGaugeCountsTheDamage() throws Exception {
    awaitDamageFound();

    JsonNode problems = json.readTree(get("/actuator/metrics/datawal.integrity.problems").body());

    assertThat(problems.get("measurements").get(0).get("value").asDouble()).isEqualTo(1);
  }
}
