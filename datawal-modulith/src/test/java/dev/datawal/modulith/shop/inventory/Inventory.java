package dev.datawal.modulith.shop.inventory;

import dev.datawal.modulith.shop.order.OrderPlaced;
import dev.datawal.spring.transaction.DatawalTemplate;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/** Reserves stock for placed orders; fails as many times as told to, to test resubmission. */
@Component
public class Inventory {
  private final DatawalTemplate datawal;
  private final AtomicInteger failuresToCome = new AtomicInteger();

  Inventory(DatawalTemplate datawal) {
    this.datawal = datawal;
  }

  @ApplicationModuleListener
  void on(OrderPlaced event) {
    if (failuresToCome.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IllegalStateException("inventory is unavailable (test failure)");
    }
    datawal.put(key(event.orderId()), "reserved".getBytes(StandardCharsets.UTF_8));
  }

  /** Makes the next {@code count} deliveries fail. */
  public void failNext(int count) {
    failuresToCome.set(count);
  }

  /** {@return whether stock was reserved for order {@code orderId}} */
  public boolean reserved(String orderId) {
    return datawal.containsKey(key(orderId));
  }

  private static byte[] key(String orderId) {
    return ("reservation/" + orderId).getBytes(StandardCharsets.UTF_8);
  }
}
