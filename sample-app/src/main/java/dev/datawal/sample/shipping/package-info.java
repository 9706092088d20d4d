/**
 * The shipping module: prepares a shipment ({@code GET /shipments/{orderId}}) for every {@link
 * dev.datawal.sample.order.OrderPlaced}, in an {@code @ApplicationModuleListener} that Spring
 * Modulith calls after the order's transaction commits, and calls again after a crash or a failure
 * until it completes.
 */
package dev.datawal.sample.shipping;
