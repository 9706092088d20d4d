package dev.datawal.testapp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.datawal.DataWal;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The endpoint, health indicator and metrics of a store over real HTTP. The store starts with a
 * torn tail (garbage appended to its last segment), so recovery cuts it off at startup and the
 * damage shows.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "management.endpoints.web.exposure.include=health,datawal,metrics",
      "management.endpoint.health.show-details=always"
    })
@DirtiesContext // close the store before its temporary directory is deleted
class DatawalActuatorHttpTests {
  /** A frame header cut short: a torn tail of 7 bytes. */
  private static final byte[] TORN = {'D', 'W', 'A', 'L', 1, 0, 0};

  @TempDir static Path dir;

  private static final JsonMapper json = JsonMapper.builder().build();
  private final HttpClient http = HttpClient.newHttpClient();

  @LocalServerPort int port;
  @Autowired DataWal dataWal;

  @BeforeAll
  static void writeAStoreWithATornTail() throws IOException {
    try (DataWal kv = DataWal.open(dir)) {
      kv.put(utf8("before-1"), utf8("v"));
      kv.put(utf8("before-2"), utf8("v"));
    }
    Files.write(dir.resolve("00000001.dwal"), TORN, StandardOpenOption.APPEND);
  }

  @DynamicPropertySource
  static void storeDir(DynamicPropertyRegistry registry) {
    registry.add("datawal.dir", dir::toString);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
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

  @Test
  void datawalEndpointShowsTheStoreAndItsStartupDamage() throws Exception {
    dataWal.put(utf8("k1"), utf8("secret-value"));
    dataWal.put(utf8("k2"), utf8("secret-value"));

    HttpResponse<String> response = get("/actuator/datawal");
    System.out.println("GET /actuator/datawal -> " + response.body());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).doesNotContain("secret-value").doesNotContain("before-1");
    JsonNode body = json.readTree(response.body());
    assertThat(body.get("dir").asString()).isEqualTo(dir.toString());
    assertThat(body.get("mode").asString()).isEqualTo("kv");
    assertThat(body.get("fsync").get("policy").asString()).isEqualTo("ALWAYS");
    assertThat(body.get("maxSegmentSize").asLong()).isPositive();
    assertThat(body.get("segments").get(0).get("id").asLong()).isEqualTo(1);
    assertThat(body.get("diskBytes").asLong()).isPositive();
    assertThat(body.get("liveKeys").asInt()).isEqualTo(dataWal.size()).isGreaterThanOrEqualTo(4);
    assertThat(body.get("garbage").has("ratio")).isTrue();
    assertThat(body.get("nextTxid").asLong()).isEqualTo(dataWal.log().lastTxid() + 1);
    assertThat(body.get("lastFsync").isNull()).isFalse();
    assertThat(body.get("poisoned").asBoolean()).isFalse();
    assertThat(body.get("closed").asBoolean()).isFalse();
    JsonNode recovery = body.get("recovery");
    // The store was closed cleanly before the tail was torn: its two keys come from the
    // key-directory snapshot, and only the torn bytes after it are read.
    assertThat(recovery.get("snapshotUsed").asBoolean()).isTrue();
    assertThat(recovery.get("snapshotKeys").asLong()).isEqualTo(2);
    assertThat(recovery.get("recordsReplayed").asLong()).isZero();
    assertThat(recovery.get("tailTruncated").asInt()).isEqualTo(1);
    assertThat(recovery.get("tailBytesDiscarded").asLong()).isEqualTo(TORN.length);
    assertThat(recovery.get("damageFound").asBoolean()).isTrue();
    assertThat(recovery.get("duration").isNull()).isFalse();
    JsonNode damage = recovery.get("damage").get(0);
    assertThat(damage.get("segment").asLong()).isEqualTo(1);
    assertThat(damage.get("offset").asLong()).isPositive();
    assertThat(damage.get("kind").asString()).isEqualTo("TRUNCATED");
    assertThat(damage.get("bytes").asLong()).isEqualTo(TORN.length);
    assertThat(Path.of(damage.get("keptIn").asString())).exists();
  }

  @Test
  void healthIsUpWithDetailsAndTheStartupDamage() throws Exception {
    HttpResponse<String> response = get("/actuator/health");
    System.out.println("GET /actuator/health -> " + response.body());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode datawal = json.readTree(response.body()).get("components").get("datawal");
    assertThat(datawal.get("status").asString()).isEqualTo("UP");
    JsonNode details = datawal.get("details");
    assertThat(details.get("dir").asString()).isEqualTo(dir.toString());
    assertThat(details.get("mode").asString()).isEqualTo("kv");
    assertThat(details.get("segments").asInt()).isPositive();
    assertThat(details.get("free").asLong()).isGreaterThan(details.get("threshold").asLong());
    assertThat(details.get("startupDamage").asInt()).isEqualTo(1);
    assertThat(details.get("tailBytesDiscarded").asLong()).isEqualTo(TORN.length);
  }

