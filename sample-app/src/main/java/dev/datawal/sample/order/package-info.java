/**
 * The order module: places orders ({@code POST /orders}) in a datawal transaction that writes the
 * order and publishes {@link dev.datawal.sample.order.OrderPlaced}. Spring Modulith registers the
 * publication in the same atomic record group as the order.
 */
package dev.datawal.sample.order;
