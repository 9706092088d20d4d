package dev.datawal.modulith.shop;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A two-module Spring Modulith application for the end-to-end tests: {@code order} places orders
 * and publishes {@link dev.datawal.modulith.shop.order.OrderPlaced}, {@code inventory} reserves
 * stock when it hears of one. Its only store is datawal, with no other configuration.
 */
@SpringBootApplication
public class ShopApplication {}
