package dev.datawal.modulith.shop.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datawal.modulith.DatawalEventPublicationRepository;
import dev.datawal.modulith.shop.order.OrderPlaced;
import dev.datawal.modulith.shop.order.Orders;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.events.EventPublication.Status;
import org.springframework.modulith.events.FailedEventPublications;
import org.springframework.modulith.events.IncompleteEventPublications;
import org.springframework.modulith.events.ResubmissionOptions;
import org.springframework.modulith.events.core.EventPublicationRepository;
import org.springframework.modulith.events.core.TargetEventPublication;
import org.springframework.modulith.test.ApplicationModuleTest;
import org.springframework.modulith.test.ApplicationModuleTest.BootstrapMode;
import org.springframework.modulith.test.AssertablePublishedEvents;
import org.springframework.modulith.test.Scenario;
import org.springframework.test.context.TestPropertySource;

/**
 * End to end with Spring Modulith's own test support: the inventory module and the order module it
 * depends on, with datawal as the only store and no configuration but its directory. A
 * {@code @Transactional} order service writes through {@code DatawalTemplate} and publishes an
 * event; the inventory's {@code @ApplicationModuleListener} handles it and the publication, stored
 * in datawal, completes; a failing listener leaves it failed, and resubmission completes it.
 */
@ApplicationModuleTest(mode = BootstrapMode.DIRECT_DEPENDENCIES, extraIncludes = "order")
@TestPropertySource(properties = "datawal.dir=target/test-stores/inventory-module-${random.uuid}")
class InventoryModuleTests {
  private final Orders orders;
  private final Inventory inventory;
  private final EventPublicationRepository repository;
  private final FailedEventPublications failed;
  private final IncompleteEventPublications incomplete;

  InventoryModuleTests(
      Orders orders,
      Inventory inventory,
      EventPublicationRepository repository,
      FailedEventPublications failed,
      IncompleteEventPublications incomplete) {
    this.orders = orders;
    this.inventory = inventory;
    this.repository = repository;
    this.failed = failed;
    this.incomplete = incomplete;
  }

  @Test
  void theRegistryIsStoredInDatawal() {
    assertThat(repository).isInstanceOf(DatawalEventPublicationRepository.class);
  }

  @Test
  void aPlacedOrderIsReservedAndItsPublicationCompletes(
      Scenario scenario, AssertablePublishedEvents events) {
    scenario
        .stimulate(() -> orders.place("42"))
        .andWaitForStateChange(() -> publicationOf("42"), p -> p != null && p.isCompleted())
        .andVerify(
            publication -> {
              assertThat(publication.getStatus()).isEqualTo(Status.COMPLETED);
              assertThat(orders.exists("42")).isTrue();
              assertThat(inventory.reserved("42")).isTrue();
            });
    assertThat(events).contains(OrderPlaced.class).matching(OrderPlaced::orderId, "42");
  }

  @Test
  void aFailedPublicationIsCompletedByResubmission(Scenario scenario) {
    inventory.failNext(1);
    scenario
        .stimulate(() -> orders.place("43"))
        .andWaitForStateChange(
            () -> publicationOf("43"), p -> p != null && p.getStatus() == Status.FAILED)
        .andVerify(publication -> assertThat(inventory.reserved("43")).isFalse());

    scenario
        .stimulate(() -> failed.resubmit(ResubmissionOptions.defaults()))
        .andWaitForStateChange(() -> publicationOf("43"), p -> p != null && p.isCompleted())
        .andVerify(
            publication -> {
              assertThat(publication.getCompletionAttempts()).isEqualTo(2);
              assertThat(inventory.reserved("43")).isTrue();
            });
  }

  @Test
  void anIncompletePublicationIsCompletedByResubmittingIncompleteOnes(Scenario scenario) {
    inventory.failNext(1);
    scenario
        .stimulate(() -> orders.place("44"))
        .andWaitForStateChange(
            () -> publicationOf("44"), p -> p != null && p.getStatus() == Status.FAILED);

    scenario
        .stimulate(
            () ->
                incomplete.resubmitIncompletePublications(
                    p -> p.getEvent() instanceof OrderPlaced o && o.orderId().equals("44")))
        .andWaitForStateChange(() -> publicationOf("44"), p -> p != null && p.isCompleted())
        .andVerify(publication -> assertThat(inventory.reserved("44")).isTrue());
  }

  /** The publication of the OrderPlaced event of {@code orderId}, incomplete or completed. */
  private TargetEventPublication publicationOf(String orderId) {
    for (List<TargetEventPublication> list :
        List.of(repository.findIncompletePublications(), repository.findCompletedPublications())) {
      for (TargetEventPublication p : list) {
        if (p.getEvent() instanceof OrderPlaced o && o.orderId().equals(orderId)) {
          return p;
        }
      }
    }
    return null;
  }
}
