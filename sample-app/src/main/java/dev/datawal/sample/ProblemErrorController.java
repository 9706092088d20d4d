package dev.datawal.sample;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The error page ({@code /error}), in place of Spring Boot's {@code BasicErrorController}: errors
 * that no handler answered (an exception a handler let escape, a filter's error, a {@code
 * sendError}) as RFC 9457 problems, like every other error of the API (see {@link Problems}).
 *
 * <p>A 500's detail never carries the exception's message, which may hold internals: the exception
 * is in the server's log.
 */
@RestController
class ProblemErrorController implements ErrorController {

  @RequestMapping("${server.error.path:${error.path:/error}}")
  ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
    HttpStatusCode status =
        HttpStatusCode.valueOf(
            request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code
                ? code
                : HttpStatus.INTERNAL_SERVER_ERROR.value());
    ProblemDetail problem = Problems.of(status, detail(status, request));
    if (request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String path) {
      try {
        problem.setInstance(URI.create(path));
      } catch (IllegalArgumentException e) {
        // a path that is no URI reference: the problem goes without its instance
      }
    }
    // Whatever the request accepts: the error format is the same for every client.
    return ResponseEntity.status(status)
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(problem);
  }

  private static String detail(HttpStatusCode status, HttpServletRequest request) {
    if (status.is5xxServerError()) {
      return "the server failed to handle the request; the cause is in its log";
    }
    Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
    return message instanceof String text && !text.isBlank()
        ? text
        : "the request failed with status " + status.value();
  }
}
