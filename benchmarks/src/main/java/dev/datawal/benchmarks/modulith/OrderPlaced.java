package dev.datawal.benchmarks.modulith;

/**
 * The event every registry of the benchmark stores: small, as a domain event usually is; Modulith's
 * Jackson serializer writes it as about 55 bytes of JSON, {@code
 * {"orderId":123456,"customer":"customer-456","items":3}}.
 *
 * @param orderId distinct per publication, so the registry can tell two publications apart by event
 * @param customer a customer name
 * @param items a number of items
 */
public record OrderPlaced(long orderId, String customer, int items) {
  /** The {@code n}th event of a run. */
  static OrderPlaced number(long n) {
    return new OrderPlaced(n, "customer-" + n % 1000, 1 + (int) (n % 7));
  }
}
