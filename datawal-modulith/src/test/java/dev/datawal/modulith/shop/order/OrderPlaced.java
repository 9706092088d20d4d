package dev.datawal.modulith.shop.order;

/**
 * An order was placed.
 *
 * @param orderId the order
 */
public record OrderPlaced(String orderId) {}
