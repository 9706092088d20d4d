package dev.datawal.sample;

import java.net.URI;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/**
 * The one error format of the sample's API: RFC 9457 problem details ({@code
 * application/problem+json}), with {@code type}, {@code title}, {@code status}, {@code detail} and
 * {@code instance}.
 *
 * <p>The problems are plain HTTP ones, so {@code type} is {@code about:blank} (written out rather
 * than left to its default, for clients that look for it) and {@code title} is the status's reason
 * phrase; {@code detail} says what was wrong with the request and where.
 */
final class Problems {
  /** The {@code type} of a problem that is what its HTTP status says (RFC 9457, section 4.2.1). */
  static final URI ABOUT_BLANK = URI.create("about:blank");

  private Problems() {}

  /** A problem of {@code status}, with {@code detail}. */
  static ProblemDetail of(HttpStatusCode status, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setType(ABOUT_BLANK);
    return problem;
  }

  /** {@code problem}, with its type written out if it has none. */
  static ProblemDetail typed(ProblemDetail problem) {
    if (problem.getType() == null) {
      problem.setType(ABOUT_BLANK);
    }
    return problem;
  }
}
