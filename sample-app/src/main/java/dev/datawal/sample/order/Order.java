package dev.datawal.sample.order;

import java.time.Instant;

/**
 * An order as stored (JSON, under {@code orders/<id>}) and as the API shows it.
 *
 * @param id its id
 * @param item what was ordered
 * @param quantity how many
 * @param placedAt when it was placed
 */
public record Order(String id, String item, int quantity, Instant placedAt) {}
