package dev.datawal.sample.shipping;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.datawal.sample.order.OrderPlaced;
import dev.datawal.spring.transaction.DatawalTemplate;
import java.time.Clock;
import java.util.Optional;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Prepares a shipment for every placed order, and finds it.
 *
 * <p>{@link #on(OrderPlaced)} is an {@code @ApplicationModuleListener}: Spring Modulith calls it on
 * another thread after the order's transaction committed, in a new datawal transaction of its own,
 * and marks the event's publication completed when it returns. If the process dies first, or the
 * listener throws, the publication stays incomplete in the store, and Modulith calls the listener
 * again (at the next start with {@code
 * spring.modulith.events.republish-outstanding-events-on-restart}, or when resubmitted). Writing
 * the shipment under the order's id makes a repeated call harmless.
 */
@Service
public class Shipping {
  private final DatawalTemplate datawal;
  private final JsonMapper json;
  private final Clock clock = Clock.systemUTC();

  Shipping(DatawalTemplate datawal, JsonMapper json) {
    this.datawal = datawal;
    this.json = json;
  }

  @ApplicationModuleListener
  void on(OrderPlaced event) {
    if (datawal.containsKey(key(event.orderId()))) {
      return; // prepared before a crash that came before the publication was marked completed
    }
    Shipment shipment =
        new Shipment(event.orderId(), event.item(), event.quantity(), clock.instant());
    datawal.put(key(event.orderId()), json.writeValueAsBytes(shipment));
  }

  /**
   * {@return the shipment for {@code orderId}, once the listener has prepared it}
   *
   * @param orderId the order's id
   */
  public Optional<Shipment> find(String orderId) {
    return datawal.get(key(orderId)).map(bytes -> json.readValue(bytes, Shipment.class));
  }

  private static byte[] key(String orderId) {
    return ("shipments/" + orderId).getBytes(UTF_8);
  }
}
