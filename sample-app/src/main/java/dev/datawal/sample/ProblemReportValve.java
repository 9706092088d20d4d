package dev.datawal.sample;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's error report, for the errors Tomcat answers itself before the application sees the
 * request (a path it refuses, such as one with {@code %00}, {@code %5C} or escapes that are not
 * UTF-8; a malformed request): an RFC 9457 problem like every other error of the API (see {@link
 * Problems}), in place of Tomcat's HTML page. Installed on the host by {@link WebServerSettings}.
 */
final class ProblemReportValve extends ErrorReportValve {

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    // As ErrorReportValve: only an error with nothing written yet, reported once, while the
    // connection still takes a response.
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    AtomicBoolean ioAllowed = new AtomicBoolean(true);
    response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
    if (!ioAllowed.get()) {
      return;
    }
    try {
      response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
      response.setCharacterEncoding("UTF-8");
      Writer writer = response.getReporter();
      if (writer != null) {
        writer.write(JsonMapper.shared().writeValueAsString(problem(status, request, response)));
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // The client is gone, or the response was taken meanwhile: nothing more to say.
    }
  }

  private static Map<String, Object> problem(int status, Request request, Response response) {
    HttpStatus known = HttpStatus.resolve(status);
    String message = response.getMessage();
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", Problems.ABOUT_BLANK.toString());
    problem.put("title", known == null ? "Error " + status : known.getReasonPhrase());
    problem.put("status", status);
    problem.put(
        "detail",
        "the web server refused the request before the application saw it"
            + (message == null || message.isBlank() ? "" : ": " + message)
            + (status == 400
                ? " (it refuses a path with %00, \\ or %5C, or %-escapes that are not UTF-8)"
                : ""));
    String path = request.getRequestURI();
    if (path != null) {
      try {
        problem.put("instance", URI.create(path).toString());
      } catch (IllegalArgumentException e) {
        // a path that is no URI reference: the problem goes without its instance
      }
    }
    return problem;
  }
}
