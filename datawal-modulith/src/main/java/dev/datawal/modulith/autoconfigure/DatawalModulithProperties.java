package dev.datawal.modulith.autoconfigure;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the datawal event publication registry ({@code datawal.modulith.*}). The
 * completion mode is Spring Modulith's own {@code spring.modulith.events.completion-mode}.
 */
@ConfigurationProperties("datawal.modulith")
public class DatawalModulithProperties {
  /** Whether to store Spring Modulith's event publications in the datawal store. */
  private boolean enabled = true;

  private final Health health = new Health();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Health getHealth() {
    return health;
  }

  /** The datawalPublications health indicator. */
  public static class Health {
    /**
     * Report the custom status STALLED when the oldest incomplete publication is older than this;
     * unset never does. STALLED is not DOWN: add it to management.endpoint.health.status.order to
     * make it count in the overall status.
     */
    private @Nullable Duration stalledAfter;

    public @Nullable Duration getStalledAfter() {
      return stalledAfter;
    }

    public void setStalledAfter(@Nullable Duration stalledAfter) {
      this.stalledAfter = stalledAfter;
    }
  }
}
