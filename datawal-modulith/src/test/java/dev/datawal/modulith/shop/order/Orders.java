package dev.datawal.modulith.shop.order;

import dev.datawal.spring.transaction.DatawalTemplate;
import java.nio.charset.StandardCharsets;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Places orders: writes the order and publishes {@link OrderPlaced} in one transaction. */
@Service
public class Orders {
  private final DatawalTemplate datawal;
  private final ApplicationEventPublisher events;

  Orders(DatawalTemplate datawal, ApplicationEventPublisher events) {
    this.datawal = datawal;
    this.events = events;
  }

  /** Places order {@code orderId}. */
  @Transactional
  public void place(String orderId) {
    datawal.put(key(orderId), "placed".getBytes(StandardCharsets.UTF_8));
    events.publishEvent(new OrderPlaced(orderId));
  }

  /** {@return whether order {@code orderId} was stored} */
  public boolean exists(String orderId) {
    return datawal.containsKey(key(orderId));
  }

  private static byte[] key(String orderId) {
    return ("order/" + orderId).getBytes(StandardCharsets.UTF_8);
  }
}
