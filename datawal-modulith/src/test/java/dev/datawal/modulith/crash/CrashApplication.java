package dev.datawal.modulith.crash;

import dev.datawal.spring.transaction.DatawalTemplate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.modulith.events.EventPublication.Status;
import org.springframework.modulith.events.core.EventPublicationRepository;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The child process of {@link dev.datawal.modulith.ListenerCrashTests}. Run as {@code publish}, it
 * places an order (the order's key and the publication in one transaction) and its listener, after
 * writing {@code listener-started} in {@code crash.markers}, blocks until the test kills the
 * process. Run as {@code recover} (with republishing on restart), it waits until the publication
 * completed and prints one {@code RESULT} line: orders and listener runs in the store, and the
 * registry's incomplete and completed counts.
 */
@SpringBootApplication
public class CrashApplication {
  /** How long either mode waits for what it expects before it gives up (exit code 3). */
  private static final long WAIT_MILLIS = 60_000;

  public static void main(String[] args) throws InterruptedException {
    ConfigurableApplicationContext context = SpringApplication.run(CrashApplication.class, args);
    String mode = context.getEnvironment().getRequiredProperty("crash.mode");
    DatawalTemplate datawal = context.getBean(DatawalTemplate.class);
    EventPublicationRepository registry = context.getBean(EventPublicationRepository.class);
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    if (mode.equals("publish")) {
      context.getBean(Orders.class).place("1");
      while (System.currentTimeMillis() < deadline) {
        Thread.sleep(100); // the test kills this process while the listener blocks
      }
      System.out.println("RESULT not killed");
      System.exit(3);
    }
    while (System.currentTimeMillis() < deadline
        && !(registry.findIncompletePublications().isEmpty()
            && registry.countByStatus(Status.COMPLETED) == 1)) {
      Thread.sleep(50);
    }
    System.out.println(
        "RESULT orders="
            + count(datawal, "order/")
            + " handled="
            + count(datawal, "handled/")
            + " incomplete="
            + registry.findIncompletePublications().size()
            + " completed="
            + registry.countByStatus(Status.COMPLETED));
    System.exit(SpringApplication.exit(context));
  }

  private static long count(DatawalTemplate datawal, String prefix) {
    return datawal.dataWal().keys().stream()
        .filter(k -> new String(k, StandardCharsets.UTF_8).startsWith(prefix))
        .count();
  }

  /**
   * An order was placed.
   *
   * @param orderId the order
   */
  public record OrderPlaced(String orderId) {}

  /** Places orders. */
  @Component
  public static class Orders {
    private final DatawalTemplate datawal;
    private final ApplicationEventPublisher events;

    Orders(DatawalTemplate datawal, ApplicationEventPublisher events) {
      this.datawal = datawal;
      this.events = events;
    }

    @Transactional
    public void place(String orderId) {
      datawal.put(("order/" + orderId).getBytes(StandardCharsets.UTF_8), new byte[] {1});
      events.publishEvent(new OrderPlaced(orderId));
    }
  }

  /** Handles placed orders: records each run, or, told to block, signals and blocks. */
  @Component
  static class Listener {
    private final DatawalTemplate datawal;
    private final boolean block;
    private final Path markers;

    Listener(
        DatawalTemplate datawal,
        @Value("${crash.block:false}") boolean block,
        @Value("${crash.markers}") Path markers) {
      this.datawal = datawal;
      this.block = block;
      this.markers = markers;
    }

    @ApplicationModuleListener
    void on(OrderPlaced event) throws InterruptedException {
      if (block) {
        try {
          Files.writeString(markers.resolve("listener-started"), event.orderId());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        Thread.sleep(WAIT_MILLIS); // killed before this ends
        return;
      }
      datawal.put(
          ("handled/" + event.orderId() + "/" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8),
          new byte[] {1});
    }
  }
}
