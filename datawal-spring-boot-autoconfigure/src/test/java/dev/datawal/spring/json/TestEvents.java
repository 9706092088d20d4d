package dev.datawal.spring.json;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeName;

/** Event types shared by the tests. */
public final class TestEvents {
  private TestEvents() {}

  /** The common type of the shop's events. */
  public interface ShopEvent {}

  /** Named by {@code @JsonTypeName}. */
  @JsonTypeName("order-placed")
  public record OrderPlaced(String orderId, int amount) implements ShopEvent {}

  /** Named by its class name. */
  public record OrderShipped(String orderId, String carrier) implements ShopEvent {}

  /** Declares its subtypes, so their names resolve without registration. */
  @JsonSubTypes(@JsonSubTypes.Type(Refunded.class))
  public interface PaymentEvent {}

  /** A declared subtype. */
  @JsonTypeName("refunded")
  public record Refunded(String paymentId) implements PaymentEvent {}

  /** Not a shop event. */
  public record Unrelated(String text) {}

  /** Records whether {@link Explosive}'s static initializer ran. */
  public static final class Flags {
    static volatile boolean explosiveInitialized;

    private Flags() {}
  }

  /** A class whose static initializer must never run because of data in the log. */
  public static final class Explosive implements ShopEvent {
    static {
      Flags.explosiveInitialized = true;
    }

    public String payload;
  }
}
