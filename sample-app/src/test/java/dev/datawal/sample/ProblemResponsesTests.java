package dev.datawal.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every error the sample answers over HTTP is an RFC 9457 problem ({@code application/problem+json}
 * with type, title, status, detail and instance), whichever layer answers it: a handler, Spring MVC
 * around it, the error page, or Tomcat itself.
 */
@SampleAppTest
@Import(ProblemResponsesTests.Failing.class)
class ProblemResponsesTests extends SampleHttp {
  /** Endpoints that only tests have: a handler that fails, one that takes only JSON. */
  @RestController
  static class Failing {
    @GetMapping("/test/fails")
    String fails() {
      throw new IllegalStateException("internal detail that must not reach the client");
    }

    @PostMapping(path = "/test/json", consumes = MediaType.APPLICATION_JSON_VALUE)
    String json() {
      return "{}";
    }
  }

  /**
   * The response is a problem of {@code status} at {@code instance}, its detail saying {@code
   * detail}.
   */
  private static JsonNode assertProblem(
      HttpResponse<String> response, HttpStatus status, String instance, String detail) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status.value());
    assertThat(response.headers().firstValue("Content-Type"))
        .as(instance)
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    JsonNode problem = JsonMapper.shared().readTree(response.body());
    assertThat(problem.path("type").asString()).as(instance).isEqualTo("about:blank");
    assertThat(problem.path("title").asString()).as(instance).isEqualTo(status.getReasonPhrase());
    assertThat(problem.path("status").asInt()).as(instance).isEqualTo(status.value());
    assertThat(problem.path("detail").asString()).as(instance).contains(detail);
    assertThat(problem.path("instance").asString()).as(instance).isEqualTo(instance);
    return problem;
  }

  @Test
  void badInputIs400() throws Exception {
    assertProblem(
        send(request("/kv/a;b=c").PUT(BodyPublishers.ofString("v"))),
        HttpStatus.BAD_REQUEST,
        "/kv/a;b=c",
        "has a ';' at index 5");
    assertProblem(
        send(request("/events?limit=1001")),
        HttpStatus.BAD_REQUEST,
        "/events",
        "limit must be between 1 and 1000, not 1001");
    assertProblem(
        send(request("/events?limit=many")),
        HttpStatus.BAD_REQUEST,
        "/events",
        "Failed to convert 'limit' with value: 'many'");
  }

  @Test
  void pathsTheWebServerRefusesAre400ProblemsToo() throws Exception {
    for (String path : new String[] {"/kv/a%00b", "/kv/a%5Cb", "/kv/%FF"}) {
      assertProblem(
          send(request(path).PUT(BodyPublishers.ofString("v"))),
          HttpStatus.BAD_REQUEST,
          path,
          "the web server refused the request before the application saw it");
    }
  }

  @Test
  void aMissingKeyIs404WhetherTheClientAcceptsProblemsOrNot() throws Exception {
    for (String accept : new String[] {"*/*", "application/octet-stream"}) {
      assertProblem(
          send(request("/kv/never/written").header("Accept", accept)),
          HttpStatus.NOT_FOUND,
          "/kv/never/written",
          "no value for key 'never/written': it was never written, or was deleted");
    }
  }

  @Test
  void aValueForAClientThatTakesNoBytesIs406() throws Exception {
    assertProblem(
        send(request("/kv/a").header("Accept", "text/html")),
        HttpStatus.NOT_ACCEPTABLE,
        "/kv/a",
        "Acceptable representations: [application/octet-stream]");
  }

  @Test
  void anUnknownPathIs404() throws Exception {
    assertProblem(
        send(request("/nothing/here")),
        HttpStatus.NOT_FOUND,
        "/nothing/here",
        "nothing at GET /nothing/here");
    assertProblem(
        send(request("/actuator/nothing")),
        HttpStatus.NOT_FOUND,
        "/actuator/nothing",
        "nothing at GET /actuator/nothing");
  }

  @Test
  void anUnsupportedMethodIs405WithWhatIsAllowed() throws Exception {
    HttpResponse<String> response = send(request("/kv/a").POST(BodyPublishers.ofString("v")));
    assertProblem(
        response, HttpStatus.METHOD_NOT_ALLOWED, "/kv/a", "Method 'POST' is not supported");
    assertThat(response.headers().firstValue("Allow"))
        .hasValueSatisfying(allow -> assertThat(allow).contains("GET", "PUT", "DELETE"));
  }

  @Test
  void aBodyOverTheLimitIs413() throws Exception {
    assertProblem(
        send(request("/kv/big").PUT(BodyPublishers.ofByteArray(new byte[(1 << 20) + 1]))),
        HttpStatus.CONTENT_TOO_LARGE,
        "/kv/big",
        "exceeds the limit of 1048576 bytes (sample.max-body-size)");
  }

  @Test
  void anUnsupportedContentTypeIs415() throws Exception {
    assertProblem(
        send(
            request("/test/json")
                .header("Content-Type", "text/plain")
                .POST(BodyPublishers.ofString("v"))),
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        "/test/json",
        "Content-Type 'text/plain' is not supported");
  }

  @Test
  void aFailureIs500WithoutItsInternals() throws Exception {
    JsonNode problem =
        assertProblem(
            send(request("/test/fails")),
            HttpStatus.INTERNAL_SERVER_ERROR,
            "/test/fails",
            "the server failed to handle the request; the cause is in its log");
    assertThat(problem.toString()).doesNotContain("internal detail");
  }

  @Test
  void aMalformedRequestLineIs400() throws Exception {
    try (Socket socket = new Socket("localhost", port)) {
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /kv/a b HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      socket.shutdownOutput();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer)
          .startsWith("HTTP/1.1 400")
          .contains("Content-Type: application/problem+json");
    }
  }
}
