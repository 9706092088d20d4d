package dev.datawal.sample.order;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.datawal.spring.transaction.DatawalTemplate;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** Places and finds orders. */
@Service
public class Orders {
  static final int MAX_QUANTITY = 1000;

  private final DatawalTemplate datawal;
  private final JsonMapper json;
  private final ApplicationEventPublisher events;
  private final Clock clock;

  Orders(DatawalTemplate datawal, JsonMapper json, ApplicationEventPublisher events) {
    this.datawal = datawal;
    this.json = json;
    this.events = events;
    this.clock = Clock.systemUTC();
  }

  /**
   * Writes a new order and publishes {@link OrderPlaced}, in one datawal transaction: the order and
   * the event's publication are committed as one atomic record group, or, if anything here throws,
   * neither is written.
   *
   * @param item what is ordered, not blank
   * @param quantity how many, 1 to 1000
   * @return the order
   * @throws IllegalArgumentException if the item or quantity is not acceptable
   */
  @Transactional
  public Order place(String item, int quantity) {
    if (item.isBlank()) {
      throw new IllegalArgumentException("item must not be blank");
    }
    if (quantity < 1 || quantity > MAX_QUANTITY) {
      throw new IllegalArgumentException(
          "quantity must be 1 to " + MAX_QUANTITY + ", was " + quantity);
    }
    Order order = new Order(UUID.randomUUID().toString(), item, quantity, clock.instant());
    datawal.put(key(order.id()), json.writeValueAsBytes(order));
    events.publishEvent(new OrderPlaced(order.id(), item, quantity));
    return order;
  }

  /**
   * {@return the order with {@code id}, if there is one}
   *
   * @param id the order's id
   */
  public Optional<Order> find(String id) {
    return datawal.get(key(id)).map(bytes -> json.readValue(bytes, Order.class));
  }

  private static byte[] key(String id) {
    return ("orders/" + id).getBytes(UTF_8);
  }
}
