package dev.datawal.modulith;

/** A test event. */
public record OrderPlaced(String orderId, int quantity) {}
