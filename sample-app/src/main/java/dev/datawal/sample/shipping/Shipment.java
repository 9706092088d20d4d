package dev.datawal.sample.shipping;

import java.time.Instant;

/**
 * A shipment prepared for an order (JSON, under {@code shipments/<orderId>}).
 *
 * @param orderId the order it ships
 * @param item what it ships
 * @param quantity how many
 * @param preparedAt when the listener prepared it
 */
public record Shipment(String orderId, String item, int quantity, Instant preparedAt) {}
