package dev.datawal.spring.json;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** The log of the subscriber machinery, shared with {@link EventHandler}'s default methods. */
final class Subscriptions {
  static final Log LOG = LogFactory.getLog(EventSubscription.class);

  private Subscriptions() {}
}
