package dev.datawal.sample.order;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /orders} places an order ({@code {"item":"book","quantity":2}}); 201 once the order
 * and its event's publication are committed (durably, under the default fsync policy). {@code GET
 * /orders/{id}} reads it back.
 */
@RestController
@RequestMapping("/orders")
class OrderController {
  private final Orders orders;

  OrderController(Orders orders) {
    this.orders = orders;
  }

  /**
   * What a client sends to place an order.
   *
   * @param item what is ordered
   * @param quantity how many
   */
  record PlaceOrder(String item, int quantity) {}

  @PostMapping
  ResponseEntity<Order> place(@RequestBody PlaceOrder request) {
    if (request.item() == null) {
      throw new IllegalArgumentException("item is required");
    }
    Order order = orders.place(request.item(), request.quantity());
    return ResponseEntity.created(URI.create("/orders/" + order.id())).body(order);
  }

  @GetMapping("/{id}")
  Order find(@PathVariable String id) {
    return orders
        .find(id)
        .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no order " + id));
  }
}
