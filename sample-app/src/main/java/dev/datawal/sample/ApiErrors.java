package dev.datawal.sample;

import dev.datawal.Limit;
import dev.datawal.LimitExceededException;
import dev.datawal.WriterPoisonedException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Every error a handler (or Spring MVC around it) raises, as an RFC 9457 problem (see {@link
 * Problems}): Spring MVC's own (unknown path 404, 405, 415, a bad query parameter 400, ...) as
 * {@link ResponseEntityExceptionHandler} answers them, and the store's: bad input 400, a body over
 * the limit 413, a poisoned store 503. Anything else escapes to the error page, {@link
 * ProblemErrorController} (500).
 */
@RestControllerAdvice
class ApiErrors extends ResponseEntityExceptionHandler {

  @ExceptionHandler(IllegalArgumentException.class)
  ProblemDetail badRequest(IllegalArgumentException e) {
    return Problems.of(HttpStatus.BAD_REQUEST, e.getMessage());
  }

  @ExceptionHandler(Bodies.TooLarge.class)
  ProblemDetail bodyTooLarge(Bodies.TooLarge e) {
    return Problems.of(HttpStatus.CONTENT_TOO_LARGE, e.getMessage());
  }

  /** The engine's own check: a payload over its limit is 413, any other limit (a key) is 400. */
  @ExceptionHandler(LimitExceededException.class)
  ProblemDetail overLimit(LimitExceededException e) {
    HttpStatus status =
        e.limit() == Limit.MAX_PAYLOAD_LEN ? HttpStatus.CONTENT_TOO_LARGE : HttpStatus.BAD_REQUEST;
    return Problems.of(status, e.getMessage());
  }

  /**
   * A failed write or fsync poisoned the store: nothing more can be written until the application
   * restarts (reopening runs recovery). Reads keep working.
   */
  @ExceptionHandler(WriterPoisonedException.class)
  ProblemDetail poisoned(WriterPoisonedException e) {
    return Problems.of(
        HttpStatus.SERVICE_UNAVAILABLE,
        e.getMessage() + " (the store refuses writes until the application restarts)");
  }

  /** A path nothing is mapped to: says so, rather than Spring's "No static resource". */
  @Override
  protected @Nullable ResponseEntity<Object> handleNoResourceFoundException(
      NoResourceFoundException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    ProblemDetail problem =
        Problems.of(
            status,
            "nothing at "
                + e.getHttpMethod()
                + " /"
                + e.getResourcePath()
                + ": the API is /kv/{key}, /events and /actuator");
    return handleExceptionInternal(e, problem, headers, status, request);
  }

  /** Spring MVC's problems, with their type written out as {@link Problems} has it. */
  @Override
  protected ResponseEntity<Object> createResponseEntity(
      @Nullable Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    return super.createResponseEntity(
        body instanceof ProblemDetail problem ? Problems.typed(problem) : body,
        headers,
        status,
        request);
  }
}