  @Test
  void compactAndFsyncRunOverPost() throws Exception {
    dataWal.put(utf8("k"), utf8("old"));
    dataWal.log().rotate();
    dataWal.put(utf8("k"), utf8("new"));

    HttpResponse<String> compact = post("/actuator/datawal/compact");
    System.out.println("POST /actuator/datawal/compact -> " + compact.body());
    HttpResponse<String> fsync = post("/actuator/datawal/fsync");
    System.out.println("POST /actuator/datawal/fsync -> " + fsync.body());

    assertThat(compact.statusCode()).isEqualTo(200);
    JsonNode compacted = json.readTree(compact.body());
    assertThat(compacted.get("action").asString()).isEqualTo("compact");
    assertThat(compacted.get("outcome").asString()).isEqualTo("RAN");
    assertThat(compacted.get("lastCompaction").get("stats").get("liveKeys").asLong())
        .isEqualTo(dataWal.size());
    assertThat(fsync.statusCode()).isEqualTo(200);
    JsonNode synced = json.readTree(fsync.body());
    assertThat(synced.get("action").asString()).isEqualTo("fsync");
    assertThat(synced.get("at").isNull()).isFalse();
    // What the fsync did: under ALWAYS every write was durable already.
    JsonNode run = synced.get("fsync");
    assertThat(run.get("durableTxid").asLong()).isEqualTo(dataWal.log().lastTxid());
    assertThat(run.get("madeDurable").asLong()).isZero();
    assertThat(run.get("took").asString()).startsWith("PT");
    assertThat(compacted.get("fsync").isNull()).isTrue();
    assertThat(get("/actuator/datawal").body()).contains("\"lastCompaction\":{\"at\":");
  }

  @Test
  void verifyRunsOverPostAndItsReportShows() throws Exception {
    HttpResponse<String> verify = post("/actuator/datawal/verify");
    System.out.println("POST /actuator/datawal/verify -> " + verify.body());

    assertThat(verify.statusCode()).isEqualTo(200);
    JsonNode started = json.readTree(verify.body());
    assertThat(started.get("action").asString()).isEqualTo("verify");
    // RAN within the short wait, else STARTED; SKIPPED_BUSY if the one after open still runs.
    assertThat(started.get("outcome").asString()).isIn("RAN", "STARTED", "SKIPPED_BUSY");
    assertThat(started.get("integrity").get("damaged").asBoolean()).isFalse();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                !json.readTree(get("/actuator/datawal").body())
                    .get("integrity")
                    .get("lastVerification")
                    .isNull());
    JsonNode integrity = json.readTree(get("/actuator/datawal").body()).get("integrity");
    assertThat(integrity.get("damaged").asBoolean()).isFalse();
    assertThat(integrity.get("problems").size()).isZero();
    assertThat(integrity.get("lastVerification").get("problems").asInt()).isZero();
    assertThat(integrity.get("lastVerification").has("bytesChecked")).isTrue();
  }

  @Test
  void unknownActionIsABadRequestThatSaysWhy() throws Exception {
    HttpResponse<String> response = post("/actuator/datawal/vacuum");
    System.out.println("POST /actuator/datawal/vacuum -> " + response.body());

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = json.readTree(response.body());
    assertThat(body.get("action").asString()).isEqualTo("vacuum");
    assertThat(body.get("error").asString()).contains("compact").contains("fsync");
  }

  @Test
  void metricsCountTheStoresWork() throws Exception {
    dataWal.put(utf8("m"), utf8("v"));
    dataWal.get(utf8("m"));

    JsonNode appends = json.readTree(get("/actuator/metrics/datawal.appends").body());
    JsonNode gets = json.readTree(get("/actuator/metrics/datawal.gets?tag=result:hit").body());
    JsonNode disk = json.readTree(get("/actuator/metrics/datawal.disk.bytes").body());

    assertThat(appends.get("measurements").get(0).get("value").asDouble())
        .isGreaterThanOrEqualTo(1);
    assertThat(appends.get("availableTags").get(0).get("tag").asString()).isEqualTo("mode");
    assertThat(gets.get("measurements").get(0).get("value").asDouble()).isGreaterThanOrEqualTo(1);
    assertThat(disk.get("baseUnit").asString()).isEqualTo("bytes");
    assertThat(get("/actuator/metrics/datawal.recovery.discarded.bytes").body())
        .contains("\"value\":" + (double) TORN.length);
  }
}
