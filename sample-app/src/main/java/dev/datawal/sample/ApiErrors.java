package dev.datawal.sample;

import dev.datawal.Limit;
import dev.datawal.LimitExceededException;
import dev.datawal.WriterPoisonedException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Maps the store's exceptions to HTTP problem details (RFC 9457) for every controller: bad input
 * 400, a value over the format's limit 413, a poisoned store 503.
 */
@RestControllerAdvice
class ApiErrors {

  @ExceptionHandler(IllegalArgumentException.class)
  ProblemDetail badRequest(IllegalArgumentException e) {
    return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
  }

  @ExceptionHandler(Bodies.TooLarge.class)
  ProblemDetail bodyTooLarge(Bodies.TooLarge e) {
    return ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, e.getMessage());
  }

  /** The engine's own check: a payload over its limit is 413, any other limit (a key) is 400. */
  @ExceptionHandler(LimitExceededException.class)
  ProblemDetail overLimit(LimitExceededException e) {
    HttpStatus status =
        e.limit() == Limit.MAX_PAYLOAD_LEN ? HttpStatus.CONTENT_TOO_LARGE : HttpStatus.BAD_REQUEST;
    return ProblemDetail.forStatusAndDetail(status, e.getMessage());
  }

  /**
   * A failed write or fsync poisoned the store: nothing more can be written until the application
   * restarts (reopening runs recovery). Reads keep working.
   */
  @ExceptionHandler(WriterPoisonedException.class)
  ProblemDetail poisoned(WriterPoisonedException e) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    problem.setTitle("Store unavailable for writes");
    return problem;
  }
}
