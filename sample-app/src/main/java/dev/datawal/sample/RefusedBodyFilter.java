package dev.datawal.sample;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Sends a 413 (a body refused for its size, see {@link Bodies}) as soon as the request is handled.
 *
 * <p>Otherwise Tomcat first drains the rest of the unread body (up to {@code
 * server.tomcat.max-swallow-size}), so the answer waits for a client that may still be uploading,
 * and a body more than that over is cut off with the connection, without any answer at all.
 */
@Component
class RefusedBodyFilter extends OncePerRequestFilter {

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    chain.doFilter(request, response);
    if (response.getStatus() == HttpStatus.CONTENT_TOO_LARGE.value() && !response.isCommitted()) {
      response.flushBuffer();
    }
  }
}
