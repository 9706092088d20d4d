package dev.datawal.sample.shipping;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** {@code GET /shipments/{orderId}}: 404 until the listener has prepared the order's shipment. */
@RestController
class ShipmentController {
  private final Shipping shipping;

  ShipmentController(Shipping shipping) {
    this.shipping = shipping;
  }

  @GetMapping("/shipments/{orderId}")
  Shipment find(@PathVariable String orderId) {
    return shipping
        .find(orderId)
        .orElseThrow(
            () ->
                new ResponseStatusException(
                    HttpStatus.NOT_FOUND, "no shipment (yet) for order " + orderId));
  }
}
