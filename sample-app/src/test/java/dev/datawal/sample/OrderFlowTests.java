package dev.datawal.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.datawal.DataWal;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sample's order flow over HTTP: an order placed in a transaction publishes {@code
 * OrderPlaced}, the shipping module's listener prepares its shipment, and the publication is
 * completed in the registry on the datawal store.
 */
@SampleAppTest
class OrderFlowTests extends SampleHttp {
  private static final JsonMapper JSON = JsonMapper.shared();

  @Autowired DataWal dataWal;

  private HttpResponse<String> placeOrder(String body) throws Exception {
    return send(
        request("/orders")
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(body)));
  }

  private JsonNode get(String path) throws Exception {
    return JSON.readTree(send(request(path).GET()).body());
  }

  @Test
  void aPlacedOrderGetsItsShipmentAndThePublicationCompletes() throws Exception {
    HttpResponse<String> placed = placeOrder("{\"item\":\"book\",\"quantity\":2}");

    assertThat(placed.statusCode()).isEqualTo(201);
    String id = JSON.readTree(placed.body()).path("id").asString();
    assertThat(placed.headers().firstValue("Location")).contains("/orders/" + id);
    assertThat(get("/orders/" + id).path("item").asString()).isEqualTo("book");

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              HttpResponse<String> shipment = send(request("/shipments/" + id).GET());
              assertThat(shipment.statusCode()).isEqualTo(200);
              assertThat(JSON.readTree(shipment.body()).path("quantity").asInt()).isEqualTo(2);
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(get("/actuator/datawalpublications").toString())
                    .contains("\"completed\":1"));
  }

  @Test
  void aRefusedOrderWritesNothingAndPublishesNothing() throws Exception {
    long before = dataWal.log().lastTxid();
    long created =
        get("/actuator/datawalpublications").path("sinceStart").path("created").asLong(-1);

    HttpResponse<String> refused = placeOrder("{\"item\":\"book\",\"quantity\":0}");

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(JSON.readTree(refused.body()).path("detail").asString())
        .isEqualTo("quantity must be 1 to 1000, was 0");
    assertThat(dataWal.log().lastTxid()).isEqualTo(before);
    assertThat(get("/actuator/datawalpublications").path("sinceStart").path("created").asLong())
        .isEqualTo(created)
        .isNotNegative();
  }

  @Test
  void prometheusShowsThePublicationMetrics() throws Exception {
    String metrics = send(request("/actuator/prometheus").GET()).body();

    assertThat(metrics)
        .contains("datawal_modulith_publications{status=\"published\"}")
        .contains("datawal_modulith_publications_registered_total")
        .contains("datawal_modulith_publications_completed_total")
        .contains("datawal_modulith_publications_oldest_age_seconds{kind=\"incomplete\"}");
  }

  @Test
  void anUnknownOrderOrShipmentIs404() throws Exception {
    assertThat(send(request("/orders/nope").GET()).statusCode()).isEqualTo(404);
    assertThat(send(request("/shipments/nope").GET()).statusCode()).isEqualTo(404);
  }
}
