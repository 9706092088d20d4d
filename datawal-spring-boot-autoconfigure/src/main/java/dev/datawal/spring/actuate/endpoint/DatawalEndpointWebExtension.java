package dev.datawal.spring.actuate.endpoint;

import java.util.Objects;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The {@link DatawalEndpoint}'s write operations over HTTP, answering what cannot be done with a
 * status and the reason in a JSON body, {@code {"action": ..., "error": ...}}: 400 for an unknown
 * action, 409 when the store cannot do it now (read-only, closed, poisoned), rather than Boot's
 * generic error page without the reason.
 *
 * <p>Thread-safe.
 */
@EndpointWebExtension(endpoint = DatawalEndpoint.class)
public final class DatawalEndpointWebExtension {
  private final DatawalEndpoint endpoint;

  /**
   * An extension of {@code endpoint}.
   *
   * @param endpoint the endpoint whose write operations it serves over HTTP
   */
  public DatawalEndpointWebExtension(DatawalEndpoint endpoint) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
  }

  /**
   * {@link DatawalEndpoint#run}, over HTTP.
   *
   * @param action {@code compact}, {@code fsync} or {@code verify}
   * @return what it did (200), or the reason it could not be done: 400 for an unknown action, 409
   *     when the store cannot do it now
   */
  @WriteOperation
  public WebEndpointResponse<Object> run(@Selector String action) {
    try {
      return new WebEndpointResponse<>(endpoint.run(action));
    } catch (InvalidEndpointRequestException e) {
      return new WebEndpointResponse<>(
          DatawalEndpoint.error(action, e.getMessage()), WebEndpointResponse.STATUS_BAD_REQUEST);
    } catch (DatawalEndpoint.Refused e) {
      return new WebEndpointResponse<>(DatawalEndpoint.error(action, e.getMessage()), 409);
    }
  }
}
