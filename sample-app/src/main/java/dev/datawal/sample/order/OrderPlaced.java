package dev.datawal.sample.order;

/**
 * Published when an order has been placed, in the transaction that wrote it.
 *
 * @param orderId the order's id
 * @param item what was ordered
 * @param quantity how many
 */
public record OrderPlaced(String orderId, String item, int quantity) {}
